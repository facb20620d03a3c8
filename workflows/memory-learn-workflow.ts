import type { MemoryLearnAfterRunRequest, MemoryLearnAfterRunResult } from '../activities/memory/contracts';
import { memoryActivities } from './flow/activities';

/** Post-run learning (ReasoningBank and facts), detached from the run that asked for it. */
export async function memoryLearnWorkflow(req: MemoryLearnAfterRunRequest): Promise<MemoryLearnAfterRunResult> {
  return memoryActivities().memoryLearnAfterRun(req);
}
