import type { ActRequest, ActResult } from '../activities/contracts';
import { actActivities, DEFAULT_ACT_TIMEOUT_MS } from './flow/activities';

/**
 * One act step on its own (`par act run`): the script runs through the same activity, with the
 * same options, as an act node. The activity heartbeats while the script runs, so a worker that
 * dies mid-script is noticed within the heartbeat timeout and the script is rerun from the start
 * on another worker.
 */
export async function actScriptWorkflow(req: ActRequest): Promise<ActResult> {
  return actActivities(req.limits?.timeoutMs ?? DEFAULT_ACT_TIMEOUT_MS).actRun(req);
}
