import { approvalSignal } from '../../workflows/definitions';
import type { flowWorkflow } from '../../workflows/flow-workflow';
import { FlowService, ApprovalRefusedError } from '../../client/services/flows';
import { temporalTestContext, type TemporalTestContext } from '../helpers/temporal';
import { flowDef, startFlow, waitForState } from '../helpers/flows';

let ctx: TemporalTestContext;
let svc: FlowService;
beforeAll(async () => {
  ctx = await temporalTestContext('approval');
  await ctx.startWorker();
  svc = new FlowService(ctx.client, ctx.taskQueue);
});
afterAll(async () => ctx?.close());

const approvalFlow = (timeout = '7 days') =>
  flowDef('approve_me', [
    { id: 'start', type: 'start', outputs: { next: 'ask' } },
    { id: 'ask', type: 'approval', params: { prompt: 'Refund {amount}?', approvers: ['manager', 'lead'], timeout, variable: 'decision' }, outputs: { approved: 'yes', rejected: 'no', timeout: 'late' } },
    { id: 'yes', type: 'respond', params: { text: 'approved by {decision.by}' }, outputs: { next: 'done' } },
    { id: 'no', type: 'respond', params: { text: 'rejected: {decision.comment}' }, outputs: { next: 'done' } },
    { id: 'late', type: 'respond', params: { text: 'timed out' }, outputs: { next: 'done' } },
    { id: 'done', type: 'end' },
  ], { variables: { amount: { type: 'number', default: 40 } } });

test('an approval waits (status waiting_approval, prompt rendered) and an approve update resumes it', async () => {
  const h = await startFlow(ctx.client, ctx.taskQueue, approvalFlow());
  const s = await waitForState(h, (st) => st.pendingApprovals.length === 1);
  expect(s.status).toBe('waiting_approval');
  expect(s.pendingApprovals[0]).toMatchObject({ node: 'ask', prompt: 'Refund 40?', approvers: ['manager', 'lead'] });
  expect(Date.parse(s.pendingApprovals[0].timeoutAt) - Date.parse(s.pendingApprovals[0].requestedAt)).toBe(7 * 24 * 3600 * 1000);
  await expect(svc.decide(h.workflowId, { decision: 'approve', by: 'intern' })).rejects.toThrow(/"intern" may not decide approval "ask"; approvers: manager, lead/);
  await expect(svc.decide(h.workflowId, { decision: 'approve', by: 'manager', node: 'other' })).rejects.toThrow(/no approval "other" is pending/);
  await expect(svc.decide(h.workflowId, { decision: 'approve', by: 'manager', comment: 'fine' })).resolves.toEqual({ node: 'ask', decision: 'approve' });
  const r = await h.result();
  expect(r.responses).toEqual(['approved by manager']);
  const done = await svc.status(h.workflowId);
  expect(done.approvals[0]).toMatchObject({ node: 'ask', decision: 'approve', by: 'manager', comment: 'fine' });
  await expect(svc.decide(h.workflowId, { decision: 'reject', by: 'lead', node: 'ask' })).rejects.toThrow(ApprovalRefusedError);
  await expect(svc.decide(h.workflowId, { decision: 'reject', by: 'lead', node: 'ask' })).rejects.toThrow(/has finished \(completed\)/);
});

test('a reject decision takes the rejected output with the comment; a second decision is refused', async () => {
  const def = flowDef('two_step', [
    { id: 'start', type: 'start', outputs: { next: 'ask' } },
    { id: 'ask', type: 'approval', params: { prompt: 'ok?', variable: 'decision' }, outputs: { approved: 'wait', rejected: 'no' } },
    { id: 'wait', type: 'wait', params: { duration: '1 hour' }, outputs: { next: 'no' } },
    { id: 'no', type: 'respond', params: { text: 'rejected: {decision.comment}' } },
  ]);
  const h = await startFlow(ctx.client, ctx.taskQueue, def);
  await waitForState(h, (st) => st.pendingApprovals.length === 1);
  await svc.decide(h.workflowId, { decision: 'reject', by: 'anyone', comment: 'out of policy' });
  expect((await h.result()).responses).toEqual(['rejected: out of policy']);
  const again = await startFlow(ctx.client, ctx.taskQueue, def);
  await waitForState(again, (st) => st.pendingApprovals.length === 1);
  await svc.decide(again.workflowId, { decision: 'approve', by: 'anyone' });
  await waitForState(again, (st) => st.status === 'waiting_timer');
  await expect(svc.decide(again.workflowId, { decision: 'reject', by: 'anyone', node: 'ask' })).rejects.toThrow(/approval "ask" was already decided \(approve by anyone\)/);
  await again.terminate('test done');
});

test('a decision for a run that is not waiting is refused clearly', async () => {
  const def = flowDef('timer_only', [
    { id: 'start', type: 'start', outputs: { next: 'w' } },
    { id: 'w', type: 'wait', params: { duration: '1 hour' } },
  ]);
  const h = await startFlow(ctx.client, ctx.taskQueue, def);
  const s = await waitForState(h, (st) => st.status === 'waiting_timer');
  expect(s.currentNode).toBe('w');
  await expect(svc.decide(h.workflowId, { decision: 'approve', by: 'x' })).rejects.toThrow(/not waiting for an approval/);
  await h.terminate('test done');
});

test('a signal decides too; an invalid signal is noted in state and changes nothing', async () => {
  const h = await startFlow(ctx.client, ctx.taskQueue, approvalFlow());
  await waitForState(h, (st) => st.pendingApprovals.length === 1);
  await h.signal(approvalSignal, { decision: 'approve', by: 'stranger' });
  const s = await waitForState(h, (st) => (st.ignoredSignals ?? []).length === 1);
  expect(s.ignoredSignals![0]).toMatch(/"stranger" may not decide/);
  expect(s.status).toBe('waiting_approval');
  await h.signal(approvalSignal, { decision: 'approve', by: 'lead' });
  expect((await h.result()).responses).toEqual(['approved by lead']);
});

test('the timeout output is taken when nobody decides in time', async () => {
  const h = await startFlow(ctx.client, ctx.taskQueue, approvalFlow('2 seconds'));
  const r = await h.result();
  expect(r.responses).toEqual(['timed out']);
  expect(r.variables.decision).toMatchObject({ decision: 'timeout', by: null });
});

test('a week-long wait survives the worker stopping: a new worker resumes it on approval', async () => {
  const queue = `${ctx.taskQueue}-restart`;
  const first = await ctx.startWorker({ taskQueue: queue });
  const h = await startFlow(ctx.client, queue, approvalFlow('7 days'));
  await waitForState(h, (st) => st.pendingApprovals.length === 1);
  await first.stop();
  // Nothing polls the queue now: the run waits in Temporal alone. A new worker picks it up.
  const second = await ctx.startWorker({ taskQueue: queue });
  await new FlowService(ctx.client, queue).decide(h.workflowId, { decision: 'approve', by: 'manager' });
  expect((await h.result()).responses).toEqual(['approved by manager']);
  await second.stop();
});

/** The approve_me runs listed with a status, polled until runId is among them (visibility lags) or a minute passes. */
async function listedUntilShown(status: 'cancelled' | 'completed', runId: string): Promise<string[]> {
  const deadline = Date.now() + 60_000;
  let listed: string[] = [];
  while (Date.now() < deadline) {
    listed = (await svc.list({ flowId: 'approve_me', status })).map((r) => r.runId);
    if (listed.includes(runId)) break;
    await new Promise((r) => setTimeout(r, 300));
  }
  return listed;
}

test('a cancelled run can be listed by status cancelled (Temporal\'s close status; the run does not write it)', async () => {
  const h = await startFlow(ctx.client, ctx.taskQueue, approvalFlow(), {}, `approve_me-cancel-${Date.now()}`);
  await waitForState(h, (st) => st.status === 'waiting_approval');
  await svc.cancel(h.workflowId);
  await expect(h.result()).rejects.toThrow();
  expect(await listedUntilShown('cancelled', h.workflowId)).toContain(h.workflowId);
});

test('a decided run is listed as completed, no longer as waiting, though it wrote only its waiting status', async () => {
  // Started as the CLI and the API start runs: the start carries the search attributes.
  const { runId } = await svc.start(approvalFlow());
  const h = ctx.client.workflow.getHandle<typeof flowWorkflow>(runId);
  await waitForState(h, (st) => st.status === 'waiting_approval');
  await svc.decide(h.workflowId, { decision: 'approve', by: 'lead' });
  await h.result();
  // The run wrote waiting_approval and nothing after it (engine-fast-path-v2): the close carries its status.
  const upserts = (await h.fetchHistory()).events?.filter((e) => e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields?.ParStatus) ?? [];
  expect(upserts).toHaveLength(1);
  expect(await listedUntilShown('completed', h.workflowId)).toContain(h.workflowId);
  expect((await svc.list({ flowId: 'approve_me', status: 'waiting_approval' })).map((r) => r.runId)).not.toContain(h.workflowId);
  expect((await svc.list({ flowId: 'approve_me' })).find((r) => r.runId === h.workflowId)?.status).toBe('completed');
});
