import { andThen } from '../flow/eventually';
import { decide } from './decide';
import { next, type NodeSpec } from './node-spec';
import { MODEL_PARAM, variableParam } from './param-specs';

/** Multiple choice: one output per option, named after the option. */
export const chooseNode: NodeSpec = {
  type: 'choose',
  title: 'Choose',
  category: 'model',
  description: 'Multiple choice about the message: one output per option, named after the option.',
  params: [
    { name: 'question', kind: 'template', required: true, description: 'what to choose', example: 'Which department?' },
    { name: 'options', kind: 'options', required: true, description: 'the choices; each is also an output name', example: ['sales', 'support'] },
    variableParam('variable the chosen option is written to'),
    MODEL_PARAM,
  ],
  outputs: { fromParam: 'options', description: 'one output per option, named after it' },
  shape(p) {
    p.str('model');
    const options = p.strArray('options', { required: true, nonEmpty: true }) ?? [];
    if (new Set(options).size !== options.length) p.report('params.options', 'must not repeat an option');
    const variable = p.str('variable');
    return { outputs: options, writes: variable ? [variable] : [], templates: { 'params.question': p.str('question', { required: true }) } };
  },
  run(_node, p, engine) {
    const options = p.strArray('options')!;
    return andThen(decide(engine, p, { kind: 'choose', instruction: p.str('question')!, options }), (r) => {
      const chosen = options[r.optionIndex ?? options.indexOf(String(r.answer))] ?? options[0];
      const variable = p.str('variable');
      if (variable) engine.setVariable(variable, chosen);
      return next(chosen);
    });
  },
};
