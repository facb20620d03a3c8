import { type NodeSpec } from './node-spec';

/** Ends the run, optionally with a final static reply. */
export const endNode: NodeSpec = {
  type: 'end',
  title: 'End',
  category: 'flow',
  description: 'Ends the run, optionally with a final static reply.',
  params: [{ name: 'text', kind: 'template', description: 'a final reply', example: 'Bye {message}' }],
  outputs: { names: [] },
  shape: (p) => ({ outputs: [], terminal: true, templates: { 'params.text': p.str('text') } }),
  run(_node, p, engine) {
    const text = p.str('text');
    if (text) engine.respond(engine.render(text));
    return { end: true };
  },
};
