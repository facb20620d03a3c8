import { andThen } from '../flow/eventually';
import { decide } from './decide';
import { next, type NodeSpec } from './node-spec';
import { MODEL_PARAM, variableParam } from './param-specs';

/** Extracts a number from the message into a variable (null when there is none). */
export const numberNode: NodeSpec = {
  type: 'number',
  title: 'Number',
  category: 'model',
  description: 'Extracts a number from the message into a variable (null when there is none).',
  params: [
    { name: 'question', kind: 'template', required: true, description: 'which number to extract', example: 'What amount is asked for?' },
    variableParam('variable the number is written to', { required: true }),
    MODEL_PARAM,
  ],
  outputs: { names: ['next'] },
  shape(p) {
    p.str('model');
    const variable = p.str('variable', { required: true });
    return { outputs: ['next'], writes: variable ? [variable] : [], templates: { 'params.question': p.str('question', { required: true }) } };
  },
  run(_node, p, engine) {
    return andThen(decide(engine, p, { kind: 'number', instruction: p.str('question')! }), (r) => {
      engine.setVariable(p.str('variable')!, typeof r.answer === 'number' ? r.answer : null);
      return next();
    });
  },
};
