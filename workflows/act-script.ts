import { proxyActivities } from '@temporalio/workflow';
import type { ActRequest, ActResult } from '../activities/contracts';

interface ActActivity {
  actRun(req: ActRequest): Promise<ActResult>;
}

const DEFAULT_SCRIPT_TIMEOUT_MS = 30_000;

/**
 * One act step on its own (`par act run`): the script runs through the same activity an act
 * node uses. The activity heartbeats while the script runs, so a worker that dies mid-script is
 * noticed within the heartbeat timeout and the script is rerun from the start on another worker.
 */
export async function actScriptWorkflow(req: ActRequest): Promise<ActResult> {
  const scriptTimeoutMs = req.limits?.timeoutMs ?? DEFAULT_SCRIPT_TIMEOUT_MS;
  const { actRun } = proxyActivities<ActActivity>({
    // The sandbox stops the script at its limit; the rest covers waiting for a sandbox to start.
    startToCloseTimeout: scriptTimeoutMs + 60_000,
    heartbeatTimeout: '10 seconds',
    // Script errors are results, not failures: only a lost worker or sandbox start is retried.
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumAttempts: 3, nonRetryableErrorTypes: ['ActRequestError'] },
  });
  return actRun(req);
}
