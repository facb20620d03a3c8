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
const MAX_REDIRECTS = 5;

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
  let url = new URL(req.url);
  let method = req.method;
  let body = req.body;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    if (!hostAllowed(url, allowedHosts)) {
      const where = hop ? `a redirect to ${url.host}` : url.host;
      throw new WebRefused(`${where} is not in this act node's allowed hosts (${allowedHosts.length ? allowedHosts.join(', ') : 'none'})`);
    }
    const res = await fetch(url, { method, headers: req.headers, body, redirect: 'manual', signal });
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location) {
      await res.body?.cancel();
      url = new URL(location, url);
      if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST')) {
        method = 'GET';
        body = undefined;
      }
      continue;
    }
    const headers: Record<string, string> = {};
    res.headers.forEach((value, key) => (headers[key] = value));
    return { status: res.status, url: url.toString(), headers, text: await readCapped(res, MAX_WEB_RESPONSE_BYTES) };
  }
  throw new Error(`more than ${MAX_REDIRECTS} redirects`);
}
