/**
 * How a vault item is stored as a vector record's payload (the embedding model beside it, so a
 * record says which model made its vector), and read back.
 */
import type { JsonValue, ScoredVaultItem, VaultItem } from '../contracts';
import type { Embedder } from '../embeddings/port';
import type { VectorHit } from '../vectors/port';
import { vaultOfTenant } from './vault-names';

export interface ItemPayload {
  [key: string]: JsonValue;
  vault: string;
  text: string;
  metadata: Record<string, JsonValue>;
  created: string;
  updated: string;
  embedding_model: string;
  embedding_dimension: number;
}

export function itemFromPayload(vault: string, id: string, p: Record<string, JsonValue>): VaultItem {
  const payload = p as ItemPayload;
  return { id, vault, text: payload.text, metadata: payload.metadata ?? {}, created: payload.created, updated: payload.updated };
}

export function itemFromHit(h: VectorHit): ScoredVaultItem {
  return { ...itemFromPayload(vaultOfTenant(h.tenant) ?? h.tenant, h.id, h.payload), score: h.score };
}

export function itemPayload(embedder: Embedder, vault: string, text: string, metadata: Record<string, JsonValue>, created: string, updated: string): ItemPayload {
  return { vault, text, metadata, created, updated, embedding_model: embedder.model, embedding_dimension: embedder.dimension };
}
