/**
 * The vault activities the flow engine and the ingest workflow call. The service (model, store)
 * is opened once per worker process, on first use, never per call.
 */
import fs from 'node:fs';
import path from 'node:path';
import { activityContext } from '../common/activity-context';
import { toActivityFailure } from '../common/activity-failure';
import { onceUntilFailure } from '../common/once-until-failure';
import type { KvRequest, KvResult, VaultAddRequest, VaultAddResult, VaultSearchRequest, VaultSearchResult } from '../contracts';
import { VectorStoreError } from '../vectors/errors';
import { VaultError } from './errors';
import { sharedVaultService } from './index';
import { IngestStaging } from './ingest-staging';
import { runKvRequest } from './kv-store';
import type { IngestBatchRequest, IngestPrepareRequest, VaultIngestInput } from './ingest-types';
import { stableItemId, type VaultService } from './service';

export interface VaultActivityDeps {
  service?: () => Promise<VaultService>;
  staging?: () => IngestStaging | Promise<IngestStaging>;
}

/** Chunks per embedding call inside one batch activity; a heartbeat follows each. */
const SUB_BATCH = 16;

/** Bad input is not retried: the same request would fail the same way. */
async function typed<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof VaultError || (err instanceof VectorStoreError && err.code !== 'backend')) throw toActivityFailure(err);
    throw err;
  }
}

function heartbeat(details: unknown): void {
  activityContext()?.heartbeat(details);
}

function resumePoint(): number | undefined {
  const d = activityContext()?.info.heartbeatDetails as unknown;
  return typeof d === 'number' ? d : undefined;
}

export function createVaultActivities(deps: VaultActivityDeps = {}) {
  const service = deps.service ?? sharedVaultService;
  const stagingStore = onceUntilFailure(async () => deps.staging?.() ?? IngestStaging.open());

  return {
    async vaultSearch(req: VaultSearchRequest): Promise<VaultSearchResult> {
      return typed(async () => {
        if (typeof req?.query !== 'string') throw new VaultError('vaultSearch needs a query string', 'bad_request');
        const svc = await service();
        const searchQuery = await svc.searchQuery(req.query, req.history, { smart: req.smartHistorySearch, model: req.model });
        if (req.vaults !== undefined) {
          const { items, shortfalls } = await svc.getSimilarFromVaults(searchQuery, req.vaults, { n: req.n, filter: req.filter });
          return shortfalls.length ? { items, searchQuery, shortfalls } : { items, searchQuery };
        }
        if (!req.vault) throw new VaultError('vaultSearch needs vault or vaults', 'bad_request');
        const items = await svc.getSimilar(req.vault, searchQuery, { n: req.n, filter: req.filter });
        return { items, searchQuery };
      });
    },

    async vaultAdd(req: VaultAddRequest): Promise<VaultAddResult> {
      return typed(async () => {
        const items = await (await service()).add(req.vault, req.text, req.metadata);
        return { ids: items.map((i) => i.id) };
      });
    },

    async kvStore(req: KvRequest): Promise<KvResult> {
      return typed(async () => runKvRequest((await service()).kv, req));
    },

    /** Reads and chunks the document into staging (once per ingestId); returns the chunk count. */
    async vaultIngestPrepare(req: IngestPrepareRequest): Promise<{ total: number }> {
      return typed(async () => {
        const stage = await stagingStore();
        const already = await stage.staged(req.ingestId);
        if (already) return { total: already.total };
        const text = 'file' in req.source ? fs.readFileSync(req.source.file, 'utf8') : req.source.text;
        if (text.trim() === '') throw new VaultError(`document for vault ${req.vault} (ingest ${req.ingestId}) is empty`, 'empty_text');
        const svc = await service();
        return { total: await stage.stage(req.ingestId, req.vault, svc.chunk(text)) };
      });
    },

    /** Embeds and stores chunks [from, to); item ids derive from ingestId, so retries rewrite the same items. */
    async vaultIngestBatch(req: IngestBatchRequest): Promise<{ done: number }> {
      return typed(async () => {
        const svc = await service();
        const rows = await (await stagingStore()).read(req.ingestId, Math.max(req.from, resumePoint() ?? req.from), req.to);
        for (let b = 0; b < rows.length; b += SUB_BATCH) {
          const part = rows.slice(b, b + SUB_BATCH);
          await svc.putItems(
            req.vault,
            part.map((r) => ({
              id: stableItemId(`${req.ingestId}:${r.idx}`),
              text: r.text,
              metadata: { ...(req.metadata ?? {}), doc_id: req.ingestId, chunk: r.idx, chunks: req.total },
            })),
          );
          heartbeat(part[part.length - 1]!.idx + 1);
        }
        return { done: req.to - req.from };
      });
    },

    /** Drops the staged chunks, and the staged file when it is one the CLI wrote under <data dir>/ingest. */
    async vaultIngestFinish(req: { ingestId: string; source: VaultIngestInput['source'] }): Promise<void> {
      await (await stagingStore()).remove(req.ingestId);
      if ('file' in req.source && path.basename(path.dirname(req.source.file)) === 'ingest' && path.basename(req.source.file).startsWith(req.ingestId)) {
        fs.rmSync(req.source.file, { force: true });
      }
    },
  };
}

export type VaultActivities = ReturnType<typeof createVaultActivities>;
