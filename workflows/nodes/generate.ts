import { generateText, modelParamShape } from './model-call';
import { next, type NodeSpec } from './node-spec';

/** Model text into a variable (not shown to the user); vault retrieval is on by default. */
export const generateNode: NodeSpec = {
  type: 'generate',
  shape(p) {
    modelParamShape(p);
    const variable = p.str('variable', { required: true });
    return { outputs: ['next'], writes: variable ? [variable] : [], templates: { 'params.prompt': p.str('prompt', { required: true }) } };
  },
  async run(_node, p, engine) {
    const result = await generateText(engine, p, p.str('prompt'), false);
    engine.setVariable(p.str('variable')!, result.text);
    return next();
  },
};
