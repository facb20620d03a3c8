import type { ActivityExecuteInput, ActivityInboundCallsInterceptor, Next } from '@temporalio/worker';
import { toActivityFailure } from '../activities/common/activity-failure';
import { ParError } from '../workflows/errors';

/**
 * Every ParError an activity throws leaves the worker as an ApplicationFailure that keeps its
 * code (toActivityFailure), so the workflow, the API and the CLI report the same code and status
 * as a direct call would. Without this, Temporal's default conversion keeps only the class name.
 */
export class ParErrorActivityInbound implements ActivityInboundCallsInterceptor {
  async execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    try {
      return await next(input);
    } catch (err) {
      throw err instanceof ParError ? toActivityFailure(err) : err;
    }
  }
}
