import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { JsonValue, KvResult, ScoredVaultItem, VaultItem } from '../../../activities/contracts';
import { EmbeddingModelMissingError, UnknownLocalModelError } from '../../../activities/embeddings/local-models';
import { EmbedderConfigError } from '../../../activities/embeddings';
import { RerankerConfigError } from '../../../activities/rerank/config';
import { VectorStoreError } from '../../../activities/vectors/errors';
import { createVaultService, VaultError, type VaultService } from '../../../activities/vaults';
import { runKvRequest } from '../../../activities/vaults/kv-store';
import type { VaultIngestInput, VaultIngestProgress, VaultIngestResult } from '../../../activities/vaults/ingest-types';
import type { VaultSettings } from '../../../activities/vaults/vault-settings-store';
import { loadConfig } from '../../../workers/config';
import { connectClient } from '../../temporal';
import { vaultIngestWorkflow } from '../../../workflows/vault-ingest';
import { ParApiError, type ParClient, type VaultExport } from '../../sdk';
import { CliError } from '../output';
import { progressBar } from '../progress-bar';
import { remoteClient, viaApi } from '../remote';
import { addRemotely, countRemotely, getItemsRemotely, importRemotely, notRemote } from '../commands/vault-remote';

/** Inputs at least this long go through the ingest workflow when a worker is reachable. */
export const LARGE_INPUT_CHARS = 200_000;

export type AddResult = { vault: string; via: 'api' | 'local'; ids: string[]; chunks: number } | { vault: string; via: 'workflow'; ingestId: string; chunks: number };

/**
 * What `par vault` asks of the vaults, the same in both modes: the vault service on this machine's
 * stores, or the HTTP API when PAR_API_KEY is set. What the API has no endpoint for is refused
 * remotely with remote_unsupported rather than run on local stores.
 */
export interface VaultBackend {
  /** `local` embeds in this process; `workflow` insists on the ingest workflow (local mode only). */
  add(vault: string, text: string, metadata: Record<string, JsonValue>, opts: { local?: boolean; workflow?: boolean; showProgress: boolean }): Promise<AddResult>;
  search(vault: string, text: string, opts: { n: number; filter?: Record<string, JsonValue>; hybrid?: boolean; rerank?: boolean }): Promise<ScoredVaultItem[]>;
  searchMany(text: string, vaults: string[] | Record<string, number | null>, opts: { n: number; filter?: Record<string, JsonValue> }): Promise<{ items: ScoredVaultItem[]; shortfalls: { vault: string; wanted: number; got: number }[] }>;
  getItems(vault: string, ids: string[]): Promise<{ items: VaultItem[]; missing: string[] }>;
  page(vault: string, opts: { limit: number; cursor?: string }): Promise<{ vault: string; total: number; items: VaultItem[]; cursor?: string }>;
  count(vault: string, filter?: Record<string, JsonValue>): Promise<number>;
  edit(vault: string, id: string, text: string | undefined, metadata: Record<string, JsonValue>): Promise<VaultItem>;
  deleteItems(vault: string, ids: string[]): Promise<{ deleted: string[]; missing: string[] }>;
  deleteVault(vault: string): Promise<{ deletedItems: number }>;
  listVaults(): Promise<{ name: string; items: number }[]>;
  /** Reads the settings; changes them first when the patch sets or clears anything. */
  settings(vault: string, patch: { personality?: string | null; promptTemplate?: string | null }): Promise<VaultSettings>;
  exportVault(vault: string): Promise<VaultExport>;
  importVault(data: unknown, vault: string | undefined, showProgress: boolean): Promise<{ vault: string; imported: number }>;
  kv(op: 'get' | 'set' | 'delete', namespace: string, key: string, value?: JsonValue): Promise<KvResult>;
}

/** The backend this invocation uses: the API with PAR_API_KEY set, else the local vault service. */
export function vaultBackend(env: NodeJS.ProcessEnv = process.env): VaultBackend {
  const remote = remoteClient(env);
  return remote ? apiVaults(remote) : localVaults();
}

/** Opens the vault service for one command, maps typed failures to CLI errors, and closes it. */
async function withService<T>(fn: (svc: VaultService) => Promise<T>): Promise<T> {
  let svc: VaultService | undefined;
  try {
    svc = await createVaultService();
    return await fn(svc);
  } catch (err) {
    if (err instanceof VaultError || err instanceof VectorStoreError) throw new CliError(err.message, 2, err.code);
    if (err instanceof EmbeddingModelMissingError || err instanceof UnknownLocalModelError || err instanceof EmbedderConfigError) throw new CliError(err.message, 1, 'embedder');
    if (err instanceof RerankerConfigError) throw new CliError(err.message, 1, 'reranker');
    throw err;
  } finally {
    await svc?.close();
  }
}

function localVaults(): VaultBackend {
  return {
    add: async (vault, text, metadata, opts) => {
      if (!opts.local && (opts.workflow || text.length >= LARGE_INPUT_CHARS)) {
        const res = await ingestThroughWorker(vault, text, metadata, opts.showProgress);
        if (res) return { vault, via: 'workflow', ingestId: res.ingestId, chunks: res.chunks };
        if (opts.workflow) throw new CliError('no PAR worker is reachable for the ingest workflow: start the stack with `npm start`, or drop --workflow', 1, 'no_worker');
      }
      return withService(async (svc) => {
        const items = await svc.add(vault, text, metadata, progressBar(`${vault}:`, opts.showProgress && text.length >= 20_000));
        return { vault, via: 'local', ids: items.map((i) => i.id), chunks: items.length };
      });
    },
    search: (vault, text, opts) => withService((svc) => svc.getSimilar(vault, text, opts)),
    searchMany: (text, vaults, opts) => withService((svc) => svc.getSimilarFromVaults(text, vaults, opts)),
    getItems: (vault, ids) => withService((svc) => svc.getItems(vault, ids)),
    page: (vault, opts) =>
      withService(async (svc) => {
        const page = await svc.listItems(vault, opts);
        return { vault, total: await svc.count(vault), ...page };
      }),
    count: (vault, filter) => withService((svc) => svc.count(vault, filter)),
    edit: (vault, id, text, metadata) =>
      withService(async (svc) => {
        let item = text !== undefined ? await svc.editText(vault, id, text) : undefined;
        if (Object.keys(metadata).length) item = await svc.editMetadata(vault, id, metadata);
        return item!;
      }),
    deleteItems: (vault, ids) => withService((svc) => svc.deleteItems(vault, ids)),
    deleteVault: (vault) => withService((svc) => svc.deleteVault(vault)),
    listVaults: () => withService((svc) => svc.listVaults()),
    settings: (vault, patch) =>
      withService(async (svc) => {
        const changed = patch.personality !== undefined || patch.promptTemplate !== undefined;
        return changed ? svc.updateSettings(vault, patch) : svc.getSettings(vault);
      }),
    exportVault: (vault) => withService((svc) => svc.exportVault(vault)),
    importVault: (data, vault) => withService((svc) => svc.importVault(data, vault)),
    kv: (op, namespace, key, value) => withService((svc) => runKvRequest(svc.kv, { op, namespace, key, value })),
  };
}

/** Runs the ingest workflow if a worker polls the task queue; undefined when none is reachable. */
async function ingestThroughWorker(vault: string, text: string, metadata: Record<string, JsonValue>, showProgress: boolean): Promise<VaultIngestResult | undefined> {
  const config = loadConfig();
  let client;
  try {
    client = await connectClient(config, 2000);
  } catch {
    return undefined;
  }
  try {
    const tq = await client.workflowService.describeTaskQueue({
      namespace: config.temporalNamespace,
      taskQueue: { name: config.taskQueue },
      taskQueueType: 2, // activity pollers: someone must be able to embed
    });
    if (!tq.pollers?.length) return undefined;
    const ingestId = `ingest-${randomUUID()}`;
    // The worker reads the document from the shared data folder, so history carries only its path.
    const file = path.join(config.dataDir, 'ingest', `${ingestId}.txt`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    const input: VaultIngestInput = { ingestId, vault, source: { file }, metadata };
    const handle = await client.workflow.start(vaultIngestWorkflow, { taskQueue: config.taskQueue, workflowId: ingestId, args: [input] });
    const bar = progressBar(`${vault}:`, showProgress);
    let settled = false;
    const result = handle.result().finally(() => (settled = true));
    while (!settled) {
      await new Promise((r) => setTimeout(r, 500));
      if (settled) break;
      const p = await handle.query<VaultIngestProgress>('vaultIngestProgress').catch(() => undefined);
      if (p && p.total > 0) bar(p.done, p.total);
    }
    const out = (await result) as VaultIngestResult;
    bar(out.chunks, out.chunks);
    return out;
  } finally {
    await client.connection.close();
  }
}

function apiVaults(api: ParClient): VaultBackend {
  return {
    add: async (vault, text, metadata, opts) => {
      if (opts.local) throw notRemote('par vault add --local', 'way to embed in this process (the server embeds what it is sent)');
      if (opts.workflow) throw notRemote('par vault add --workflow', 'endpoint that starts the ingest workflow (large inputs are sent in several requests instead)');
      const ids = await addRemotely(api, vault, text, metadata, opts.showProgress);
      return { vault, via: 'api', ids, chunks: ids.length };
    },
    search: async (vault, text, { n, filter, hybrid, rerank }) => {
      if (hybrid === false) throw notRemote('par vault search --no-hybrid', 'meaning-only ranking in its search endpoint (it always fuses keywords)');
      return (await viaApi(() => api.search(vault, text, { n, ...(filter ? { filter } : {}), ...(rerank === false ? { rerank } : {}) }))).items;
    },
    searchMany: async (text, vaults, { n, filter }) => {
      const res = await viaApi(() => api.searchVaults(text, vaults, { n, ...(filter ? { filter } : {}) }));
      return { items: res.items, shortfalls: res.shortfalls ?? [] };
    },
    getItems: (vault, ids) => getItemsRemotely(api, vault, ids),
    page: async (vault, { limit, cursor }) => {
      const page = await viaApi(() => api.listItems(vault, { limit, cursor }));
      return { vault, total: await countRemotely(api, vault), ...page };
    },
    count: async (vault, filter) => {
      if (filter !== undefined) throw notRemote('par vault count --filter', 'endpoint that counts the items matching a filter');
      return countRemotely(api, vault);
    },
    edit: async (vault, id, text, metadata) => {
      if (text !== undefined && text.trim() === '') throw new CliError(`new text for item ${id} in vault ${vault} is empty`, 2, 'empty_text');
      return viaApi(() => api.editItem(vault, id, { ...(text !== undefined ? { text } : {}), ...(Object.keys(metadata).length ? { metadata } : {}) }));
    },
    deleteItems: async (vault, ids) => {
      const deleted: string[] = [];
      const missing: string[] = [];
      for (const id of ids) {
        const gone = await viaApi(() =>
          api.deleteItem(vault, id).then(
            () => true,
            (err: unknown) => (err instanceof ParApiError && err.code === 'item_not_found' ? false : Promise.reject(err)),
          ),
        );
        (gone ? deleted : missing).push(id);
      }
      return { deleted, missing };
    },
    deleteVault: async () => {
      throw notRemote('par vault delete --all', 'endpoint that deletes a whole vault (delete its items by id instead)');
    },
    // Remotely: the vaults the key may read.
    listVaults: async () => (await viaApi(() => api.listVaults())).vaults,
    settings: async () => {
      throw notRemote('par vault settings', 'endpoint that reads or changes vault settings');
    },
    exportVault: (vault) => viaApi(() => api.exportVault(vault)),
    importVault: (data, vault, showProgress) => importRemotely(api, data, vault, showProgress),
    kv: async () => {
      throw notRemote('par vault kv', 'key-value storage endpoint');
    },
  };
}
