import { upsertSearchAttributes } from '@temporalio/workflow';
import { statusSearchAttribute } from '../search-attributes';
import type { RunStatus } from './types';

/**
 * A run's ParStatus search attribute. Each write is a history event and a visibility write on the
 * server. Runs since the engine-fast-path-v2 patch (`quiet`) write a status only when the run is
 * about to wait with it showing: a waiting status at once, `running` and the final statuses when
 * the run next waits (`RunEngine.showStatus`), so a status the run passes through within one
 * workflow task (running between a decision and the end, completed) is never written. A closed
 * run's status is Temporal's own ExecutionStatus, which FlowService.list reads.
 * Older runs write every change, as they did when they were recorded.
 */
export class StatusBoard {
  constructor(
    readonly quiet: boolean,
    /** What the search attribute says now: the start's (or the workflow's first upsert's) 'running'. */
    private shown: RunStatus = 'running',
  ) {}

  /** Writes the status; a quiet board skips a status already showing. */
  show(status: RunStatus): void {
    if (this.quiet && status === this.shown) return;
    this.shown = status;
    upsertSearchAttributes(statusSearchAttribute(status));
  }
}
