// Temporal's workflow sandbox captures a source-mapped stack trace for every promise workflow code
// creates, so the interpreter's per-node path must not make promises it does not need
// (docs/performance.md). These run the real interpreter and node types outside Temporal, where
// control nodes touch no workflow API, and count the promises with V8's own hook.
import v8 from 'node:v8';
import { andThen, awaiting, settle } from '../../workflows/flow/eventually';
import { initialState } from '../../workflows/flow/initial-state';
import { RunEngine } from '../../workflows/flow/run-engine';
import type { FlowDefinition, FlowNode } from '../../workflows/flow/types';
import { NODE_SPECS } from '../../workflows/nodes/registry';

function chain(k: number, node: (i: number) => Omit<FlowNode, 'id' | 'outputs'>, out = 'next'): FlowDefinition {
  const ids = Array.from({ length: k }, (_, i) => `n${i}`);
  return {
    id: 'promises',
    version: '1',
    nodes: [
      { id: 'start', type: 'start', outputs: { next: ids[0] ?? 'done' } },
      ...ids.map((id, i): FlowNode => ({ ...node(i), id, outputs: { [out]: ids[i + 1] ?? 'done' } }) as FlowNode),
      { id: 'done', type: 'end', params: { text: 'bye {v0}' } },
    ],
  };
}

/** Promises created while the interpreter runs the flow, and the finished engine. */
async function promisesOf(def: FlowDefinition): Promise<{ promises: number; engine: RunEngine }> {
  const engine = new RunEngine(def, { definition: def, prepared: true }, initialState(def, { definition: def }, 'promises'), NODE_SPECS);
  let promises = 0;
  const stop = v8.promiseHooks.onInit(() => void promises++);
  try {
    await engine.interpret(engine.startNode());
  } finally {
    stop();
  }
  return { promises, engine };
}

test.each([
  ['set_variable', (i: number) => ({ type: 'set_variable' as const, params: { name: `v${i}`, value: i } }), 'next'],
  ['if', () => ({ type: 'if' as const, params: { conditions: [{ variable: 'flow_id', op: 'exists' }] } }), 'then'],
  ['respond with text', () => ({ type: 'respond' as const, params: { text: 'hi {message}' } }), 'next'],
])('a %s node creates no promise: a flow of 50 costs what a flow of 1 does', async (_label, node, out) => {
  await promisesOf(chain(1, node, out)); // the first run loads what it uses
  const one = await promisesOf(chain(1, node, out));
  const fifty = await promisesOf(chain(50, node, out));
  expect(fifty.promises).toBe(one.promises);
  // ...and the nodes did run, every one of them.
  expect(fifty.engine.state.trail.map((t) => t.output)).toEqual(['next', ...Array(50).fill(out), 'end']);
});

test('the interpreter waits for a node that returns a promise, and for the calls it then awaits', async () => {
  const def = chain(1, () => ({ type: 'set_variable', params: { name: 'v0', value: 'now' } }));
  const engine = new RunEngine(def, { definition: def, prepared: true }, initialState(def, { definition: def }, 'promises'), {
    ...NODE_SPECS,
    set_variable: {
      ...NODE_SPECS.set_variable,
      run: async (_node, _p, e) => {
        await Promise.resolve();
        return awaiting(Promise.resolve('later'), (v) => (e.setVariable('v0', v), { output: 'next' }));
      },
    },
  });
  await engine.interpret(engine.startNode());
  expect(engine.state.responses).toEqual(['bye later']);
});

test('Eventually: andThen applies at once to a value, composes over calls, and settle awaits each call in turn', async () => {
  let ran = false;
  expect(andThen(2, (v) => ((ran = true), v * 3))).toBe(6);
  expect(ran).toBe(true);

  const calls: string[] = [];
  const chained = andThen(
    awaiting(Promise.resolve('a'), (a) => (calls.push(a), awaiting(Promise.resolve('b'), (b) => (calls.push(b), `${a}${b}`)))),
    (ab) => `${ab}!`,
  );
  expect(calls).toEqual([]);
  await expect(settle(chained)).resolves.toBe('ab!');
  expect(calls).toEqual(['a', 'b']);

  await expect(settle(andThen(Promise.resolve(4), (v) => awaiting(Promise.resolve(v + 1), (w) => w * 2)))).resolves.toBe(10);
  await expect(settle(awaiting(Promise.reject(new Error('read failed')), () => 'never'))).rejects.toThrow('read failed');
});
