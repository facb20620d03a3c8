import { next, type NodeSpec } from './node-spec';

/** Where every run begins. */
export const startNode: NodeSpec = {
  type: 'start',
  shape: () => ({ outputs: ['next'] }),
  run: async () => next(),
};
