import { patched } from '@temporalio/workflow';
import { memoryActivities } from './activities';
import type { ModelMessage } from './types';

/** Messages a session keeps in the workflow; older ones move to the session archive. */
export const DEFAULT_KEEP_MESSAGES = 200;
// One archive call stays far below Temporal's 2 MB payload limit.
const MAX_BATCH_CHARS = 512 * 1024;
const ARCHIVE_PATCH = 'session-archive-v1';

export interface ArchiveOutcome {
  /** What the next run carries. */
  messages: ModelMessage[];
  /** How many messages of the session precede messages[0] (all of them in the archive). */
  archived: number;
}

/**
 * Moves all but the newest `keep` messages of a session to the context store (activities/memory),
 * so a session can run for months without its transcript reaching Temporal's payload limits. Each batch names its position, so a retried call overwrites rather
 * than duplicates. Histories recorded before this existed replay unchanged (the patch marker).
 */
export async function archiveOldMessages(tenant: string, sessionId: string, messages: ModelMessage[], archived: number, keep: number): Promise<ArchiveOutcome> {
  if (messages.length <= keep || !patched(ARCHIVE_PATCH)) return { messages, archived };
  const cut = messages.length - keep;
  for (const batch of batchesBySize(messages.slice(0, cut), MAX_BATCH_CHARS)) {
    await memoryActivities().contextAppend({ tenant, sessionId, messages: batch.messages, startIndex: archived + batch.offset });
  }
  return { messages: messages.slice(cut), archived: archived + cut };
}

function batchesBySize(messages: ModelMessage[], maxChars: number): { offset: number; messages: ModelMessage[] }[] {
  const out: { offset: number; messages: ModelMessage[] }[] = [];
  let current: ModelMessage[] = [];
  let offset = 0;
  let size = 0;
  messages.forEach((m, i) => {
    const n = JSON.stringify(m).length;
    if (current.length && size + n > maxChars) {
      out.push({ offset, messages: current });
      current = [];
      offset = i;
      size = 0;
    }
    current.push(m);
    size += n;
  });
  if (current.length) out.push({ offset, messages: current });
  return out;
}
