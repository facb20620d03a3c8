import { ParClient } from '../../sdk/client';
import { ParApiError } from '../../sdk/errors';

export { ParApiError };

/** Where the studio keeps its API key: this tab only (session) or this browser (remember). */
const KEY = 'par.studio.apiKey';
const NAME = 'par.studio.keyName';

export interface Credentials {
  apiKey: string;
  name: string;
}

export function storedCredentials(): Credentials | undefined {
  for (const store of [sessionStorage, localStorage]) {
    const apiKey = store.getItem(KEY);
    if (apiKey) return { apiKey, name: store.getItem(NAME) ?? 'api key' };
  }
  return undefined;
}

export function storeCredentials(c: Credentials, remember: boolean): void {
  forgetCredentials();
  const store = remember ? localStorage : sessionStorage;
  store.setItem(KEY, c.apiKey);
  store.setItem(NAME, c.name);
}

export function forgetCredentials(): void {
  for (const store of [sessionStorage, localStorage]) {
    store.removeItem(KEY);
    store.removeItem(NAME);
  }
}

/** Trades the one-time token of `npm start`'s sign-in link for the local admin key. */
export async function signInWithToken(token: string): Promise<Credentials> {
  const res = await fetch('/v1/studio/signin', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token }),
  });
  const body = (await res.json().catch(() => ({}))) as { apiKey?: string; name?: string; error?: { code?: string; message?: string } };
  if (!res.ok || !body.apiKey) throw new ParApiError(res.status, body.error?.code ?? 'signin_failed', body.error?.message ?? `sign-in failed (HTTP ${res.status})`);
  return { apiKey: body.apiKey, name: body.name ?? 'local admin' };
}

/**
 * The typed SDK for what it covers, plus `call` for the studio endpoints it does not (yet) wrap;
 * both send the key as a Bearer token and throw ParApiError with the API's error code.
 */
export class StudioApi {
  readonly sdk: ParClient;
  constructor(readonly credentials: Credentials) {
    this.sdk = new ParClient({ baseUrl: location.origin, apiKey: credentials.apiKey, fetch: (...a) => fetch(...a) });
  }

  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(path, {
      method,
      headers: {
        authorization: `Bearer ${this.credentials.apiKey}`,
        accept: 'application/json',
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : {};
    } catch {
      parsed = { error: { message: text.slice(0, 200) } };
    }
    if (!res.ok) {
      const err = (parsed as { error?: { code?: string; message?: string } }).error;
      throw new ParApiError(res.status, err?.code ?? 'http_error', err?.message ?? `HTTP ${res.status} from ${method} ${path}`);
    }
    return parsed as T;
  }

  get = <T>(path: string) => this.call<T>('GET', path);
  post = <T>(path: string, body?: unknown) => this.call<T>('POST', path, body ?? {});
  put = <T>(path: string, body: unknown) => this.call<T>('PUT', path, body);
  del = <T>(path: string) => this.call<T>('DELETE', path);
}

export const enc = encodeURIComponent;
