// Flow runs, approvals, sessions and run token streams through the API, on a real Temporal dev
// server with the real worker (flowWorkflow + activities) and the real FlowService.
import { MemoryStreamBus, setSharedStreamBus } from '../../activities/streams';
import { FlowService } from '../../client/services/flows';
import { ParApiError, type StreamedEvent } from '../../client/sdk';
import { temporalTestContext, type TemporalTestContext } from '../helpers/temporal';
import { OpenAIWireServer } from '../models/helpers/openai-wire-server';
import { startTestApi, type TestApi } from './helpers/api';

let ctx: TemporalTestContext;
let api: TestApi;
let model: OpenAIWireServer;
const bus = new MemoryStreamBus();
const savedEnv = { key: process.env.OPENAI_API_KEY, url: process.env.OPENAI_BASE_URL };

beforeAll(async () => {
  model = await new OpenAIWireServer('sk-test').start();
  process.env.OPENAI_API_KEY = 'sk-test';
  process.env.OPENAI_BASE_URL = `${model.url}/v1`;
  setSharedStreamBus(bus);
  ctx = await temporalTestContext('api-flows');
  await ctx.startWorker();
  api = await startTestApi({ services: { flows: new FlowService(ctx.client, ctx.taskQueue), bus } });
});
afterAll(async () => {
  await api?.close();
  await ctx?.close();
  await model?.close();
  await bus.close();
  setSharedStreamBus(undefined);
  process.env.OPENAI_API_KEY = savedEnv.key;
  process.env.OPENAI_BASE_URL = savedEnv.url;
  if (savedEnv.key === undefined) delete process.env.OPENAI_API_KEY;
  if (savedEnv.url === undefined) delete process.env.OPENAI_BASE_URL;
});

const approvalFlow = {
  id: 'api_approve',
  version: '1',
  nodes: [
    { id: 'start', type: 'start', outputs: { next: 'ask' } },
    { id: 'ask', type: 'approval', params: { prompt: 'Refund {amount}?', approvers: ['manager'], variable: 'decision' }, outputs: { approved: 'yes', rejected: 'no' } },
    { id: 'yes', type: 'respond', params: { text: 'approved by {decision.by}' }, outputs: { next: 'done' } },
    { id: 'no', type: 'respond', params: { text: 'rejected: {decision.comment}' }, outputs: { next: 'done' } },
    { id: 'done', type: 'end' },
  ],
  variables: { amount: { type: 'number', default: 40 } },
};

const waitFlow = {
  id: 'api_wait',
  version: '1',
  nodes: [
    { id: 'start', type: 'start', outputs: { next: 'w' } },
    { id: 'w', type: 'wait', params: { duration: '1 hour' } },
  ],
};

async function until<T>(what: string, fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  let lastErr: unknown;
  while (Date.now() < deadline) {
    try {
      last = await fn();
      if (ok(last)) return last;
    } catch (err) {
      lastErr = err;
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`${what} never happened; last: ${JSON.stringify(last)?.slice(0, 300)} ${lastErr ?? ''}`);
}

async function apiError(p: Promise<unknown>): Promise<ParApiError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ParApiError);
  return err as ParApiError;
}

test('start, status, list with filters, approve (recording the key), history; other keys are refused', async () => {
  const manager = (await api.clientWith({ flows: ['api_approve'] }, 'manager')).client;
  const intern = (await api.clientWith({ flows: ['api_approve'] }, 'intern')).client;
  const outsider = (await api.clientWith({ vaults: { docs: 'admin' }, flows: ['other_flow'] })).client;

  expect((await apiError(outsider.startRun('api_approve', { definition: approvalFlow }))).status).toBe(403);
  const mismatch = await apiError(manager.startRun('api_approve', { definition: { ...approvalFlow, id: 'other' } }));
  expect([mismatch.status, mismatch.code]).toEqual([400, 'invalid_body']);
  expect((await apiError(manager.startRun('../package', {}))).code).toBe('invalid_flow_id');

  const started = await manager.startRun('api_approve', { definition: approvalFlow, variables: { amount: 75 } });
  expect(started.flowId).toBe('api_approve');
  const waiting = await until('the approval', () => manager.getRun<{ pendingApprovals: { prompt: string }[] }>(started.runId), (s) => s.status === 'waiting_approval');
  expect(waiting.pendingApprovals[0].prompt).toBe('Refund 75?');

  const listed = await until('the run in the filtered list', () => manager.listRuns({ flow: 'api_approve', status: 'waiting_approval' }), (l) => l.runs.some((r) => r.runId === started.runId));
  expect(listed.runs.every((r) => r.flowId === 'api_approve')).toBe(true);
  expect((await outsider.listRuns()).runs.map((r) => r.runId)).not.toContain(started.runId);
  expect((await apiError(outsider.getRun(started.runId))).status).toBe(403);

  const denied = await apiError(outsider.approve(started.runId));
  expect([denied.status, denied.code]).toEqual([403, 'forbidden']);
  expect(denied.message).toMatch(/may not approve flow "api_approve"/);
  const notApprover = await apiError(intern.approve(started.runId));
  expect([notApprover.status, notApprover.code]).toEqual([409, 'approval_refused']);
  expect(notApprover.message).toMatch(/"intern" may not decide approval "ask"/);

  const decided = await manager.approve(started.runId, { comment: 'fine' });
  expect(decided).toMatchObject({ decision: 'approve', by: 'manager', node: 'ask' });
  const done = await until('completion', () => manager.getRun<{ approvals: { by: string; comment: string }[]; responses: string[] }>(started.runId), (s) => s.status === 'completed');
  expect(done.approvals[0]).toMatchObject({ by: 'manager', comment: 'fine', decision: 'approve' });
  expect(done.responses).toEqual(['approved by manager']);

  const history = (await manager.history(started.runId)) as { events: { eventType?: string }[] };
  expect(history.events.length).toBeGreaterThan(5);
  expect((await apiError(manager.getRun('no-such-run'))).code).toBe('run_not_found');
});

test('reject with a comment, and cancel', async () => {
  const c = (await api.clientWith({ flows: ['api_approve', 'api_wait'] }, 'boss')).client;
  const r = await c.startRun('api_approve', { definition: { ...approvalFlow, nodes: approvalFlow.nodes.map((n) => (n.id === 'ask' ? { ...n, params: { ...n.params, approvers: [] } } : n)) } });
  await until('the approval', () => c.getRun(r.runId), (s) => s.status === 'waiting_approval');
  expect(await c.reject(r.runId, { comment: 'out of policy' })).toMatchObject({ decision: 'reject', by: 'boss' });
  const rejected = await until('completion', () => c.getRun<{ responses: string[] }>(r.runId), (s) => s.status === 'completed');
  expect(rejected.responses).toEqual(['rejected: out of policy']);
  // A key for every flow decides without the run's flow being looked up first: an unknown run is still a clear 404.
  const everyFlow = (await api.clientWith({ flows: ['*'] }, 'chief')).client;
  const unknown = await apiError(everyFlow.approve('no-such-run'));
  expect([unknown.status, unknown.code]).toEqual([404, 'run_not_found']);

  const w = await c.startRun('api_wait', { definition: waitFlow });
  await until('the timer', () => c.getRun(w.runId), (s) => s.status === 'waiting_timer');
  expect(await c.cancel(w.runId)).toEqual({ runId: w.runId, cancelled: true });
  await until('cancellation', () => c.getRun(w.runId), (s) => s.status === 'cancelled');
});

test("running a flow never reaches vaults or memories outside the key's grants", async () => {
  const reader = (vault: string, extra: Record<string, unknown> = {}) => ({
    id: 'api_reader',
    version: '1',
    ...extra,
    nodes: [
      { id: 'start', type: 'start', outputs: { next: 'find' } },
      { id: 'find', type: 'retrieve', params: { vault, query: '{message}', variable: 'found' }, outputs: { next: 'done' } },
      { id: 'done', type: 'end' },
    ],
  });
  const c = (await api.clientWith({ vaults: { public: 'read' }, flows: ['*'] })).client;
  const secret = await apiError(c.startRun('api_reader', { definition: reader('secret'), message: 'x' }));
  expect([secret.status, secret.code]).toEqual([403, 'forbidden']);
  expect(secret.message).toMatch(/vault "secret", which flow "api_reader" node "find" params.vault uses/);
  const templated = await apiError(c.startRun('api_reader', { definition: reader('{which}', { variables: { which: { type: 'string' } } }), variables: { which: 'secret' }, message: 'x' }));
  expect(templated.message).toMatch(/template \("\{which\}"\).*--grant '\*:read'/);
  // A registered flow (flows/customer_service_agent.yaml reads vault customer_support).
  const registered = await apiError(c.startRun('customer_service_agent', { message: 'hi' }));
  expect(registered.message).toMatch(/vault "customer_support"/);
  const memory = await apiError(c.startRun('api_reader', { definition: reader('public', { memory: { mode: 'facts' } }), tenant: 'alice', message: 'x' }));
  expect(memory.message).toMatch(/tenant "alice": the key needs --grant memory:alice:write/);
  const ok = await c.startRun('api_reader', { definition: reader('public'), message: 'x' });
  await until('completion', () => c.getRun(ok.runId), (s) => s.status === 'completed');
});

test('validate reports issues naming the node', async () => {
  const c = (await api.clientWith({ flows: [] })).client;
  expect(await c.validateFlow(approvalFlow)).toEqual({ flow: 'api_approve', valid: true, issues: [] });
  const bad = (await c.validateFlow({ id: 'broken', version: '1', nodes: [{ id: 'start', type: 'start', outputs: { next: 'missing' } }] })) as { valid: boolean; issues: { node?: string; message: string }[] };
  expect(bad.valid).toBe(false);
  expect(bad.issues.some((i) => i.node === 'start' && /missing/.test(i.message))).toBe(true);
});

test('sessions: send messages and read the conversation; flow grants apply', async () => {
  const echo = {
    id: 'api_echo',
    version: '1',
    nodes: [
      { id: 'start', type: 'start', outputs: { next: 'reply' } },
      { id: 'reply', type: 'respond', params: { text: 'you said: {message}' }, outputs: { next: 'done' } },
      { id: 'done', type: 'end' },
    ],
  };
  const { client: c, key } = await api.clientWith({ flows: ['api_echo'] });
  const other = (await api.clientWith({ flows: ['something_else'] })).client;
  const session = `s-${Date.now()}`;
  const first = await apiError(c.sendSessionMessage(session, 'hello'));
  expect([first.status, first.code]).toEqual([400, 'invalid_body']);
  expect(first.message).toMatch(/body.flow/);
  expect((await apiError(other.readSession(session))).status).toBe(404);
  const send = (body: unknown) =>
    fetch(`${api.url}/v1/sessions/${session}/messages`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const res = await send({ message: 'hello', definition: echo });
  const reply = (await res.json()) as { status: string; responses: string[]; turn: number };
  expect(res.status).toBe(200);
  expect(reply).toMatchObject({ status: 'completed', responses: ['you said: hello'] });
  const second = await c.sendSessionMessage(session, 'and again', { definition: echo });
  expect(second.responses).toEqual(['you said: and again']);
  const read = (await c.readSession(session)) as { flowId: string; turns: number; messages: { role: string; content: string }[] };
  expect(read.flowId).toBe('api_echo');
  expect(read.turns).toBe(2);
  expect(read.messages.filter((m) => m.role === 'user').map((m) => m.content)).toEqual(['hello', 'and again']);
  expect((await apiError(other.readSession(session))).status).toBe(403);
  expect((await apiError(other.sendSessionMessage(session, 'hi again', { definition: echo }))).status).toBe(403);
  const wrongFlow = await send({ message: 'x', flow: 'other_flow' });
  expect(wrongFlow.status).toBe(400);
});

test("a run's model tokens stream as server-sent events and resume from Last-Event-ID", async () => {
  const flow = {
    id: 'api_stream',
    version: '1',
    defaults: { model: 'openai:gpt-test' },
    nodes: [
      { id: 'start', type: 'start', outputs: { next: 'answer' } },
      { id: 'answer', type: 'respond', params: { prompt: 'Answer briefly.' }, outputs: { next: 'done' } },
      { id: 'done', type: 'end' },
    ],
  };
  model.reset();
  model.enqueue({ text: 'one two three four five six', chunkDelayMs: 60 });
  const c = (await api.clientWith({ flows: ['api_stream'] })).client;
  const r = await c.startRun('api_stream', { definition: flow, message: 'count' });
  const events: StreamedEvent[] = [];
  for await (const e of c.runEvents(r.runId)) events.push(e);
  const tokens = events.filter((e) => e.type === 'token').map((e) => (e as { text: string }).text).join('');
  expect(tokens).toBe('one two three four five six');
  expect(events.at(-1)).toMatchObject({ type: 'done', text: 'one two three four five six' });
  expect(events.find((e) => e.type === 'usage')).toBeDefined();
  // A client that saw only up to event 2 gets the rest, without repeats.
  const resumed: StreamedEvent[] = [];
  for await (const e of c.runEvents(r.runId, 2)) resumed.push(e);
  expect(resumed.map((e) => e.id)).toEqual(events.filter((e) => e.id! > 2).map((e) => e.id));
  const stranger = (await api.clientWith({ flows: ['x'] })).client;
  const it = stranger.runEvents(r.runId)[Symbol.asyncIterator]();
  expect((await apiError(it.next())).status).toBe(403);
});
