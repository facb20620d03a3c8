import type { JsonValue } from '../contracts';
import type { WebSearchHit } from './contracts';
import { IntegrationError } from './errors';
import { sendRequest } from './http-client';

/** One search provider's HTTP API. */
export interface SearchProvider {
  name: string;
  search(query: string, n: number, signal?: AbortSignal): Promise<WebSearchHit[]>;
}

const SEARCH_TIMEOUT_MS = 20_000;
const SEARCH_MAX_BYTES = 2_000_000;

function hostOf(base: string, variable: string): string {
  try {
    return new URL(base).host;
  } catch {
    throw new IntegrationError('not_configured', `${variable}=${base} is not a URL`);
  }
}

async function callProvider(name: string, base: string, baseVar: string, init: { method: 'GET' | 'POST'; path: string; headers: Record<string, string>; body?: unknown }, signal?: AbortSignal): Promise<JsonValue> {
  const res = await sendRequest({
    method: init.method,
    url: `${base.replace(/\/$/, '')}${init.path}`,
    headers: { accept: 'application/json', ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}), ...init.headers },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    allowHosts: [hostOf(base, baseVar)],
    timeoutMs: SEARCH_TIMEOUT_MS,
    maxResponseBytes: SEARCH_MAX_BYTES,
    signal,
  });
  if (res.status >= 400) {
    const detail = typeof res.body === 'string' ? res.body.slice(0, 200) : JSON.stringify(res.body).slice(0, 200);
    throw new IntegrationError('provider_error', `${name} search answered ${res.status}: ${detail}`, { status: res.status });
  }
  if (!res.body || typeof res.body !== 'object') throw new IntegrationError('provider_error', `${name} search answered with something that is not JSON`);
  return res.body;
}

const text = (v: unknown): string => (typeof v === 'string' ? v : '');

/** Brave Search API: GET /res/v1/web/search, key in X-Subscription-Token. */
export function braveProvider(key: string, base: string): SearchProvider {
  return {
    name: 'brave',
    async search(query, n, signal) {
      const body = (await callProvider('brave', base, 'PAR_BRAVE_SEARCH_URL', { method: 'GET', path: `/res/v1/web/search?q=${encodeURIComponent(query)}&count=${n}`, headers: { 'x-subscription-token': key } }, signal)) as {
        web?: { results?: { title?: unknown; url?: unknown; description?: unknown }[] };
      };
      return (body.web?.results ?? []).slice(0, n).map((r) => ({ title: text(r.title), url: text(r.url), snippet: stripTags(text(r.description)) }));
    },
  };
}

/** Tavily: POST /search with a bearer key. */
export function tavilyProvider(key: string, base: string): SearchProvider {
  return {
    name: 'tavily',
    async search(query, n, signal) {
      const body = (await callProvider('tavily', base, 'PAR_TAVILY_URL', { method: 'POST', path: '/search', headers: { authorization: `Bearer ${key}` }, body: { query, max_results: n, search_depth: 'basic' } }, signal)) as {
        results?: { title?: unknown; url?: unknown; content?: unknown }[];
      };
      return (body.results ?? []).slice(0, n).map((r) => ({ title: text(r.title), url: text(r.url), snippet: text(r.content) }));
    },
  };
}

export const SEARCH_PROVIDERS = ['brave', 'tavily'] as const;

/**
 * The provider the worker's configuration picks: PAR_SEARCH_PROVIDER, else the first with a key
 * (BRAVE_SEARCH_API_KEY, TAVILY_API_KEY). Base URLs are overridable (PAR_BRAVE_SEARCH_URL,
 * PAR_TAVILY_URL) for proxies and tests.
 */
export function searchProviderFromEnv(env: NodeJS.ProcessEnv): SearchProvider {
  const wanted = env.PAR_SEARCH_PROVIDER?.trim().toLowerCase();
  if (wanted && !(SEARCH_PROVIDERS as readonly string[]).includes(wanted)) {
    throw new IntegrationError('not_configured', `PAR_SEARCH_PROVIDER=${wanted} is not a search provider; known: ${SEARCH_PROVIDERS.join(', ')}`);
  }
  const brave = env.BRAVE_SEARCH_API_KEY;
  const tavily = env.TAVILY_API_KEY;
  const pick = wanted ?? (brave ? 'brave' : tavily ? 'tavily' : undefined);
  if (pick === 'brave') {
    if (!brave) throw new IntegrationError('not_configured', 'web search with brave needs BRAVE_SEARCH_API_KEY in the worker environment');
    return braveProvider(brave, env.PAR_BRAVE_SEARCH_URL || 'https://api.search.brave.com');
  }
  if (pick === 'tavily') {
    if (!tavily) throw new IntegrationError('not_configured', 'web search with tavily needs TAVILY_API_KEY in the worker environment');
    return tavilyProvider(tavily, env.PAR_TAVILY_URL || 'https://api.tavily.com');
  }
  throw new IntegrationError('not_configured', 'no web search provider is configured: set BRAVE_SEARCH_API_KEY or TAVILY_API_KEY (and PAR_SEARCH_PROVIDER to choose) in the worker environment');
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

function stripTags(html: string): string {
  return html
    .replace(/<[^>]*>/g, '')
    .replace(/&(#x?[0-9a-f]+|[a-z]+);/gi, (m, e: string) => {
      if (e[0] === '#') return String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : Number(e.slice(1)));
      return ENTITIES[e.toLowerCase()] ?? m;
    });
}

/** Readable text of a page: scripts, styles and markup dropped, blocks on their own lines. */
export function pageText(body: string, contentType: string | undefined): string {
  if (!contentType || !/html/i.test(contentType)) return body.trim();
  const withoutCode = body.replace(/<(script|style|noscript|template)\b[\s\S]*?<\/\1\s*>/gi, ' ').replace(/<!--[\s\S]*?-->/g, ' ');
  const blocks = withoutCode.replace(/<\/?(p|div|br|li|h[1-6]|tr|section|article|header|footer|ul|ol|table|blockquote|pre)\b[^>]*>/gi, '\n');
  return stripTags(blocks)
    .split('\n')
    .map((l) => l.replace(/\s+/g, ' ').trim())
    .filter(Boolean)
    .join('\n');
}
