import { temporalTestContext, type TemporalTestContext } from '../helpers/temporal';
import { flowDef, startFlow, waitForState } from '../helpers/flows';
import type { FlowDefinition } from '../../workflows/flow/types';

let ctx: TemporalTestContext;
beforeAll(async () => {
  ctx = await temporalTestContext('children');
  await ctx.startWorker();
});
afterAll(async () => ctx?.close());

// A branch that sleeps `delay`, then writes `result` and a variable of its own.
const worker: FlowDefinition = flowDef(
  'worker_flow',
  [
    { id: 'start', type: 'start', outputs: { next: 'nap' } },
    { id: 'nap', type: 'wait', params: { duration: '{delay}' as never }, outputs: { next: 'write' } },
    { id: 'write', type: 'set_variable', params: { values: { result: '{label} done', shared: '{label}' } }, outputs: { next: 'say' } },
    { id: 'say', type: 'respond', params: { text: '{label} reporting' } },
  ],
  { variables: { delay: { type: 'any', default: 0 }, label: { type: 'string', default: 'w' } } },
);

test('wait pauses the run durably (status waiting_timer) and then continues', async () => {
  const def = flowDef('napper', [
    { id: 'start', type: 'start', outputs: { next: 'nap' } },
    // Long enough that polling the state sees the wait even when queries are slow on a busy machine.
    { id: 'nap', type: 'wait', params: { duration: '5 seconds' }, outputs: { next: 'done' } },
    { id: 'done', type: 'end', params: { text: 'awake' } },
  ]);
  const h = await startFlow(ctx.client, ctx.taskQueue, def);
  await waitForState(h, (s) => s.status === 'waiting_timer');
  const r = await h.result();
  expect(r.responses).toEqual(['awake']);
  expect(r.trail.find((t) => t.node === 'nap')!.durationMs).toBeGreaterThanOrEqual(5000);
});

test('run_flow with wait gets a copy of the variables and merges back what the child wrote', async () => {
  const parent = flowDef(
    'parent',
    [
      { id: 'start', type: 'start', outputs: { next: 'child' } },
      { id: 'child', type: 'run_flow', params: { flow: 'worker_flow', variables: { label: 'kid' }, resultVariable: 'child_result' }, outputs: { next: 'after' } },
      { id: 'after', type: 'respond', params: { text: 'parent sees {result}, keeps {mine}' } },
    ],
    { variables: { mine: { type: 'string', default: 'own' } } },
  );
  const r = await (await startFlow(ctx.client, ctx.taskQueue, parent, { library: { worker_flow: worker } })).result();
  expect(r.responses).toEqual(['kid reporting', 'parent sees kid done, keeps own']);
  expect(r.variables.child_result).toMatchObject({ written: { result: 'kid done', shared: 'kid' } });
  expect(r.variables.label).toBeUndefined();
  expect(r.trail.find((t) => t.node === 'child')!.detail).toMatchObject({ wait: true, child: expect.stringMatching(/\/child$/) });
});

test('run_flow without wait is fire-and-forget: the child outlives the parent', async () => {
  const parent = flowDef('launcher', [
    { id: 'start', type: 'start', outputs: { next: 'child' } },
    { id: 'child', type: 'run_flow', params: { flow: 'worker_flow', wait: false, variables: { delay: 2, label: 'bg' } }, outputs: { next: 'done' } },
    { id: 'done', type: 'end', params: { text: 'launched' } },
  ]);
  const h = await startFlow(ctx.client, ctx.taskQueue, parent, { library: { worker_flow: worker } });
  const r = await h.result();
  expect(r.responses).toEqual(['launched']);
  const childId = r.trail.find((t) => t.node === 'child')!.detail!.child as string;
  const child = await ctx.client.workflow.getHandle(childId).result();
  expect(child.responses).toEqual(['bg reporting']);
});

const fanout = (join: string, count: number | undefined, delays: { slow: number; fast: number; mid: number }) =>
  flowDef('fanout', [
    { id: 'start', type: 'start', outputs: { next: 'par' } },
    {
      id: 'par',
      type: 'parallel',
      params: {
        join,
        ...(count ? { count } : {}),
        branches: [
          { name: 'slow', flow: 'worker_flow', variables: { delay: delays.slow, label: 'slow' } },
          { name: 'fast', flow: 'worker_flow', variables: { delay: delays.fast, label: 'fast' } },
          { name: 'mid', flow: 'worker_flow', variables: { delay: delays.mid, label: 'mid' } },
        ],
      },
      outputs: { next: 'done' },
    },
    { id: 'done', type: 'end' },
  ]);

test('parallel join all runs every branch and merges writes in declaration order, reporting clashes', async () => {
  const r = await (await startFlow(ctx.client, ctx.taskQueue, fanout('all', undefined, { slow: 2, fast: 0, mid: 1 }), { library: { worker_flow: worker } })).result();
  const b = r.variables.branches as Record<string, { status: string; written: Record<string, string> }>;
  expect(Object.values(b).map((x) => x.status)).toEqual(['completed', 'completed', 'completed']);
  expect(b.fast.written.result).toBe('fast done');
  // All three wrote `shared`; the last declared branch (mid) wins.
  expect(r.variables.shared).toBe('mid');
  expect(r.trail.find((t) => t.node === 'par')!.detail).toMatchObject({ completed: 3, conflicts: expect.arrayContaining([{ variable: 'shared', branches: ['slow', 'fast', 'mid'] }]) });
});

test('parallel join any takes the first branch to finish and cancels the rest', async () => {
  const r = await (await startFlow(ctx.client, ctx.taskQueue, fanout('any', undefined, { slow: 60, fast: 0, mid: 30 }), { library: { worker_flow: worker } })).result();
  const b = r.variables.branches as Record<string, { status: string }>;
  expect(b.fast.status).toBe('completed');
  expect([b.slow.status, b.mid.status]).toEqual(['cancelled', 'cancelled']);
  expect(r.variables.result).toBe('fast done');
});

test('parallel join first N waits for N branches', async () => {
  const r = await (await startFlow(ctx.client, ctx.taskQueue, fanout('first', 2, { slow: 60, fast: 0, mid: 1 }), { library: { worker_flow: worker } })).result();
  const b = r.variables.branches as Record<string, { status: string }>;
  expect([b.fast.status, b.mid.status, b.slow.status]).toEqual(['completed', 'completed', 'cancelled']);
});
