import { patched } from '@temporalio/workflow';

/**
 * One patch for the engine's fast path (issue 13): fast reads run as local activities, and a run
 * whose start already carried its search attributes does not upsert them again. Histories
 * recorded before it (test/histories/*-recorded.json) replay the old commands; runs started
 * since record the marker once, in their first workflow task.
 */
export const FAST_PATH_PATCH = 'engine-fast-path-v1';
/**
 * The fast path, and a run's status written only when the run waits (StatusBoard). It replaces
 * v1 rather than adding to it: each patch a new run records costs a marker event and an upsert of
 * TemporalChangeVersion (Temporal Core's), so a new run records this one alone.
 */
export const QUIET_STATUS_PATCH = 'engine-fast-path-v2';

/** Which of the engine's patches a run was started (or continued, live) under. */
export function enginePatch(): 0 | 1 | 2 {
  return patched(QUIET_STATUS_PATCH) ? 2 : patched(FAST_PATH_PATCH) ? 1 : 0;
}

export function fastPath(): boolean {
  return enginePatch() > 0;
}
