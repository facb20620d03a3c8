import type { Client } from '@temporalio/client';
import type { ActRequest, ActResult } from '../../activities/contracts';
import { actScriptWorkflow } from '../../workflows/act-script';
import { ParError } from '../../workflows/errors';
import { knownFailure } from '../error-codes';

/** An act run that could not run: a malformed request (bad_input) or a worker/sandbox failure (act_failed). */
export class ActScriptError extends ParError {
  override name = 'ActScriptError';
  constructor(
    message: string,
    readonly code: 'bad_input' | 'act_failed',
  ) {
    super(message);
  }
}

/**
 * Runs one act script on a worker through the same activity an act node uses (the
 * actScriptWorkflow), for `par act run` and the studio's try-out (POST /v1/act/run).
 * A script's own error is a result with ok=false, not a throw.
 */
export async function runActScript(client: Client, taskQueue: string, req: ActRequest): Promise<ActResult & { workflowId: string }> {
  const workflowId = req.runId;
  try {
    const result = await client.workflow.execute(actScriptWorkflow, { taskQueue, workflowId, args: [req] });
    return { ...result, workflowId };
  } catch (err) {
    const cause = (err as { cause?: Error }).cause;
    const message = cause?.message ?? (err as Error).message;
    throw new ActScriptError(`the act run failed: ${message}`, knownFailure(err)?.code === 'invalid_act_request' ? 'bad_input' : 'act_failed');
  }
}
