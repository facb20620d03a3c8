import path from 'node:path';
import { createVaultActivities } from '../../activities/vaults/activities';
import { IngestStaging } from '../../activities/vaults/ingest-staging';
import { stableItemId, type VaultService } from '../../activities/vaults/service';
import type { VaultIngestInput, VaultIngestProgress } from '../../activities/vaults/ingest-types';
import { Worker } from '@temporalio/worker';
import { readTestEnv } from '../helpers/test-env';
import { temporalTestContext, type TemporalTestContext } from '../helpers/temporal';
import { serviceIn, tempDir } from './service-fixture';

const dir = tempDir('par-ingest-');
let ctx: TemporalTestContext;
let svc: VaultService;

const doc = Array.from({ length: 120 }, (_, i) => `Section ${i} of the handbook describes rule number ${i} for the night shift.`).join(' ');

function activities(hooks: { beforeBatch?: (from: number) => Promise<void> } = {}) {
  const base = createVaultActivities({ service: async () => svc, staging: () => IngestStaging.open({ kind: 'sqlite', file: path.join(dir, 'vaults.sqlite') }) });
  return {
    ...base,
    async vaultIngestBatch(req: Parameters<typeof base.vaultIngestBatch>[0]) {
      await hooks.beforeBatch?.(req.from);
      return base.vaultIngestBatch(req);
    },
  };
}

beforeAll(async () => {
  svc = await serviceIn(dir);
  ctx = await temporalTestContext('vault-ingest');
});
afterAll(async () => {
  await ctx?.close();
  await svc?.close();
});

test('ingests a document in batches, reports progress, and writes each chunk once under a stable id', async () => {
  const worker = await ctx.startWorker({ activities: activities() });
  const input: VaultIngestInput = { ingestId: 'ing-1', vault: 'handbook', source: { text: doc }, metadata: { source: 'handbook.txt' }, batchSize: 4 };
  const handle = await ctx.client.workflow.start('vaultIngestWorkflow', { taskQueue: ctx.taskQueue, workflowId: `ingest-${Date.now()}`, args: [input] });
  const result = await handle.result();
  const total = svc.chunk(doc).length;
  expect(total).toBeGreaterThan(8);
  expect(result).toEqual({ ingestId: 'ing-1', vault: 'handbook', chunks: total });
  expect(await handle.query<VaultIngestProgress>('vaultIngestProgress')).toMatchObject({ phase: 'done', done: total, total });
  expect(await svc.count('handbook')).toBe(total);
  const { items } = await svc.getItems('handbook', [stableItemId('ing-1:0'), stableItemId(`ing-1:${total - 1}`)]);
  expect(items.map((i) => i.metadata)).toEqual([
    { source: 'handbook.txt', doc_id: 'ing-1', chunk: 0, chunks: total },
    { source: 'handbook.txt', doc_id: 'ing-1', chunk: total - 1, chunks: total },
  ]);
  expect((await svc.getSimilar('handbook', 'rule number 77 for the night shift', { n: 1 }))[0]!.text).toContain('Section 77 ');
  const history = await handle.fetchHistory();
  const batches = history.events!.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'vaultIngestBatch');
  expect(batches).toHaveLength(Math.ceil(total / 4));
  // The workflow code is deterministic: its own history replays without a violation.
  await Worker.runReplayHistory({ workflowBundle: { codePath: readTestEnv().bundlePath } }, history, 'ingest-replay');
  await worker.stop();
});

test('a worker that dies mid-ingest is replaced: the new worker resumes at the failed batch, without duplicates', async () => {
  let failingCalls = 0;
  let sawFailure!: () => void;
  const failed = new Promise<void>((r) => (sawFailure = r));
  const crashing = await ctx.startWorker({
    activities: activities({
      beforeBatch: async (from) => {
        if (from >= 8) {
          failingCalls++;
          sawFailure();
          throw new Error('simulated crash of the embedding host');
        }
      },
    }),
  });
  const input: VaultIngestInput = { ingestId: 'ing-2', vault: 'handbook2', source: { text: doc }, batchSize: 4 };
  const handle = await ctx.client.workflow.start('vaultIngestWorkflow', { taskQueue: ctx.taskQueue, workflowId: `ingest-crash-${Date.now()}`, args: [input] });
  await failed;
  const during = await handle.query<VaultIngestProgress>('vaultIngestProgress');
  expect(during).toMatchObject({ phase: 'embedding', done: 8 });
  await crashing.stop();
  expect(failingCalls).toBeGreaterThanOrEqual(1);

  const resumedFrom: number[] = [];
  const healthy = await ctx.startWorker({ activities: activities({ beforeBatch: async (from) => void resumedFrom.push(from) }) });
  const result = await handle.result();
  expect(resumedFrom[0]).toBe(8); // batches 0-3 and 4-7 were not redone
  expect(await svc.count('handbook2')).toBe(result.chunks);
  await healthy.stop();
});
