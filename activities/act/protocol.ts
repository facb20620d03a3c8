import type { ActResult, JsonValue } from '../contracts';

// What a sandbox says on its channel, one JSON object per line. A script may reach the
// sandbox's JavaScript and write anything here, so every message is checked before use and
// trusted no more than the script itself.

export type ChildMessage =
  | { t: 'ready'; snapshot: boolean }
  | { t: 'out'; s: string }
  | { t: 'call'; op: string; args: Record<string, JsonValue> }
  | { t: 'result'; ok: boolean; saved: Record<string, JsonValue>; error?: ActResult['error'] };

/** The job a sandbox runs: the request minus what only the worker needs. */
export interface SandboxJob {
  code: string;
  variables: Record<string, JsonValue>;
  message: string;
  history: { role: string; content: string }[];
  vault: string | null;
  allowedHosts: string[];
}

export type HostReply = { ok: true; value: JsonValue } | { ok: false; error: { type: string; message: string } };

export class ProtocolViolation extends Error {
  override name = 'ProtocolViolation';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const LIMITS = new Set(['time', 'memory', 'output']);
const MAX_ERROR_TEXT = 64_000;

function clip(text: string): string {
  return text.length > MAX_ERROR_TEXT ? `${text.slice(0, MAX_ERROR_TEXT)}\n... (truncated)` : text;
}

function parseError(value: unknown): ActResult['error'] {
  if (value === undefined) return undefined;
  if (!isRecord(value) || typeof value.type !== 'string' || typeof value.message !== 'string') throw new ProtocolViolation('result.error must be {type, message}');
  const error: NonNullable<ActResult['error']> = { type: clip(value.type).slice(0, 200), message: clip(value.message) };
  if (typeof value.traceback === 'string') error.traceback = clip(value.traceback);
  if (typeof value.limit === 'string' && LIMITS.has(value.limit)) error.limit = value.limit as 'time' | 'memory' | 'output';
  return error;
}

export function parseChildMessage(line: string): ChildMessage {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new ProtocolViolation('a line on the sandbox channel is not JSON');
  }
  if (!isRecord(value)) throw new ProtocolViolation('a sandbox message is not an object');
  switch (value.t) {
    case 'ready':
      return { t: 'ready', snapshot: value.snapshot === true };
    case 'out':
      if (typeof value.s !== 'string') throw new ProtocolViolation('out.s must be a string');
      return { t: 'out', s: value.s };
    case 'call':
      if (typeof value.op !== 'string' || !isRecord(value.args)) throw new ProtocolViolation('call needs op (string) and args (object)');
      return { t: 'call', op: value.op, args: value.args as Record<string, JsonValue> };
    case 'result': {
      if (typeof value.ok !== 'boolean' || !isRecord(value.saved)) throw new ProtocolViolation('result needs ok (boolean) and saved (object)');
      const error = parseError(value.error);
      if (!value.ok && !error) throw new ProtocolViolation('a failed result needs an error');
      return { t: 'result', ok: value.ok, saved: value.saved as Record<string, JsonValue>, error };
    }
    default:
      throw new ProtocolViolation(`unknown sandbox message type ${JSON.stringify(value.t)}`);
  }
}
