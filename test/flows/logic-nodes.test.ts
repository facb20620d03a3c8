import { temporalTestContext, type TemporalTestContext } from '../helpers/temporal';
import { flowDef, localActivities, scheduledActivities, startFlow } from '../helpers/flows';
import type { FlowNode } from '../../workflows/flow/types';

let ctx: TemporalTestContext;
beforeAll(async () => {
  ctx = await temporalTestContext('logic');
  await ctx.startWorker();
});
afterAll(async () => ctx?.close());

const branchy = flowDef(
  'branchy',
  [
    { id: 'start', type: 'start', outputs: { next: 'set' } },
    { id: 'set', type: 'set_variable', params: { values: { greeting: 'Hi {name}', total: '{order.total}' } }, outputs: { next: 'check' } },
    {
      id: 'check',
      type: 'if',
      params: { combine: 'and', conditions: [{ variable: 'total', op: '>', value: 100 }, { variable: 'order.items', op: 'contains', value: 'lamp' }] },
      outputs: { then: 'big', else: 'small' },
    },
    { id: 'big', type: 'respond', params: { text: '{greeting}, a big order of {total}' }, outputs: { next: 'done' } },
    { id: 'small', type: 'respond', params: { text: '{greeting}, a small order' }, outputs: { next: 'done' } },
    { id: 'done', type: 'end', params: { text: 'Bye {{for now}}' } },
  ],
  { variables: { name: { type: 'string', default: 'friend' }, order: { type: 'object' } } },
);

test('set_variable keeps JSON types, if/then takes the matching branch, templates render, end replies', async () => {
  const h = await startFlow(ctx.client, ctx.taskQueue, branchy, { variables: { name: 'Ada', order: { total: 120, items: ['lamp', 'desk'] } } });
  const r = await h.result();
  expect(r.responses).toEqual(['Hi Ada, a big order of 120', 'Bye {for now}']);
  expect(r.variables.total).toBe(120);
  expect(r.trail.map((t) => `${t.node}:${t.output}`)).toEqual(['start:next', 'set:next', 'check:then', 'big:next', 'done:end']);
  expect(await scheduledActivities(h)).toEqual([]);
  expect(await localActivities(h)).toEqual([]);
});

test('if/then with OR and the else branch; defaults apply when input omits a variable', async () => {
  const h = await startFlow(ctx.client, ctx.taskQueue, branchy, { variables: { order: { total: 20, items: ['pen'] } } });
  const r = await h.result();
  expect(r.responses[0]).toBe('Hi friend, a small order');
});

test('a run input of the wrong declared type fails with an error naming the variable', async () => {
  const h = await startFlow(ctx.client, ctx.taskQueue, branchy, { variables: { order: 'not an object' } });
  await expect(h.result()).rejects.toMatchObject({ cause: { message: expect.stringMatching(/variable "order" must be object/) } });
});

test('an invalid definition fails the run before any node runs, naming node and field', async () => {
  const bad = flowDef('bad', [{ id: 'start', type: 'start', outputs: { next: 'nowhere' } }]);
  const h = await startFlow(ctx.client, ctx.taskQueue, bad);
  await expect(h.result()).rejects.toMatchObject({ cause: { message: expect.stringMatching(/node "start" outputs.next: points to "nowhere"/) } });
});

test('store sets, gets and deletes a key through the key-value activity', async () => {
  const def = flowDef('kv', [
    { id: 'start', type: 'start', outputs: { next: 'put' } },
    { id: 'put', type: 'store', params: { op: 'set', namespace: 'kv-test', key: 'user:{name}', value: { plan: 'pro', seats: 3 } }, outputs: { next: 'get' } },
    { id: 'get', type: 'store', params: { op: 'get', namespace: 'kv-test', key: 'user:{name}', variable: 'profile' }, outputs: { next: 'del' } },
    { id: 'del', type: 'store', params: { op: 'delete', namespace: 'kv-test', key: 'user:{name}' }, outputs: { next: 'again' } },
    { id: 'again', type: 'store', params: { op: 'get', namespace: 'kv-test', key: 'user:{name}', variable: 'gone' }, outputs: { next: 'done' } },
    { id: 'done', type: 'end' },
  ], { variables: { name: { type: 'string' } } });
  const r = await (await startFlow(ctx.client, ctx.taskQueue, def, { variables: { name: 'ada' } })).result();
  expect(r.variables.profile).toEqual({ plan: 'pro', seats: 3 });
  expect(r.variables.gone).toBeNull();
});

test('a failing node takes its error output; without one the run fails naming the node', async () => {
  const nodes = (withError: boolean): FlowNode[] => [
    { id: 'start', type: 'start' as const, outputs: { next: 'search' } },
    { id: 'search', type: 'retrieve' as const, params: { query: 'x' }, outputs: { next: 'done', ...(withError ? { error: 'sorry' } : {}) } },
    ...(withError ? [{ id: 'sorry', type: 'respond' as const, params: { text: 'search failed' }, outputs: { next: 'done' } }] : []),
    { id: 'done', type: 'end' as const },
  ];
  const ok = await (await startFlow(ctx.client, ctx.taskQueue, flowDef('err-out', nodes(true)))).result();
  expect(ok.responses).toEqual(['search failed']);
  expect(ok.trail.find((t) => t.node === 'search')).toMatchObject({ output: 'error', error: expect.stringMatching(/no vault/) });
  const h = await startFlow(ctx.client, ctx.taskQueue, flowDef('err-fail', nodes(false)));
  await expect(h.result()).rejects.toMatchObject({ cause: { message: expect.stringMatching(/node "search" \(retrieve\) failed: no vault/) } });
});

test('no_response ends the run without a reply', async () => {
  const def = flowDef('quiet', [
    { id: 'start', type: 'start', outputs: { next: 'q' } },
    { id: 'q', type: 'no_response' },
  ]);
  const r = await (await startFlow(ctx.client, ctx.taskQueue, def, { message: 'hello?' })).result();
  expect(r.responses).toEqual([]);
  expect(r.response).toBeUndefined();
});
