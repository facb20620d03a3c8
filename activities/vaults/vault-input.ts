/** What callers hand the vault service (new items, metadata, result counts, filters) and its checks, each failing with a VaultError. */
import type { JsonValue } from '../contracts';
import { VaultError } from './errors';

export interface NewItem {
  text: string;
  metadata?: Record<string, JsonValue>;
}

/** An item to write exactly as given (import, resumable ingest): its id decides idempotency. */
export interface ItemToPut {
  id: string;
  text: string;
  metadata: Record<string, JsonValue>;
  created?: string;
  updated?: string;
}

const DEFAULT_N = 4;
const MAX_N = 1000;

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function checkMetadata(vault: string, metadata: unknown): Record<string, JsonValue> {
  if (metadata === undefined) return {};
  if (!isPlainObject(metadata)) throw new VaultError(`metadata for vault ${vault} must be a JSON object`, 'bad_metadata');
  try {
    return JSON.parse(JSON.stringify(metadata)) as Record<string, JsonValue>;
  } catch (err) {
    throw new VaultError(`metadata for vault ${vault} is not JSON: ${(err as Error).message}`, 'bad_metadata');
  }
}

/** The number of results a search asks for (default 4, at most 1000). */
export function checkN(n: number | undefined): number {
  const v = n ?? DEFAULT_N;
  if (!Number.isInteger(v) || v < 1 || v > MAX_N) throw new VaultError(`n must be an integer from 1 to ${MAX_N}, got ${JSON.stringify(n)}`, 'bad_request');
  return v;
}

/** User filters address metadata fields. */
export function metadataFilter(filter: Record<string, JsonValue> | undefined): Record<string, JsonValue> | undefined {
  if (!filter) return undefined;
  if (!isPlainObject(filter)) throw new VaultError('filter must be an object of metadata field -> value', 'bad_request');
  return Object.fromEntries(Object.entries(filter).map(([k, v]) => [`metadata.${k}`, v]));
}
