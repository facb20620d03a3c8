/**
 * Exact-match payload filters, shared by every adapter so they agree: keys are field paths
 * ("metadata.lang"), values are strings, numbers or booleans, and a field holding an array
 * matches when any element equals the value (Qdrant's semantics for match on arrays).
 */
import type { JsonValue } from '../contracts';
import { VectorStoreError } from './errors';

export type FilterValue = string | number | boolean;

export function validateFilter(filter: Record<string, JsonValue> | undefined): Record<string, FilterValue> {
  const out: Record<string, FilterValue> = {};
  for (const [key, value] of Object.entries(filter ?? {})) {
    if (!key || key.split('.').some((p) => p === '')) throw new VectorStoreError(`filter key "${key}" is not a field path`, 'bad_filter');
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      throw new VectorStoreError(`filter "${key}" must be a string, number or boolean, got ${JSON.stringify(value)}`, 'bad_filter');
    }
    out[key] = value;
  }
  return out;
}

export function fieldAt(payload: Record<string, JsonValue>, path: string): JsonValue | undefined {
  let cur: JsonValue | undefined = payload;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, JsonValue>)[part];
  }
  return cur;
}

export function matchesFilter(payload: Record<string, JsonValue>, filter: Record<string, FilterValue>): boolean {
  for (const [key, want] of Object.entries(filter)) {
    const have = fieldAt(payload, key);
    if (Array.isArray(have) ? !have.includes(want) : have !== want) return false;
  }
  return true;
}
