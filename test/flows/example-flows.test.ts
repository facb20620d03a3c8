import { FlowService } from '../../client/services/flows';
import { sharedVaultService } from '../../activities/vaults';
import { temporalTestContext, type TemporalTestContext } from '../helpers/temporal';
import { waitForState } from '../helpers/flows';

let ctx: TemporalTestContext;
let svc: FlowService;
beforeAll(async () => {
  ctx = await temporalTestContext('examples');
  await ctx.startWorker();
  svc = new FlowService(ctx.client, ctx.taskQueue);
  const vaults = await sharedVaultService();
  await vaults.add(
    'customer_support',
    'Refund policy: a full refund is available within 30 days of delivery. ' +
      'Shipping: standard shipping takes 5-7 business days and express shipping 1-2 days. ' +
      'Tracking numbers are emailed within 24 hours of dispatch. ' +
      'Customer service hours: 24/7 via chat, 9-5 EST by phone.',
  );
  await vaults.add('research', 'Pricing: the pro plan costs 20 dollars per seat per month.');
  await vaults.add('research', 'Security: all data is encrypted at rest with AES-256 and in transit with TLS 1.3.');
  await vaults.add('research', 'Support: enterprise customers get a named support engineer and a 1 hour response time.');
}, 120000);
afterAll(async () => ctx?.close());

test('customer_service_agent recognizes a support question, retrieves from the vault and answers from it', async () => {
  const { runId } = await svc.start('customer_service_agent', { message: 'I ordered 5 days ago but have not received a tracking number', variables: { customer_name: 'Ada' } });
  const r = await svc.result(runId);
  expect(r.trail.map((t) => t.node)).toEqual(['start', 'is_support_question', 'lookup', 'answer', 'done']);
  expect(r.response).toMatch(/Tracking numbers are emailed within 24 hours of dispatch/);
  expect((r.variables.policy as { text: string }[])[0].text).toMatch(/Tracking numbers/);
});

test('customer_service_agent hands off what is not a support question', async () => {
  const { runId } = await svc.start('customer_service_agent', { message: 'Write me a poem about the sea', variables: { customer_name: 'Bo' } });
  const r = await svc.result(runId);
  expect(r.trail.map((t) => t.node)).toEqual(['start', 'is_support_question', 'handoff', 'done']);
  expect(r.response).toBe('Thanks Bo, I have passed your message to a colleague who will get back to you.');
});

test('refund_approval captures the request, computes the refund in Python, waits for the manager and answers', async () => {
  const { runId } = await svc.start('refund_approval', { message: 'Please refund 45 dollars for order A-1234, the lamp arrived broken.' });
  const handle = ctx.client.workflow.getHandle(runId);
  const s = await waitForState(handle, (st) => st.status === 'waiting_approval');
  expect(s.variables).toMatchObject({ order_id: 'A-1234', amount: 45, refund: 45, refund_note: 'full refund for damaged goods' });
  expect(s.trail.find((t) => t.node === 'compute_refund')!.detail).toMatchObject({ saved: ['refund', 'refund_note'], output: expect.stringContaining('requested 45.0, refund 45.0') });
  expect(s.pendingApprovals[0].prompt).toMatch(/^Refund 45 USD \(full refund for damaged goods, 45 requested\) for order .*A-1234/);
  await svc.decide(runId, { decision: 'approve', by: 'manager' });
  const r = await svc.result(runId);
  expect(r.response).toMatch(/Your refund of 45 USD for order .*A-1234.* is approved\./);
});

test('refund_approval refunds 80% when the goods are not damaged', async () => {
  const { runId } = await svc.start('refund_approval', { message: 'I changed my mind about the desk, please refund 100 dollars.' });
  const s = await waitForState(ctx.client.workflow.getHandle(runId), (st) => st.status === 'waiting_approval');
  expect(s.variables).toMatchObject({ refund: 80, refund_note: '80% goodwill refund' });
  await svc.decide(runId, { decision: 'reject', by: 'manager', comment: 'outside the return window' });
  expect((await svc.result(runId)).response).toMatch(/Sorry, we cannot refund order .*: outside the return window/);
});

test('research_fanout researches topics in parallel child flows and summarises them', async () => {
  const { runId } = await svc.start('research_fanout', { message: 'Give me an overview of the product' });
  const r = await svc.result(runId);
  const findings = r.variables.findings as Record<string, { status: string; written: { finding: string } }>;
  expect(Object.keys(findings)).toEqual(['pricing', 'security', 'support']);
  expect(findings.pricing.written.finding).toMatch(/^pricing: Pricing: the pro plan costs 20 dollars/);
  expect(findings.security.written.finding).toMatch(/AES-256/);
  expect(findings.support.written.finding).toMatch(/named support engineer/);
  expect(r.responses).toHaveLength(1);
  expect(r.response!.length).toBeGreaterThan(0);
});
