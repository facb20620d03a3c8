import { Context } from '@temporalio/activity';
import { sharedVaultService } from '../vaults';
import { stableItemId, type VaultService } from '../vaults/service';
import { HTTP_METHODS, type EmailRequest, type EmailResult, type HttpRequest, type McpCallRequest, type McpCallResult, type McpListRequest, type McpListResult, type HttpResult, type WebSearchRequest, type WebSearchResult } from './contracts';
import { sendEmail, smtpConfigFromEnv, type SmtpConfig } from './email';
import { callMcpTool, listMcpTools, mcpServersFromEnv, withMcpClient, type McpServerConfig } from './mcp-client';
import { asActivity, IntegrationError } from './errors';
import { checkHostAllowed, sendRequest } from './http-client';
import { SecretScope, SecretStore } from './secrets';
import { pageText, searchProviderFromEnv, type SearchProvider } from './web-search';

export interface IntegrationActivityDeps {
  secrets?: SecretStore;
  env?: NodeJS.ProcessEnv;
  /** The search provider; chosen from the environment when not given. */
  searchProvider?: SearchProvider;
  vaults?: () => Promise<VaultService>;
  /** SMTP settings; from PAR_SMTP_* when not given. */
  smtp?: SmtpConfig;
  /** MCP servers by name; from PAR_MCP_SERVERS or mcp-servers.json when not given. */
  mcpServers?: Record<string, McpServerConfig>;
}

const MCP_LIST_TIMEOUT_MS = 30_000;

const PAGE_TIMEOUT_MS = 15_000;
const DEFAULT_PAGE_BYTES = 1_000_000;

function activityContext(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined; // called directly, outside a Temporal activity
  }
}

function checkHttpRequest(req: HttpRequest): void {
  if (!req || typeof req !== 'object') throw new IntegrationError('bad_request', 'httpRequest needs a request object');
  if (!HTTP_METHODS.includes(req.method)) throw new IntegrationError('bad_request', `method must be one of ${HTTP_METHODS.join(', ')}, got ${JSON.stringify(req.method)}`);
  if (typeof req.url !== 'string' || !req.url) throw new IntegrationError('bad_request', 'url must be a non-empty string');
  if (!Array.isArray(req.allowHosts)) throw new IntegrationError('bad_request', 'allowHosts must be a list');
  if (!(req.timeoutMs > 0) || !(req.maxResponseBytes > 0)) throw new IntegrationError('bad_request', 'timeoutMs and maxResponseBytes must be positive');
}

/**
 * The activities of the nodes that reach the outside world. Secrets are resolved here, on the
 * worker, and scrubbed from results; errors leave as ApplicationFailures typed
 * `IntegrationError.<code>`, retryable only for the network, timeouts and 408/429/5xx.
 */
export function createIntegrationActivities(deps: IntegrationActivityDeps = {}) {
  const env = deps.env ?? process.env;
  let store = deps.secrets;
  const secrets = () => new SecretScope((store ??= new SecretStore(env)));

  async function httpRequest(req: HttpRequest): Promise<HttpResult> {
    const scope = secrets();
    return asActivity(async () => {
      checkHttpRequest(req);
      const headers = Object.fromEntries(Object.entries(req.headers ?? {}).map(([k, v]) => [k, scope.resolve(v)]));
      const result = await sendRequest({ ...req, headers, signal: activityContext()?.cancellationSignal });
      return scope.redactDeep(result);
    }, (t) => scope.redact(t));
  }

  /**
   * Searches with the configured provider. With a vault, each result page on an allowed host is
   * fetched and its text added to the vault under ids derived from its URL, so a retried
   * activity replaces rather than duplicates; a page that cannot be fetched is skipped, with why.
   */
  async function webSearch(req: WebSearchRequest): Promise<WebSearchResult> {
    return asActivity(async () => {
      if (!req || typeof req.query !== 'string' || !req.query.trim()) throw new IntegrationError('bad_request', 'web search needs a non-empty query');
      const provider = deps.searchProvider ?? searchProviderFromEnv(env);
      const signal = activityContext()?.cancellationSignal;
      const results = await provider.search(req.query.trim(), req.n, signal);
      if (!req.vault) return { provider: provider.name, results };
      const service = await (deps.vaults ?? sharedVaultService)();
      const pages: NonNullable<WebSearchResult['pages']> = [];
      for (const hit of results) {
        try {
          checkHostAllowed(hit.url, req.allowHosts, 'the page');
          const page = await sendRequest({ method: 'GET', url: hit.url, headers: { accept: 'text/html, text/plain;q=0.9' }, allowHosts: req.allowHosts, timeoutMs: PAGE_TIMEOUT_MS, maxResponseBytes: req.maxPageBytes ?? DEFAULT_PAGE_BYTES, signal });
          if (page.status >= 400) throw new IntegrationError('http_status', `answered ${page.status}`);
          const content = pageText(typeof page.body === 'string' ? page.body : JSON.stringify(page.body), page.headers['content-type']);
          if (!content) throw new IntegrationError('bad_request', 'the page has no text');
          const chunks = service.chunk(content);
          const items = await service.putItems(
            req.vault,
            chunks.map((c, i) => ({ id: stableItemId(`web:${hit.url}:${i}`), text: c.text, metadata: { source: 'web_search', url: hit.url, title: hit.title, chunk: i, chunks: chunks.length } })),
          );
          pages.push({ url: hit.url, ids: items.map((i) => i.id) });
        } catch (err) {
          if (signal?.aborted) throw err;
          pages.push({ url: hit.url, skipped: err instanceof Error ? err.message : String(err) });
        }
      }
      return { provider: provider.name, results, pages };
    });
  }

  /** Sends an email through the worker's SMTP server; the password is a secret, never in history. */
  async function emailSend(req: EmailRequest): Promise<EmailResult> {
    const scope = secrets();
    return asActivity(async () => sendEmail(req, deps.smtp ?? smtpConfigFromEnv(env), scope), (t) => scope.redact(t));
  }

  /** Calls one tool on an MCP server; a tool's own error is a result (isError), not a failure. */
  async function mcpCallTool(req: McpCallRequest): Promise<McpCallResult> {
    const scope = secrets();
    return asActivity(async () => {
      if (!req || typeof req.tool !== 'string' || !req.tool) throw new IntegrationError('bad_request', 'mcpCallTool needs a tool name');
      const result = await withMcpClient(req.target, deps.mcpServers ?? mcpServersFromEnv(env), scope, req.timeoutMs, (client, label) => callMcpTool(client, label, req.tool, req.arguments ?? {}, req.timeoutMs));
      return scope.redactDeep(result);
    }, (t) => scope.redact(t));
  }

  /** The tools an MCP server offers (names, descriptions, argument schemas), for a model. */
  async function mcpListTools(req: McpListRequest): Promise<McpListResult> {
    const scope = secrets();
    return asActivity(async () => ({ tools: await withMcpClient(req.target, deps.mcpServers ?? mcpServersFromEnv(env), scope, MCP_LIST_TIMEOUT_MS, (client, label) => listMcpTools(client, label, MCP_LIST_TIMEOUT_MS)) }), (t) => scope.redact(t));
  }

  return { httpRequest, webSearch, emailSend, mcpCallTool, mcpListTools };
}

export type IntegrationActivities = ReturnType<typeof createIntegrationActivities>;
