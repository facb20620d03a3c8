import type { VaultItem } from '../../activities/contracts';
import { ParApiError } from './errors';
import { parseSse } from './sse-parser';
import type {
  ChatRequest,
  ActRunRequest,
  ActRunResult,
  ChatResult,
  Decision,
  InboxApproval,
  FlowDefinition,
  FlowDocument,
  FlowSummary,
  FlowVersion,
  NodeType,
  RunFilter,
  RunSummary,
  SavedFlow,
  SaveFlowRequest,
  StoredFlowVersion,
  ValidationIssue,
  Fact,
  JsonValue,
  MemoryEntry,
  MemorySaveResult,
  MemorySearchRequest,
  ReasoningDeleted,
  ReasoningItem,
  ReasoningItemList,
  ScoredReasoningItem,
  ScoredFact,
  ScoredMemoryEntry,
  SearchOptions,
  SearchResult,
  StartRunRequest,
  StartedRun,
  StreamedEvent,
  VaultExport,
  WhoAmI,
} from './types';

export interface ParClientOptions {
  /** e.g. http://127.0.0.1:8787 (see `par status --json`). */
  baseUrl: string;
  /** A key from `par keys create`; omit only against an API in insecure local mode. */
  apiKey?: string;
  fetch?: typeof fetch;
}

export interface StreamOptions {
  signal?: AbortSignal;
  /** Reconnects (with Last-Event-ID) after a dropped connection; 0 turns resuming off. */
  maxReconnects?: number;
  /** Called for each keep-alive comment. */
  onKeepAlive?: () => void;
}

const TERMINAL = new Set(['done', 'error']);

/** A typed client for the PAR HTTP API. Every method throws ParApiError for an error answer. */
export class ParClient {
  private readonly baseUrl: string;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly opts: ParClientOptions) {
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
    this.fetchImpl = opts.fetch ?? fetch;
  }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return { ...(this.opts.apiKey ? { authorization: `Bearer ${this.opts.apiKey}` } : {}), ...extra };
  }

  private async send(method: string, path: string, body?: unknown, signal?: AbortSignal, accept = 'application/json'): Promise<Response> {
    const res = await this.fetchImpl(this.baseUrl + path, {
      method,
      headers: this.headers({ accept, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }),
      body: body !== undefined ? JSON.stringify(body) : undefined,
      signal,
    });
    if (!res.ok) {
      const text = await res.text();
      let code = 'http_error';
      let message = `HTTP ${res.status} from ${method} ${path}`;
      try {
        const parsed = JSON.parse(text) as { error?: { code?: string; message?: string } };
        code = parsed.error?.code ?? code;
        message = parsed.error?.message ?? message;
      } catch {
        if (text) message += `: ${text.slice(0, 200)}`;
      }
      throw new ParApiError(res.status, code, message);
    }
    return res;
  }

  private async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    return (await (await this.send(method, path, body)).json()) as T;
  }

  // ---- meta -----------------------------------------------------------------------------------
  whoami = () => this.json<WhoAmI>('GET', '/v1/whoami');
  openapi = () => this.json<Record<string, unknown>>('GET', '/v1/openapi.json');

  // ---- vaults ---------------------------------------------------------------------------------
  listVaults = () => this.json<{ vaults: { name: string; items: number }[] }>('GET', '/v1/vaults');
  addItem = (vault: string, text: string, metadata?: Record<string, unknown>) =>
    this.json<{ ids: string[]; items: VaultItem[] }>('POST', `/v1/vaults/${enc(vault)}/items`, { text, ...(metadata ? { metadata } : {}) });
  listItems = (vault: string, page: { limit?: number; cursor?: string } = {}) =>
    this.json<{ items: VaultItem[]; cursor?: string }>('GET', `/v1/vaults/${enc(vault)}/items${query(page)}`);
  getItem = (vault: string, id: string) => this.json<VaultItem>('GET', `/v1/vaults/${enc(vault)}/items/${enc(id)}`);
  editItem = (vault: string, id: string, patch: { text?: string; metadata?: Record<string, unknown> }) =>
    this.json<VaultItem>('PATCH', `/v1/vaults/${enc(vault)}/items/${enc(id)}`, patch);
  deleteItem = (vault: string, id: string) => this.json<{ deleted: string }>('DELETE', `/v1/vaults/${enc(vault)}/items/${enc(id)}`);
  search = (vault: string, queryText: string, opts: SearchOptions = {}) =>
    this.json<SearchResult>('POST', `/v1/vaults/${enc(vault)}/search`, { query: queryText, ...opts });
  /** Across vaults: a list (global top n) or vault -> minimum (quotas). */
  searchVaults = (queryText: string, vaults: string[] | Record<string, number | null>, opts: SearchOptions = {}) =>
    this.json<SearchResult>('POST', '/v1/search', { query: queryText, vaults, ...opts });
  exportVault = (vault: string) => this.json<VaultExport>('GET', `/v1/vaults/${enc(vault)}/export`);
  importVault = (vault: string, data: unknown) => this.json<{ vault: string; imported: number }>('POST', `/v1/vaults/${enc(vault)}/import`, data);

  // ---- chat -----------------------------------------------------------------------------------
  chat = (req: ChatRequest) => this.json<ChatResult>('POST', '/v1/chat', req);

  /**
   * Streams a chat answer: token, context and usage events, then done or error. A dropped
   * connection is resumed from the last event id; the iterator never ends silently without a
   * done or error event (it throws stream_interrupted instead).
   */
  async *chatStream(req: ChatRequest, opts: StreamOptions = {}): AsyncGenerator<StreamedEvent> {
    let channel: string | undefined;
    yield* this.followStream(
      () => this.send('POST', '/v1/chat/stream', req, opts.signal, 'text/event-stream'),
      (lastId) => {
        if (!channel) throw new ParApiError(0, 'stream_interrupted', 'the chat stream broke before it named its channel');
        return this.streamRequest(`/v1/streams/${enc(channel)}`, lastId, opts.signal);
      },
      opts,
      (c) => (channel = c),
    );
  }

  /** Resumes a chat stream by channel (from its first "stream" event) after event lastEventId. */
  async *resumeStream(channel: string, lastEventId = 0, opts: StreamOptions = {}): AsyncGenerator<StreamedEvent> {
    yield* this.followStream(
      () => this.streamRequest(`/v1/streams/${enc(channel)}`, lastEventId, opts.signal),
      (lastId) => this.streamRequest(`/v1/streams/${enc(channel)}`, lastId, opts.signal),
      opts,
    );
  }

  // ---- flows and approvals ------------------------------------------------------------------
  validateFlow = (definition: Record<string, unknown> | FlowDefinition) =>
    this.json<{ flow: string | null; valid: boolean; issues: ValidationIssue[] }>('POST', '/v1/flows/validate', { definition });
  startRun = (flow: string, req: StartRunRequest = {}) => this.json<StartedRun>('POST', `/v1/flows/${enc(flow)}/runs`, req);
  getRun = <T = Record<string, unknown>>(runId: string) => this.json<T & { runId: string; flowId: string; status: string; flowVersion?: number }>('GET', `/v1/runs/${enc(runId)}`);
  listRuns = (filter: RunFilter = {}) => this.json<{ runs: RunSummary[] }>('GET', `/v1/runs${query({ ...filter })}`);

  /** Pending approvals this key may see (decide with approve/reject), or decided ones with who, when and comment. */
  approvals = (filter: { status?: 'pending' | 'decided'; flow?: string; limit?: number } = {}) =>
    this.json<{ approvals: InboxApproval[] }>('GET', `/v1/approvals${query({ ...filter })}`);
  /** Runs act code alone in the act sandbox with sample variables. */
  runAct = (req: ActRunRequest) => this.json<ActRunResult>('POST', '/v1/act/run', req);
  /** Trades the one-time token of a studio sign-in link for a new local admin key. */
  studioSignin = (token: string) => this.json<{ apiKey: string; name: string; keyId: string }>('POST', '/v1/studio/signin', { token });

  // ---- node types and the flow store --------------------------------------------------------
  nodeTypes = () => this.json<{ nodeTypes: NodeType[] }>('GET', '/v1/node-types');
  listFlows = () => this.json<{ flows: FlowSummary[] }>('GET', '/v1/flows');
  getFlow = (flow: string) => this.json<FlowDocument>('GET', `/v1/flows/${enc(flow)}`);
  saveFlow = (flow: string, req: SaveFlowRequest) => this.json<SavedFlow>('PUT', `/v1/flows/${enc(flow)}`, req);
  deleteFlow = (flow: string) => this.json<{ id: string; deleted: boolean; note?: string }>('DELETE', `/v1/flows/${enc(flow)}`);
  flowVersions = (flow: string) => this.json<{ id: string; versions: FlowVersion[] }>('GET', `/v1/flows/${enc(flow)}/versions`);
  getFlowVersion = (flow: string, version: number) => this.json<StoredFlowVersion>('GET', `/v1/flows/${enc(flow)}/versions/${version}`);
  rollbackFlow = (flow: string, version: number, opts: { message?: string; baseVersion?: number } = {}) =>
    this.json<SavedFlow>('POST', `/v1/flows/${enc(flow)}/rollback`, { version, ...opts });
  approve = (runId: string, d: { node?: string; comment?: string } = {}) => this.json<Decision>('POST', `/v1/runs/${enc(runId)}/approve`, d);
  reject = (runId: string, d: { node?: string; comment?: string } = {}) => this.json<Decision>('POST', `/v1/runs/${enc(runId)}/reject`, d);
  cancel = (runId: string) => this.json<{ runId: string; cancelled: boolean }>('POST', `/v1/runs/${enc(runId)}/cancel`);
  history = (runId: string) => this.json<Record<string, unknown>>('GET', `/v1/runs/${enc(runId)}/history`);

  /** A run's model tokens as they are produced, resumed after drops. */
  async *runEvents(runId: string, lastEventId = 0, opts: StreamOptions = {}): AsyncGenerator<StreamedEvent> {
    yield* this.followStream(
      () => this.streamRequest(`/v1/runs/${enc(runId)}/events`, lastEventId, opts.signal),
      (lastId) => this.streamRequest(`/v1/runs/${enc(runId)}/events`, lastId, opts.signal),
      opts,
    );
  }

  // ---- sessions -----------------------------------------------------------------------------
  /** `flow` starts the session on its first message; `definition` serves flows not in flows/ (send it with every message). */
  sendSessionMessage = (sessionId: string, message: string, opts: { flow?: string; definition?: Record<string, unknown>; tenant?: string; variables?: Record<string, unknown> } = {}) =>
    this.json<{ turn: number; response?: string; responses: string[]; status: string; error?: string }>('POST', `/v1/sessions/${enc(sessionId)}/messages`, { message, ...opts });
  readSession = (sessionId: string) => this.json<Record<string, unknown>>('GET', `/v1/sessions/${enc(sessionId)}`);

  // ---- memories (Memory Vault) and facts (Fact Store), per tenant ----------------------------
  listMemories = (tenant: string, filter: { scope?: string; deleted?: boolean; limit?: number } = {}) =>
    this.json<{ entries: MemoryEntry[] }>('GET', `/v1/memories/${enc(tenant)}${query({ scope: filter.scope, deleted: filter.deleted ? 'true' : undefined, limit: filter.limit })}`);
  /** Adds, or updates the entry with `id` or on the same topic; the plan says which. */
  saveMemory = (tenant: string, req: { content: string; scope?: string; id?: string }) => this.json<MemorySaveResult>('POST', `/v1/memories/${enc(tenant)}`, req);
  searchMemories = (tenant: string, req: MemorySearchRequest) => this.json<{ entries: ScoredMemoryEntry[] }>('POST', `/v1/memories/${enc(tenant)}/search`, req);
  getMemory = (tenant: string, id: string) => this.json<MemoryEntry>('GET', `/v1/memories/${enc(tenant)}/${enc(id)}`);
  editMemory = (tenant: string, id: string, req: { content: string; scope?: string }) => this.json<MemoryEntry>('PATCH', `/v1/memories/${enc(tenant)}/${enc(id)}`, req);
  /** A soft delete: restoreMemory brings the entry back. */
  deleteMemory = (tenant: string, id: string) => this.json<MemoryEntry>('DELETE', `/v1/memories/${enc(tenant)}/${enc(id)}`);
  restoreMemory = (tenant: string, id: string) => this.json<MemoryEntry>('POST', `/v1/memories/${enc(tenant)}/${enc(id)}/restore`);

  listFacts = (tenant: string, namespace: string, filter: { prefix?: string; limit?: number } = {}) =>
    this.json<{ facts: Fact[] }>('GET', `/v1/facts/${enc(tenant)}/${enc(namespace)}${query(filter)}`);
  getFact = (tenant: string, namespace: string, key: string) => this.json<Fact>('GET', `/v1/facts/${enc(tenant)}/${enc(namespace)}/${enc(key)}`);
  putFact = (tenant: string, namespace: string, key: string, value: JsonValue) => this.json<Fact>('PUT', `/v1/facts/${enc(tenant)}/${enc(namespace)}/${enc(key)}`, { value });
  deleteFact = (tenant: string, namespace: string, key: string) => this.json<{ deleted: string }>('DELETE', `/v1/facts/${enc(tenant)}/${enc(namespace)}/${enc(key)}`);
  searchFacts = (tenant: string, query: string, opts: { limit?: number; minSimilarity?: number } = {}) =>
    this.json<{ facts: ScoredFact[] }>('POST', `/v1/facts/${enc(tenant)}/search`, { query, ...opts });

  // ---- the ReasoningBank (learned strategies), per tenant ------------------------------------
  /** Highest confidence first; at most `limit` (default 100, at most 1000). */
  listReasoning = (tenant: string, opts: { limit?: number } = {}) => this.json<ReasoningItemList>('GET', `/v1/reasoning/${enc(tenant)}${query(opts)}`);
  getReasoning = (tenant: string, id: string) => this.json<ReasoningItem>('GET', `/v1/reasoning/${enc(tenant)}/${enc(id)}`);
  /** The advice a run with this task signature would get, best first (limit 1-20, default 5); read-only. */
  searchReasoning = (tenant: string, task: string, opts: { limit?: number } = {}) =>
    this.json<{ items: ScoredReasoningItem[] }>('POST', `/v1/reasoning/${enc(tenant)}/search`, { task, ...opts });
  deleteReasoning = (tenant: string, id: string) => this.json<ReasoningDeleted>('DELETE', `/v1/reasoning/${enc(tenant)}/${enc(id)}`);

  // ---- streaming internals ------------------------------------------------------------------
  private async streamRequest(path: string, lastId: number, signal?: AbortSignal): Promise<Response> {
    const res = await this.fetchImpl(this.baseUrl + path, {
      headers: this.headers({ accept: 'text/event-stream', 'last-event-id': String(lastId) }),
      signal,
    });
    if (!res.ok) {
      const body = (await res.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
      throw new ParApiError(res.status, body.error?.code ?? 'http_error', body.error?.message ?? `HTTP ${res.status} from GET ${path}`);
    }
    return res;
  }

  private async *followStream(
    open: () => Promise<Response>,
    reopen: (lastId: number) => Promise<Response>,
    opts: StreamOptions,
    onChannel?: (channel: string) => void,
  ): AsyncGenerator<StreamedEvent> {
    let lastId = 0;
    let reconnects = 0;
    const max = opts.maxReconnects ?? 3;
    let res = await open();
    for (;;) {
      try {
        for await (const msg of parseSse(res.body!, opts.onKeepAlive && (() => opts.onKeepAlive!()))) {
          const data = JSON.parse(msg.data);
          if (msg.event === 'stream') {
            onChannel?.(data.channel);
            continue;
          }
          if (msg.id !== undefined) lastId = Number(msg.id);
          yield { ...data, ...(msg.id !== undefined ? { id: Number(msg.id) } : {}) } as StreamedEvent;
          if (TERMINAL.has(msg.event)) return;
        }
      } catch (err) {
        if (opts.signal?.aborted) throw err;
      }
      if (reconnects++ >= max) {
        throw new ParApiError(0, 'stream_interrupted', `the stream ended without done or error after ${max} reconnect(s) (last event ${lastId})`);
      }
      await new Promise((r) => setTimeout(r, Math.min(2000, 100 * 2 ** reconnects)));
      res = await reopen(lastId);
    }
  }
}

function enc(s: string): string {
  return encodeURIComponent(s);
}

function query(params: Record<string, string | number | undefined>): string {
  const entries = Object.entries(params).filter(([, v]) => v !== undefined) as [string, string | number][];
  return entries.length ? `?${new URLSearchParams(entries.map(([k, v]) => [k, String(v)] as [string, string])).toString()}` : '';
}
