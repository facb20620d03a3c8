// Inputs and outputs of the vault ingest workflow and its activities. Types only: the workflow
// imports this file.
import type { JsonValue } from '../contracts';

export interface VaultIngestInput {
  /** Names the ingest; the same id always writes the same item ids, so a re-run is idempotent. */
  ingestId: string;
  vault: string;
  /** A file the worker can read (the CLI stages stdin and files under <data dir>/ingest/), or inline text. */
  source: { file: string } | { text: string };
  metadata?: Record<string, JsonValue>;
  /** Chunks per embedding activity (default 64). */
  batchSize?: number;
  /** Set when continuing as new: where the previous run stopped. */
  resume?: { total: number; done: number };
}

export interface VaultIngestProgress {
  ingestId: string;
  vault: string;
  phase: 'chunking' | 'embedding' | 'finishing' | 'done';
  total: number;
  done: number;
}

export interface VaultIngestResult {
  ingestId: string;
  vault: string;
  /** Item ids are stableItemId(`${ingestId}:${index}`) for index 0..chunks-1. */
  chunks: number;
}

export interface IngestPrepareRequest {
  ingestId: string;
  vault: string;
  source: VaultIngestInput['source'];
}

export interface IngestBatchRequest {
  ingestId: string;
  vault: string;
  from: number;
  to: number;
  total: number;
  metadata?: Record<string, JsonValue>;
}
