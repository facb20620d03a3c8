import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LocalOnnxEmbedder } from '../../activities/embeddings/local-onnx';
import { CachedEmbedder } from '../../activities/embeddings/cached-embedder';
import type { Embedder } from '../../activities/embeddings/port';
import { EmbeddedVectorStore } from '../../activities/vectors/embedded-store';
import { SqlKeyValueStore } from '../../activities/vaults/kv-store';
import { VaultService, type VaultServiceDeps } from '../../activities/vaults/service';
import { SqlVaultSettingsStore } from '../../activities/vaults/vault-settings-store';

let shared: Promise<Embedder> | undefined;
/** The real local model, loaded once per test file. */
export function localEmbedder(): Promise<Embedder> {
  shared ??= LocalOnnxEmbedder.create().then((e) => new CachedEmbedder(e));
  return shared;
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** A service on the real model and embedded stores in `dir` (reopening the same dir sees the same data). */
export async function serviceIn(dir: string, extra: Partial<VaultServiceDeps> = {}): Promise<VaultService> {
  const model = await localEmbedder();
  // Without close(): closing one service must not stop the model the other tests share.
  const embedder: Embedder = { model: model.model, dimension: model.dimension, embed: (texts) => model.embed(texts) };
  return new VaultService({
    embedder,
    store: new EmbeddedVectorStore(path.join(dir, 'vectors.sqlite')),
    settings: await SqlVaultSettingsStore.open({ kind: 'sqlite', file: path.join(dir, 'vaults.sqlite') }),
    kv: await SqlKeyValueStore.open({ kind: 'sqlite', file: path.join(dir, 'vaults.sqlite') }),
    ...extra,
  });
}
