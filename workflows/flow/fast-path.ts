import { patched } from '@temporalio/workflow';

/**
 * One patch for the engine's fast path (issue 13): fast reads run as local activities, and a run
 * whose start already carried its search attributes does not upsert them again. Histories
 * recorded before it (test/histories/*-recorded.json) replay the old commands; runs started
 * since record the marker once, in their first workflow task.
 */
export const FAST_PATH_PATCH = 'engine-fast-path-v1';

export function fastPath(): boolean {
  return patched(FAST_PATH_PATCH);
}
