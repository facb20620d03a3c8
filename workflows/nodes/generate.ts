import { generateText, modelParamShape } from './model-call';
import { next, type NodeSpec } from './node-spec';
import { MODEL_CALL_PARAMS, variableParam } from './param-specs';

/** Model text into a variable (not shown to the user); vault retrieval is on by default. */
export const generateNode: NodeSpec = {
  type: 'generate',
  title: 'Generate',
  category: 'model',
  description: 'Model text into a variable (not shown to the user); vault retrieval is on by default.',
  params: [
    { name: 'prompt', kind: 'template', required: true, description: 'instruction for the model', example: 'Summarise {message}' },
    variableParam('variable the text is written to', { required: true }),
    ...MODEL_CALL_PARAMS,
  ],
  outputs: { names: ['next'] },
  shape(p, flow) {
    const vaults = modelParamShape(p, flow);
    const variable = p.str('variable', { required: true });
    return { outputs: ['next'], vaults, writes: variable ? [variable] : [], templates: { 'params.prompt': p.str('prompt', { required: true }) } };
  },
  async run(_node, p, engine) {
    const result = await generateText(engine, p, p.str('prompt'), false);
    engine.setVariable(p.str('variable')!, result.text);
    return next();
  },
};
