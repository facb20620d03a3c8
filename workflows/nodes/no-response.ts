import { type NodeSpec } from './node-spec';

/** Ends the run without replying. */
export const noResponseNode: NodeSpec = {
  type: 'no_response',
  title: 'No response',
  category: 'flow',
  description: 'Ends the run without replying.',
  params: [],
  outputs: { names: [] },
  shape: () => ({ outputs: [], terminal: true }),
  run: () => ({ end: true }),
};
