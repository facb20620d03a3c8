import type { JsonValue } from '../../../activities/contracts';
import type { Fact, MemoryEntry, ReasoningItem, SavePlan, ScoredMemoryEntry, ScoredReasoningItem } from '../../../activities/memory/contracts';
import { MemoryError } from '../../../activities/memory/errors';
import type { ScoredFact } from '../../../activities/memory/fact-store';
import { createMemoryServices, type MemoryServices } from '../../../activities/memory/services';
import { ParApiError, type ParClient } from '../../sdk';
import { CliError } from '../output';
import { remoteClient, viaApi } from '../remote';

/**
 * What `par memory`, `par facts` and `par reasoning` ask of the memory stores, the same in both
 * modes: the local stores in the data folder, or the HTTP API when PAR_API_KEY is set. Both
 * report failures with the same CLI error codes and exit codes, so scripts see one behaviour.
 */
export interface MemoryBackend {
  saveMemory(tenant: string, req: { content: string; scope?: string; id?: string }): Promise<{ plan: Pick<SavePlan, 'action' | 'previousContent' | 'matchedSimilarity'>; entry: MemoryEntry }>;
  searchMemories(tenant: string, req: { query: string; limit?: number; scopes?: string[]; minSimilarity?: number }): Promise<{ entries: ScoredMemoryEntry[] }>;
  listMemories(tenant: string, filter: { scope?: string; deleted?: boolean }): Promise<MemoryEntry[]>;
  deleteMemory(tenant: string, id: string): Promise<MemoryEntry>;
  restoreMemory(tenant: string, id: string): Promise<MemoryEntry>;
  putFact(tenant: string, namespace: string, key: string, value: JsonValue): Promise<Fact>;
  /** undefined when there is no such fact. */
  getFact(tenant: string, namespace: string, key: string): Promise<Fact | undefined>;
  listFacts(tenant: string, namespace: string, filter: { prefix?: string; limit?: number }): Promise<Fact[]>;
  /** Facts closest in meaning to the query, in any namespace. */
  searchFacts(tenant: string, query: string, opts: { limit: number; minSimilarity: number }): Promise<ScoredFact[]>;
  /** false when there was no such fact. */
  deleteFact(tenant: string, namespace: string, key: string): Promise<boolean>;
  listReasoning(tenant: string, limit: number): Promise<{ items: ReasoningItem[]; total: number }>;
  getReasoning(tenant: string, id: string): Promise<ReasoningItem>;
  searchReasoning(tenant: string, task: string, limit?: number): Promise<ScoredReasoningItem[]>;
  deleteReasoning(tenant: string, id: string): Promise<{ deleted: string; item: ReasoningItem }>;
}

/** The backend this invocation uses: the API with PAR_API_KEY set, else the local stores. */
export function memoryBackend(env: NodeJS.ProcessEnv = process.env): MemoryBackend {
  const remote = remoteClient(env);
  return remote ? apiMemory(remote) : localMemory();
}

/** Opens the memory stores in the data folder, runs fn, closes them; memory errors become CLI errors. */
export async function withMemory<T>(fn: (s: MemoryServices) => Promise<T> | T): Promise<T> {
  const services = await createMemoryServices();
  try {
    return await fn(services);
  } catch (err) {
    if (err instanceof MemoryError) {
      const [code, exitCode] = LOCAL_EQUIVALENT[err.code];
      throw new CliError(err.message, exitCode, code);
    }
    throw err;
  } finally {
    await services.close();
  }
}

function localMemory(): MemoryBackend {
  return {
    saveMemory: (tenant, req) => withMemory((s) => s.vault.save({ tenant, ...req })),
    searchMemories: (tenant, req) => withMemory((s) => s.vault.search({ tenant, ...req })),
    listMemories: (tenant, filter) => withMemory((s) => s.vault.list({ tenant, ...filter })),
    deleteMemory: (tenant, id) => withMemory((s) => s.vault.delete({ tenant, id })),
    restoreMemory: (tenant, id) => withMemory((s) => s.vault.restore({ tenant, id })),
    putFact: (tenant, namespace, key, value) => withMemory((s) => s.facts.put({ tenant, namespace, key, value })),
    getFact: (tenant, namespace, key) => withMemory((s) => s.facts.get(tenant, namespace, key)),
    listFacts: (tenant, namespace, filter) => withMemory((s) => s.facts.list({ tenant, namespace, ...filter })),
    searchFacts: (tenant, query, opts) => withMemory((s) => s.facts.similar(tenant, query, opts.limit, opts.minSimilarity)),
    deleteFact: (tenant, namespace, key) => withMemory((s) => s.facts.delete(tenant, namespace, key)),
    listReasoning: (tenant, limit) =>
      withMemory((s) => {
        const all = s.reasoning.list(tenant);
        return { items: all.slice(0, limit), total: all.length };
      }),
    getReasoning: (tenant, id) => withMemory((s) => s.reasoning.get(tenant, id)),
    searchReasoning: (tenant, task, limit) => withMemory((s) => s.reasoning.retrieve(tenant, task, limit)),
    deleteReasoning: (tenant, id) =>
      withMemory(async (s) => {
        const item = s.reasoning.get(tenant, id);
        await s.reasoning.delete(tenant, [id]);
        return { deleted: id, item };
      }),
  };
}

/** The API's codes for what the local stores report as not_found / bad_input / conflict (same exit codes and error codes). */
const LOCAL_EQUIVALENT: Record<string, [string, number]> = {
  memory_not_found: ['not_found', 1],
  fact_not_found: ['not_found', 1],
  reasoning_item_not_found: ['not_found', 1],
  invalid_input: ['bad_input', 2],
  conflict: ['conflict', 1],
};

/**
 * Runs a remote call (viaApi), reporting the failures the local stores also have with their
 * local error code and exit code; the message keeps the server's code.
 */
async function viaMemoryApi<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await viaApi(fn);
  } catch (err) {
    const local = err instanceof CliError ? LOCAL_EQUIVALENT[err.code] : undefined;
    if (local) throw new CliError(err instanceof Error ? err.message : String(err), local[1], local[0]);
    throw err;
  }
}

/** A fact the API does not have, as the local store reports it (undefined / false). */
const orMissing = <T>(p: Promise<T>, missing: T): Promise<T> => p.catch((err: unknown) => (err instanceof ParApiError && err.code === 'fact_not_found' ? missing : Promise.reject(err)));

/** The API takes a search limit of at most 20; the local stores cap a larger one at 20 too. */
const MAX_API_SEARCH_LIMIT = 20;

function apiMemory(api: ParClient): MemoryBackend {
  return {
    saveMemory: (tenant, req) => viaMemoryApi(() => api.saveMemory(tenant, { content: req.content, ...(req.scope ? { scope: req.scope } : {}), ...(req.id ? { id: req.id } : {}) })),
    searchMemories: (tenant, req) =>
      viaMemoryApi(() => api.searchMemories(tenant, { ...req, limit: req.limit === undefined ? undefined : Math.min(req.limit, MAX_API_SEARCH_LIMIT) })),
    listMemories: async (tenant, filter) => (await viaMemoryApi(() => api.listMemories(tenant, filter))).entries,
    deleteMemory: (tenant, id) => viaMemoryApi(() => api.deleteMemory(tenant, id)),
    restoreMemory: (tenant, id) => viaMemoryApi(() => api.restoreMemory(tenant, id)),
    putFact: (tenant, namespace, key, value) => viaMemoryApi(() => api.putFact(tenant, namespace, key, value)),
    getFact: (tenant, namespace, key) => viaMemoryApi(() => orMissing<Fact | undefined>(api.getFact(tenant, namespace, key), undefined)),
    listFacts: async (tenant, namespace, filter) => (await viaMemoryApi(() => api.listFacts(tenant, namespace, filter))).facts,
    searchFacts: async (tenant, query, opts) => (await viaMemoryApi(() => api.searchFacts(tenant, query, opts))).facts,
    deleteFact: (tenant, namespace, key) => viaMemoryApi(() => orMissing(api.deleteFact(tenant, namespace, key).then(() => true), false)),
    listReasoning: (tenant, limit) => viaMemoryApi(() => api.listReasoning(tenant, { limit })),
    getReasoning: (tenant, id) => viaMemoryApi(() => api.getReasoning(tenant, id)),
    searchReasoning: async (tenant, task, limit) => (await viaMemoryApi(() => api.searchReasoning(tenant, task, limit === undefined ? {} : { limit }))).items,
    deleteReasoning: (tenant, id) => viaMemoryApi(() => api.deleteReasoning(tenant, id)),
  };
}
