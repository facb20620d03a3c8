import { next, type NodeSpec } from './node-spec';

/** Where every run begins. */
export const startNode: NodeSpec = {
  type: 'start',
  title: 'Start',
  category: 'flow',
  description: 'Where every run begins.',
  params: [],
  outputs: { names: ['next'] },
  shape: () => ({ outputs: ['next'] }),
  run: () => next(),
};
