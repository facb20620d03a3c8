import { type NodeSpec } from './node-spec';

/** Ends the run without replying. */
export const noResponseNode: NodeSpec = {
  type: 'no_response',
  shape: () => ({ outputs: [], terminal: true }),
  run: async () => ({ end: true }),
};
