import { hostAllowed } from '../act/allowed-hosts';
import { fetchFollowingRedirects, MAX_REDIRECTS, readCapped, ResponseTooLargeError } from '../act/web-fetch';
import { parseRetryAfter } from '../models/errors';
import type { JsonValue } from '../contracts';
import type { HttpMethod, HttpResult } from './contracts';
import { IntegrationError, retryableStatus } from './errors';

export interface OutgoingRequest {
  method: HttpMethod;
  url: string;
  headers: Record<string, string>;
  body?: string;
  allowHosts: readonly string[];
  timeoutMs: number;
  maxResponseBytes: number;
  signal?: AbortSignal;
}


export function describeAllowHosts(allowHosts: readonly string[]): string {
  return allowHosts.length ? allowHosts.join(', ') : 'none';
}

/** Refuses a URL that is not http(s) on an allowed host, naming the host and the list. */
export function checkHostAllowed(url: string | URL, allowHosts: readonly string[], what = 'the URL'): URL {
  let parsed: URL;
  try {
    parsed = typeof url === 'string' ? new URL(url) : url;
  } catch {
    throw new IntegrationError('bad_request', `${what} "${String(url).slice(0, 200)}" is not a valid URL`);
  }
  if (!hostAllowed(parsed, allowHosts)) {
    throw new IntegrationError('host_not_allowed', `${what} goes to ${parsed.protocol}//${parsed.host}, which is not in the flow's allowHosts (${describeAllowHosts(allowHosts)})`);
  }
  return parsed;
}

function parseBody(text: string, contentType: string | null): JsonValue {
  if (contentType && /\bjson\b/i.test(contentType) && text.trim() !== '') {
    try {
      return JSON.parse(text) as JsonValue;
    } catch {
      return text; // says JSON but is not: keep the text
    }
  }
  return text;
}

/**
 * One HTTP exchange under a flow's limits: the allow-list is checked on every redirect, the
 * timeout covers the whole exchange, and a body past maxResponseBytes is refused without reading
 * the rest. 408/429/5xx and network failures are retryable errors (with Retry-After); other
 * statuses are results.
 */
export async function sendRequest(req: OutgoingRequest): Promise<HttpResult> {
  const timeout = AbortSignal.timeout(req.timeoutMs);
  const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
  let url = checkHostAllowed(req.url, req.allowHosts);
  try {
    const done = await fetchFollowingRedirects(url, { method: req.method, headers: req.headers, body: req.body, signal }, (next, hop) => {
      // Kept current so the errors below name the hop that failed.
      url = hop ? checkHostAllowed(next, req.allowHosts, `a redirect from the server`) : next;
    });
    if (!done) throw new IntegrationError('bad_request', `${req.method} ${req.url}: more than ${MAX_REDIRECTS} redirects`);
    const { res, method } = done;
    const where = `${req.method} ${url.origin}${url.pathname}`;
    if (retryableStatus(res.status)) {
      await res.body?.cancel();
      throw new IntegrationError('http_status', `${where} answered ${res.status} ${res.statusText}`.trim(), { retryable: true, status: res.status, retryAfterMs: parseRetryAfter(res.headers) });
    }
    const declared = Number(res.headers.get('content-length'));
    if (Number.isFinite(declared) && declared > req.maxResponseBytes) {
      await res.body?.cancel();
      throw new ResponseTooLargeError(req.maxResponseBytes);
    }
    const text = method === 'HEAD' ? '' : await readCapped(res, req.maxResponseBytes);
    const headers: Record<string, string> = {};
    res.headers.forEach((value, key) => (headers[key] = value));
    return { status: res.status, url: url.toString(), headers, body: parseBody(text, res.headers.get('content-type')) };
  } catch (err) {
    if (err instanceof IntegrationError) throw err;
    if (err instanceof ResponseTooLargeError) {
      throw new IntegrationError('response_too_large', `${req.method} ${url.origin}${url.pathname}: the response is larger than the limit of ${req.maxResponseBytes} bytes (maxResponseBytes); reading stopped there`);
    }
    if (timeout.aborted) throw new IntegrationError('timeout', `${req.method} ${url.origin}${url.pathname}: no complete response within ${req.timeoutMs} ms`, { retryable: true });
    if (req.signal?.aborted) throw err;
    const cause = (err as { cause?: Error }).cause;
    throw new IntegrationError('network', `${req.method} ${url.origin}${url.pathname}: ${cause?.message ?? (err as Error).message}`, { retryable: true });
  }
}
