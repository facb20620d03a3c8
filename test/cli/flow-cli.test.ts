import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runPar } from '../helpers/cli';
import { readTestEnv } from '../helpers/test-env';
import { temporalTestContext, type TemporalTestContext } from '../helpers/temporal';

let ctx: TemporalTestContext;
let env: NodeJS.ProcessEnv;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'par-cli-'));

beforeAll(async () => {
  ctx = await temporalTestContext('cli');
  await ctx.startWorker();
  env = { PAR_TEMPORAL_ADDRESS: readTestEnv().temporalAddress, PAR_TASK_QUEUE: ctx.taskQueue, PAR_TEMPORAL_UI_URL: 'http://ui.test' };
});
afterAll(async () => ctx?.close());

test('par flow validate names the node and field of each problem and exits 2', async () => {
  const file = path.join(tmp, 'broken.json');
  fs.writeFileSync(file, JSON.stringify({ id: 'broken', version: '1', nodes: [{ id: 'start', type: 'start', outputs: { next: 'gone' } }, { id: 'x', type: 'teleport' }] }));
  const r = await runPar(['flow', 'validate', file], env);
  expect(r.code).toBe(2);
  expect(r.stdout).toMatch(/node "start" outputs.next: points to "gone"/);
  expect(r.stdout).toMatch(/node "x" type: unknown node type "teleport"/);
  const json = await runPar(['flow', 'validate', file, '--json'], env);
  expect(JSON.parse(json.stdout)).toMatchObject({ flow: 'broken', valid: false, issues: expect.arrayContaining([{ node: 'x', field: 'type', message: expect.any(String) }]) });
  const ok = await runPar(['flow', 'validate', 'refund_approval'], env);
  expect(ok).toMatchObject({ code: 0, stdout: 'flow "refund_approval" is valid\n' });
});

test('run, status, list, approve, history and replay a refund from the command line', async () => {
  const started = await runPar(['flow', 'run', 'refund_approval', '--input', '{"message":"Refund 30 dollars for order B-77"}', '--json'], env);
  expect(started.code).toBe(0);
  const { runId } = JSON.parse(started.stdout) as { runId: string };
  expect(runId).toMatch(/^refund_approval-/);

  let status: { status: string; pendingApprovals: { node: string }[] } | undefined;
  for (let i = 0; i < 100 && status?.status !== 'waiting_approval'; i++) {
    const s = await runPar(['flow', 'status', runId, '--json'], env);
    if (s.code === 0) status = JSON.parse(s.stdout);
    else await new Promise((r) => setTimeout(r, 200));
  }
  expect(status).toMatchObject({ status: 'waiting_approval', pendingApprovals: [{ node: 'manager_approval' }] });
  const human = await runPar(['flow', 'status', runId], env);
  expect(human.stdout).toMatch(/waiting for approval "manager_approval": Refund 24 USD \(80% goodwill refund, 30 requested\)/);

  let listed: { runId: string }[] = [];
  for (let i = 0; i < 50 && !listed.some((r) => r.runId === runId); i++) {
    listed = JSON.parse((await runPar(['flow', 'list', '--flow', 'refund_approval', '--status', 'waiting_approval', '--json'], env)).stdout);
    if (!listed.some((r) => r.runId === runId)) await new Promise((r) => setTimeout(r, 300));
  }
  expect(listed.map((r) => r.runId)).toContain(runId);

  const refused = await runPar(['flow', 'approve', runId, '--by', 'intern'], env);
  expect(refused.code).toBe(1);
  expect(refused.stderr).toMatch(/"intern" may not decide approval "manager_approval"/);
  const approved = await runPar(['flow', 'approve', runId, '--by', 'manager', '--comment', 'ok', '--json'], env);
  expect(JSON.parse(approved.stdout)).toMatchObject({ node: 'manager_approval', decision: 'approve', by: 'manager' });

  await ctx.client.workflow.getHandle(runId).result();
  const file = path.join(tmp, `${runId}.json`);
  expect((await runPar(['flow', 'history', runId, '-o', file], env)).code).toBe(0);
  const replay = await runPar(['flow', 'replay', file, '--json'], env);
  expect(replay.code).toBe(0);
  expect(JSON.parse(replay.stdout)).toEqual([{ file, ok: true }]);
}, 300_000); // a dozen CLI starts and a Python sandbox: well over a minute on a busy machine

test('par run waits and prints the replies; bad input is a clear error', async () => {
  const r = await runPar(['run', 'customer_service_agent', '--input', '{"message":"write me a poem","customer_name":"Ada"}'], env);
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/^> Thanks Ada, I have passed your message/m);
  const bad = await runPar(['run', 'customer_service_agent', '--input', '{"message": 42}'], env);
  expect(bad).toMatchObject({ code: 2, stderr: 'par: input.message must be a string\n' });
  const missing = await runPar(['flow', 'run', 'no_such_flow'], env);
  expect(missing.code).toBe(2);
  expect(missing.stderr).toMatch(/flow "no_such_flow" not found/);
});

test('par status reports an unreachable Temporal clearly and exits non-zero', async () => {
  const r = await runPar(['status', '--json'], { PAR_TEMPORAL_ADDRESS: '127.0.0.1:1', PAR_API_URL: 'http://127.0.0.1:1' });
  expect(r.code).toBe(1);
  const s = JSON.parse(r.stdout);
  expect(s).toMatchObject({ healthy: false, temporal: { address: '127.0.0.1:1', reachable: false }, api: { healthy: false } });
});
