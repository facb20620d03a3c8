import type { JsonValue } from '../contracts';
import { hostAllowed } from './allowed-hosts';
import type { HostReply } from './protocol';
import { fetchAllowed, WebRefused, type WebRequest, type WebResponse } from './web-fetch';

/** One vault hit as a script sees it. */
export interface SandboxSearchHit {
  id: string;
  text: string;
  score: number;
  metadata: Record<string, JsonValue>;
}

/**
 * What the worker does for a script. Scripts reach it only through validated JSON requests on
 * the sandbox's channel; no host object ever enters the sandbox.
 */
export interface SandboxHost {
  search(vault: string, query: string, n: number, signal: AbortSignal): Promise<SandboxSearchHit[]>;
  /** The run's model answering `message` with the vault as context. */
  chat(vault: string | undefined, model: string | undefined, message: string, signal: AbortSignal): Promise<string>;
  /** HTTP for nodes with allowed hosts; the channel has already checked the first URL. */
  fetch?(req: WebRequest, allowedHosts: readonly string[], signal: AbortSignal): Promise<WebResponse>;
}

export interface CallContext {
  vault?: string;
  model?: string;
  allowedHosts: readonly string[];
  maxCalls: number;
}

export const MAX_QUERY_CHARS = 10_000;
export const MAX_CHAT_CHARS = 100_000;
export const MAX_SEARCH_N = 100;
export const MAX_WEB_BODY_CHARS = 1_000_000;

class CallRefused extends Error {
  constructor(
    readonly type: 'ValueError' | 'PermissionError' | 'VaultError' | 'WebError',
    message: string,
  ) {
    super(message);
  }
}

function str(args: Record<string, JsonValue>, field: string, op: string, max: number): string {
  const value = args[field];
  if (typeof value !== 'string') throw new CallRefused('ValueError', `${op}: ${field} must be a string`);
  if (value.length > max) throw new CallRefused('ValueError', `${op}: ${field} is ${value.length} characters; the limit is ${max}`);
  return value;
}

function webRequest(args: Record<string, JsonValue>, allowedHosts: readonly string[]): WebRequest {
  const method = args.method;
  if (method !== 'GET' && method !== 'POST') throw new CallRefused('ValueError', 'web: method must be GET or POST');
  const url = str(args, 'url', 'web', 8192);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new CallRefused('ValueError', `web: ${JSON.stringify(url.slice(0, 200))} is not an absolute URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new CallRefused('PermissionError', `web: only http and https URLs are allowed, not ${parsed.protocol}`);
  if (!allowedHosts.length) throw new CallRefused('PermissionError', `web: ${parsed.host} is not allowed: this act node allows no hosts (set its allowed hosts to reach the web)`);
  if (!hostAllowed(parsed, allowedHosts)) throw new CallRefused('PermissionError', `web: ${parsed.host} is not in this act node's allowed hosts (${allowedHosts.join(', ')})`);
  const rawHeaders = args.headers ?? {};
  if (typeof rawHeaders !== 'object' || rawHeaders === null || Array.isArray(rawHeaders)) throw new CallRefused('ValueError', 'web: headers must be an object');
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(rawHeaders)) {
    if (typeof v !== 'string') throw new CallRefused('ValueError', `web: header ${k} must be a string`);
    headers[k] = v;
  }
  const body = args.body === undefined || args.body === null ? undefined : str(args, 'body', 'web', MAX_WEB_BODY_CHARS);
  return { method, url, headers, ...(body !== undefined ? { body } : {}) };
}

/** Answers a run's vault and web requests: validates each, refuses what the node does not allow. */
export function createCallHandler(host: SandboxHost | undefined, ctx: CallContext) {
  let calls = 0;
  return async function handle(op: string, args: Record<string, JsonValue>, signal: AbortSignal): Promise<HostReply> {
    try {
      if (++calls > ctx.maxCalls) throw new CallRefused('PermissionError', `the script made more than ${ctx.maxCalls} vault/web calls in one run`);
      switch (op) {
        case 'vault.search': {
          const query = str(args, 'query', 'vault.search', MAX_QUERY_CHARS);
          const n = args.n;
          if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_SEARCH_N) throw new CallRefused('ValueError', `vault.search: n must be an integer from 1 to ${MAX_SEARCH_N}`);
          if (!ctx.vault) throw new CallRefused('VaultError', 'vault.search: this act node has no vault (set the flow\'s vault to search it)');
          if (!host) throw new CallRefused('VaultError', 'vault.search: this worker has no vault service configured');
          const hits = await host.search(ctx.vault, query, n, signal);
          return { ok: true, value: hits.map((h) => ({ id: h.id, text: h.text, score: h.score, metadata: h.metadata })) as unknown as JsonValue };
        }
        case 'vault.chat': {
          const message = str(args, 'message', 'vault.chat', MAX_CHAT_CHARS);
          if (!host) throw new CallRefused('VaultError', 'vault.chat: this worker has no model service configured');
          return { ok: true, value: await host.chat(ctx.vault, ctx.model, message, signal) };
        }
        case 'web.fetch': {
          const req = webRequest(args, ctx.allowedHosts);
          const response = host?.fetch ? await host.fetch(req, ctx.allowedHosts, signal) : await fetchAllowed(req, ctx.allowedHosts, signal);
          return { ok: true, value: response as unknown as JsonValue };
        }
        default:
          throw new CallRefused('ValueError', `unknown request ${JSON.stringify(op.slice(0, 100))}`);
      }
    } catch (err) {
      if (err instanceof CallRefused) return { ok: false, error: { type: err.type, message: err.message } };
      if (err instanceof WebRefused) return { ok: false, error: { type: 'PermissionError', message: `web: ${err.message}` } };
      const type = op.startsWith('web.') ? 'WebError' : 'VaultError';
      return { ok: false, error: { type, message: `${op} failed: ${(err as Error)?.message ?? String(err)}` } };
    }
  };
}
