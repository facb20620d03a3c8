import { decide } from './decide';
import { next, type NodeSpec } from './node-spec';

/** Extracts a number from the message into a variable (null when there is none). */
export const numberNode: NodeSpec = {
  type: 'number',
  shape(p) {
    p.str('model');
    const variable = p.str('variable', { required: true });
    return { outputs: ['next'], writes: variable ? [variable] : [], templates: { 'params.question': p.str('question', { required: true }) } };
  },
  async run(_node, p, engine) {
    const r = await decide(engine, p, { kind: 'number', instruction: p.str('question')! });
    engine.setVariable(p.str('variable')!, typeof r.answer === 'number' ? r.answer : null);
    return next();
  },
};
