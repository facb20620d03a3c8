// Pure (no Node APIs): the flow engine's definition checks may import this.
import type { ActRequest } from '../contracts';
import { ActRequestError } from './errors';

export const MAX_CODE_CHARS = 200_000;
const HOST_PATTERN = /^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:\d{1,5})?$/i;
const IPV6_HOST_PATTERN = /^\[[0-9a-f:.]+\](:\d{1,5})?$/i;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Checks the parts of a request the sandbox relies on and names the first bad field. Values
 * arrive through Temporal as JSON, so variables are JSON by construction; only shapes are checked.
 */
export function validateActRequest(req: unknown): asserts req is ActRequest {
  if (!isPlainObject(req)) throw new ActRequestError('request', 'must be an object');
  if (typeof req.code !== 'string') throw new ActRequestError('code', 'must be a string of Python source');
  if (req.code.length > MAX_CODE_CHARS) throw new ActRequestError('code', `is ${req.code.length} characters; the limit is ${MAX_CODE_CHARS}`);
  if (!isPlainObject(req.variables)) throw new ActRequestError('variables', 'must be an object of flow variables');
  if (typeof req.message !== 'string') throw new ActRequestError('message', 'must be a string (the message that started the run)');
  if (!Array.isArray(req.history)) throw new ActRequestError('history', 'must be an array of {role, content} messages');
  req.history.forEach((m, i) => {
    if (!isPlainObject(m) || typeof m.role !== 'string' || typeof m.content !== 'string') {
      throw new ActRequestError(`history[${i}]`, 'must be {role: string, content: string}');
    }
  });
  if (typeof req.runId !== 'string' || !req.runId) throw new ActRequestError('runId', 'must be a non-empty string');
  for (const field of ['vault', 'model'] as const) {
    if (req[field] !== undefined && req[field] !== null && typeof req[field] !== 'string') throw new ActRequestError(field, 'must be a string');
  }
  if (req.allowedHosts !== undefined && req.allowedHosts !== null) {
    if (!Array.isArray(req.allowedHosts)) throw new ActRequestError('allowedHosts', 'must be an array of host names like "api.example.com" or "127.0.0.1:8080"');
    req.allowedHosts.forEach((h, i) => {
      if (typeof h !== 'string' || !(HOST_PATTERN.test(h) || IPV6_HOST_PATTERN.test(h))) {
        throw new ActRequestError(`allowedHosts[${i}]`, `${JSON.stringify(h)} is not a host name (host, host:port or *.domain)`);
      }
    });
  }
}
