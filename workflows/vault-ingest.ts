/**
 * Large-document ingest into a vault: chunk once (staged by an activity, so history carries only
 * offsets), then embed and store in batches, each an activity that heartbeats and can be retried
 * without duplicates (item ids derive from the ingest id). Progress is a query. A worker crash
 * resumes from the last completed batch; very long ingests continue as new.
 */
import { condition, continueAsNew, defineQuery, proxyActivities, setHandler, workflowInfo, allHandlersFinished } from '@temporalio/workflow';
import type { VaultActivities } from '../activities/vaults/activities';
import type { VaultIngestInput, VaultIngestProgress, VaultIngestResult } from '../activities/vaults/ingest-types';

export type { VaultIngestInput, VaultIngestProgress, VaultIngestResult } from '../activities/vaults/ingest-types';

export const vaultIngestProgressQuery = defineQuery<VaultIngestProgress>('vaultIngestProgress');

const { vaultIngestPrepare, vaultIngestFinish } = proxyActivities<Pick<VaultActivities, 'vaultIngestPrepare' | 'vaultIngestFinish'>>({
  startToCloseTimeout: '10 minutes',
  retry: { maximumAttempts: 5 },
});

const { vaultIngestBatch } = proxyActivities<Pick<VaultActivities, 'vaultIngestBatch'>>({
  startToCloseTimeout: '15 minutes',
  heartbeatTimeout: '2 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

const DEFAULT_BATCH = 64;

export async function vaultIngestWorkflow(input: VaultIngestInput): Promise<VaultIngestResult> {
  const batchSize = input.batchSize ?? DEFAULT_BATCH;
  const progress: VaultIngestProgress = {
    ingestId: input.ingestId,
    vault: input.vault,
    phase: input.resume ? 'embedding' : 'chunking',
    total: input.resume?.total ?? 0,
    done: input.resume?.done ?? 0,
  };
  setHandler(vaultIngestProgressQuery, () => progress);

  if (!input.resume) {
    const { total } = await vaultIngestPrepare({ ingestId: input.ingestId, vault: input.vault, source: input.source });
    progress.total = total;
    progress.phase = 'embedding';
  }
  while (progress.done < progress.total) {
    const to = Math.min(progress.total, progress.done + batchSize);
    await vaultIngestBatch({ ingestId: input.ingestId, vault: input.vault, from: progress.done, to, total: progress.total, metadata: input.metadata });
    progress.done = to;
    if (workflowInfo().continueAsNewSuggested && progress.done < progress.total) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof vaultIngestWorkflow>({ ...input, resume: { total: progress.total, done: progress.done } });
    }
  }
  progress.phase = 'finishing';
  await vaultIngestFinish({ ingestId: input.ingestId, source: input.source });
  progress.phase = 'done';
  return { ingestId: input.ingestId, vault: input.vault, chunks: progress.total };
}
