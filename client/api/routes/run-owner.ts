import { WorkflowNotFoundError } from '@temporalio/client';
import { FLOW_ID } from '../../../workflows/search-attributes';
import { sessionWorkflowId } from '../../services/flows';
import { badRequest, notFound } from '../errors';
import type { FlowsPort } from '../services';

// Which flow a run or session belongs to decides who may touch it. Read from the run's search
// attributes (describe), which needs no worker, so a stuck run can still be inspected and cancelled.

const FLOW_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

/** Flow ids from URLs are ids only, never file paths (the registry also loads files). */
export function checkFlowId(flow: string): string {
  if (!FLOW_ID_PATTERN.test(flow) || flow.includes('..')) throw badRequest('invalid_flow_id', `"${flow}" is not a flow id (letters, digits, _ . -)`);
  return flow;
}

async function flowOfWorkflow(flows: FlowsPort, workflowId: string): Promise<string | undefined> {
  try {
    const desc = await flows.client.workflow.getHandle(workflowId).describe();
    return desc.typedSearchAttributes.get(FLOW_ID) ?? undefined;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
}

export async function flowOfRun(flows: FlowsPort, runId: string): Promise<string> {
  const flowId = await flowOfWorkflow(flows, runId);
  if (!flowId) throw notFound('run_not_found', `no run "${runId}"`);
  return flowId;
}

export function flowOfSession(flows: FlowsPort, sessionId: string): Promise<string | undefined> {
  return flowOfWorkflow(flows, sessionWorkflowId(sessionId));
}
