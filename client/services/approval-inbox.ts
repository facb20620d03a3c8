import type { JsonValue, RunState } from '../../workflows/flow/types';
import type { FlowService, RunSummary } from './flows';

/** One approval in the inbox: what is asked, of which run, and (once decided) who decided when. */
export interface InboxApproval {
  runId: string;
  flowId: string;
  flowVersion: number | null;
  node: string;
  prompt: string;
  approvers: string[];
  requestedAt: string;
  timeoutAt: string;
  /** Whether the asking principal may decide it (anyone, or one of the approvers). */
  canDecide: boolean;
  context: { message: string | null; variables: Record<string, JsonValue> };
  decision?: { decision: 'approve' | 'reject' | 'timeout'; by: string | null; at: string; comment: string | null };
}

export interface InboxFilter {
  status: 'pending' | 'decided';
  flowId?: string;
  /** Which runs the caller may see (its flow grants). */
  accept: (run: RunSummary) => boolean;
  /** Who is asking, to say whether they may decide (undefined: anyone may). */
  decider?: string;
  /** How many runs to look into (newest first). */
  runLimit?: number;
}

/**
 * Approvals across runs. Pending ones come from runs whose status is waiting_approval; decided
 * ones from the newest runs (bounded by runLimit), each read from the run's own state (a query),
 * so the inbox and the run page never disagree.
 */
export async function listApprovals(flows: Pick<FlowService, 'list' | 'status'>, filter: InboxFilter): Promise<InboxApproval[]> {
  const runs = await flows.list({ flowId: filter.flowId, status: filter.status === 'pending' ? 'waiting_approval' : undefined, limit: filter.runLimit ?? 100, accept: filter.accept });
  const states = await Promise.all(runs.map((r) => flows.status(r.runId).catch(() => undefined)));
  const out: InboxApproval[] = [];
  runs.forEach((run, i) => {
    const state = states[i];
    if (!state) return; // finished before it could be read, or not a flow run
    const base = (a: RunState['pendingApprovals'][number]) => ({
      runId: run.runId,
      flowId: state.flowId,
      flowVersion: state.flowVersion ?? null,
      node: a.node,
      prompt: a.prompt,
      approvers: a.approvers,
      requestedAt: a.requestedAt,
      timeoutAt: a.timeoutAt,
      canDecide: !filter.decider || a.approvers.length === 0 || a.approvers.includes(filter.decider),
      context: { message: typeof state.variables.message === 'string' ? state.variables.message : null, variables: state.variables },
    });
    if (filter.status === 'pending') for (const a of state.pendingApprovals) out.push(base(a));
    else for (const a of state.approvals) out.push({ ...base(a), canDecide: false, decision: { decision: a.decision, by: a.by ?? null, at: a.decidedAt, comment: a.comment ?? null } });
  });
  const key = (a: InboxApproval) => (filter.status === 'pending' ? a.requestedAt : a.decision!.at);
  return out.sort((a, b) => key(b).localeCompare(key(a)));
}
