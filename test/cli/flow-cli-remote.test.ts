import { FlowService } from '../../client/services/flows';
import { startTestApi, type TestApi } from '../api/helpers/api';
import { runPar } from '../helpers/cli';
import { temporalTestContext, type TemporalTestContext } from '../helpers/temporal';

let ctx: TemporalTestContext;
let api: TestApi;
beforeAll(async () => {
  ctx = await temporalTestContext('cli-remote');
  await ctx.startWorker();
  api = await startTestApi({ services: { flows: new FlowService(ctx.client, ctx.taskQueue) } });
});
afterAll(async () => {
  await api?.close();
  await ctx?.close();
});

test('with PAR_API_KEY, par flow goes through the API: the key is checked and recorded as the decider', async () => {
  const { key } = await api.clientWith({ flows: ['refund_approval'] }, 'manager');
  const env = { PAR_API_URL: api.url, PAR_API_KEY: key, PAR_TEMPORAL_ADDRESS: '127.0.0.1:1' };
  const started = await runPar(['flow', 'run', 'refund_approval', '--input', '{"message":"Refund 20 dollars for order Z-12, it is broken"}', '--json'], env);
  expect(started.code).toBe(0);
  const { runId } = JSON.parse(started.stdout) as { runId: string };
  let status: { status: string } = { status: '' };
  for (let i = 0; i < 100 && status.status !== 'waiting_approval'; i++) {
    status = JSON.parse((await runPar(['flow', 'status', runId, '--json'], env)).stdout);
    if (status.status !== 'waiting_approval') await new Promise((r) => setTimeout(r, 300));
  }
  expect(status).toMatchObject({ status: 'waiting_approval', pendingApprovals: [{ node: 'manager_approval' }] });
  const approved = await runPar(['flow', 'approve', runId, '--json'], env);
  expect(JSON.parse(approved.stdout)).toMatchObject({ runId, decision: 'approve', by: 'manager' });
  await ctx.client.workflow.getHandle(runId).result();
  const done = JSON.parse((await runPar(['flow', 'status', runId, '--json'], env)).stdout);
  expect(done).toMatchObject({ status: 'completed', approvals: [{ decision: 'approve', by: 'manager' }] });

  const { key: stranger } = await api.clientWith({ flows: ['customer_service_agent'] }, 'stranger');
  const refused = await runPar(['flow', 'status', runId], { ...env, PAR_API_KEY: stranger });
  expect(refused.code).toBe(2);
  expect(refused.stderr).toMatch(/^par: API 403 forbidden: .*refund_approval/);
  const wrong = await runPar(['flow', 'list'], { ...env, PAR_API_KEY: 'par_not_a_key' });
  expect(wrong.code).toBe(2);
  expect(wrong.stderr).toMatch(/API 401/);
});

test('with PAR_API_KEY, par session send and show go through the API', async () => {
  const { key } = await api.clientWith({ flows: ['customer_service_agent'], vaults: { customer_support: 'read' } }, 'agent');
  const env = { PAR_API_URL: api.url, PAR_API_KEY: key, PAR_TEMPORAL_ADDRESS: '127.0.0.1:1' };
  const id = `remote-${Date.now()}`;
  const sent = await runPar(['session', 'send', id, 'write me a poem', '--flow', 'customer_service_agent', '--json'], env);
  expect(sent.code).toBe(0);
  expect(JSON.parse(sent.stdout)).toMatchObject({ turn: 1, status: 'completed', response: expect.stringMatching(/passed your message to a colleague/) });
  const shown = await runPar(['session', 'show', id], env);
  expect(shown.stdout).toMatch(/session .* \(flow customer_service_agent\): 1 turns/);
  expect(shown.stdout).toMatch(/^user\s+write me a poem$/m);
  const { key: other } = await api.clientWith({ flows: ['refund_approval'] }, 'other');
  const refused = await runPar(['session', 'show', id], { ...env, PAR_API_KEY: other });
  expect(refused.code).toBe(2);
  expect(refused.stderr).toMatch(/API 403/);
});
