import { randomUUID } from 'node:crypto';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { runStateQuery } from '../../workflows/definitions';
import type { FlowDefinition, FlowNode, FlowRunInput, RunState } from '../../workflows/flow/types';
import { flowWorkflow } from '../../workflows/flow-workflow';

export function flowDef(id: string, nodes: FlowNode[], extra: Partial<FlowDefinition> = {}): FlowDefinition {
  return { id, version: '1', nodes, ...extra };
}

/** Starts flowWorkflow directly with a definition (and the child flows it may start). */
export async function startFlow(
  client: Client,
  taskQueue: string,
  definition: FlowDefinition,
  input: Omit<FlowRunInput, 'definition'> = {},
  workflowId = `${definition.id}-${randomUUID()}`,
): Promise<WorkflowHandle<typeof flowWorkflow>> {
  return client.workflow.start(flowWorkflow, { taskQueue, workflowId, args: [{ definition, ...input }] });
}

/**
 * Polls the run's state until `pred` holds (or fails after timeoutMs: generous, as steps such as
 * a first act sandbox or the embedding model can take many seconds on a busy machine).
 */
export async function waitForState(handle: WorkflowHandle, pred: (s: RunState) => boolean, timeoutMs = 90_000): Promise<RunState> {
  const deadline = Date.now() + timeoutMs;
  let last: RunState | undefined;
  while (Date.now() < deadline) {
    try {
      last = await handle.query(runStateQuery);
      if (pred(last)) return last;
    } catch {
      // the first workflow task may not have run yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`state never matched; last: ${JSON.stringify(last)?.slice(0, 500)}`);
}

/** Activity types scheduled in a run's history, in order. */
export async function scheduledActivities(handle: WorkflowHandle): Promise<string[]> {
  const history = await handle.fetchHistory();
  return history.events!.filter((e) => e.activityTaskScheduledEventAttributes).map((e) => e.activityTaskScheduledEventAttributes!.activityType!.name!);
}

/** Activity types a run ran as local activities (each is one marker in its history), in order. */
export async function localActivities(handle: WorkflowHandle): Promise<string[]> {
  const history = await handle.fetchHistory();
  return history.events!.flatMap((e) => {
    const m = e.markerRecordedEventAttributes;
    if (m?.markerName !== 'core_local_activity') return [];
    const payload = m.details?.data?.payloads?.[0];
    return [(JSON.parse(Buffer.from(payload!.data!).toString('utf8')) as { activity_type: string }).activity_type];
  });
}
