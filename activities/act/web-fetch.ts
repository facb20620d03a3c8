import { hostAllowed } from './allowed-hosts';

export interface WebRequest {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  body?: string;
}

export interface WebResponse {
  status: number;
  url: string;
  headers: Record<string, string>;
  text: string;
}

/** A request the node's allow-list or the channel's bounds refuse. */
export class WebRefused extends Error {
  override name = 'PermissionError';
}

export const MAX_WEB_RESPONSE_BYTES = 1_000_000;

export const MAX_REDIRECTS = 5;

/**
 * Follows redirects by hand so the caller sees every hop: `visit` is called with each URL before
 * it is fetched (hop 0 is the first) and may throw to refuse it. A 303, or a 301/302 after a POST,
 * continues as a GET without a body, as browsers do. Resolves to the final response, or undefined
 * after more than MAX_REDIRECTS redirects.
 */
export async function fetchFollowingRedirects(
  start: URL,
  init: { method: string; headers: Record<string, string>; body?: string; signal: AbortSignal },
  visit: (url: URL, hop: number) => void,
): Promise<{ res: Response; url: URL; method: string } | undefined> {
  let url = start;
  let method = init.method;
  let body = init.body;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    visit(url, hop);
    const res = await fetch(url, { method, headers: init.headers, body, redirect: 'manual', signal: init.signal });
    const location = res.headers.get('location');
    if (!(res.status >= 300 && res.status < 400 && location)) return { res, url, method };
    await res.body?.cancel();
    url = new URL(location, url);
    if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST')) {
      method = 'GET';
      body = undefined;
    }
  }
  return undefined;
}

/** A response body that went past the reader's byte limit; reading stopped there. */
export class ResponseTooLargeError extends Error {
  override name = 'ResponseTooLargeError';
  constructor(readonly maxBytes: number) {
    super(`the response is larger than ${maxBytes} bytes`);
  }
}

/** Reads a body up to maxBytes, cancelling the stream (and so the download) past the limit. */
export async function readCapped(res: Response, maxBytes: number): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const parts: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw new ResponseTooLargeError(maxBytes);
    }
    parts.push(value);
  }
  return Buffer.concat(parts).toString('utf8');
}

/**
 * Fetches for a script from the worker (the sandbox has no network), re-checking the allow-list
 * on every redirect so an allowed host cannot bounce the request elsewhere.
 */
export async function fetchAllowed(req: WebRequest, allowedHosts: readonly string[], signal: AbortSignal): Promise<WebResponse> {
  const done = await fetchFollowingRedirects(new URL(req.url), { method: req.method, headers: req.headers, body: req.body, signal }, (url, hop) => {
    if (!hostAllowed(url, allowedHosts)) {
      const where = hop ? `a redirect to ${url.host}` : url.host;
      throw new WebRefused(`${where} is not in this act node's allowed hosts (${allowedHosts.length ? allowedHosts.join(', ') : 'none'})`);
    }
  });
  if (!done) throw new Error(`more than ${MAX_REDIRECTS} redirects`);
  const headers: Record<string, string> = {};
  done.res.headers.forEach((value, key) => (headers[key] = value));
  return { status: done.res.status, url: done.url.toString(), headers, text: await readCapped(done.res, MAX_WEB_RESPONSE_BYTES) };
}
