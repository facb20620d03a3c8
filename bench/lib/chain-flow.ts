import type { FlowDefinition, FlowNode } from '../../workflows/flow/types';

/** The output a node of this type takes when it goes on (an `if` goes on by "then", a `recognize` by "yes"). */
function onwardOutput(type: string): string {
  return type === 'if' ? 'then' : type === 'recognize' ? 'yes' : 'next';
}

/**
 * A flow of `k` nodes one after another, start to end, each made by `node(i)`: what the engine
 * benchmarks run to price one node type (the run with k nodes against the run with none).
 */
export function chainFlow(id: string, k: number, node: (i: number) => Omit<FlowNode, 'id' | 'outputs'>, out?: string): FlowDefinition {
  const ids = Array.from({ length: k }, (_, i) => `n${i}`);
  return {
    id,
    version: '1',
    defaults: { vault: 'bench' },
    nodes: [
      { id: 'start', type: 'start', outputs: { next: ids[0] ?? 'done' } },
      ...ids.map((nid, i): FlowNode => {
        const n = node(i);
        return { ...n, id: nid, outputs: { [out ?? onwardOutput(n.type)]: ids[i + 1] ?? 'done' } } as FlowNode;
      }),
      { id: 'done', type: 'end', params: { text: 'done' } },
    ],
  };
}
