import { generateText, modelParamShape } from './model-call';
import { next, type NodeSpec } from './node-spec';

/** Replies to the user: a static text, or a model answer (streamed) guided by an optional prompt. */
export const respondNode: NodeSpec = {
  type: 'respond',
  shape(p) {
    modelParamShape(p);
    const text = p.str('text');
    const prompt = p.str('prompt');
    if (text !== undefined && prompt !== undefined) p.report('params.text', 'give either text (a static reply) or prompt (a model reply), not both');
    return { outputs: ['next'], templates: { 'params.text': text, 'params.prompt': prompt } };
  },
  async run(_node, p, engine) {
    const text = p.str('text');
    if (text !== undefined) {
      engine.respond(engine.render(text));
      return next();
    }
    const result = await generateText(engine, p, p.str('prompt'), true);
    engine.respond(result.text);
    return next();
  },
};
