import { generateText, modelParamShape } from './model-call';
import { next, type NodeSpec } from './node-spec';
import { MODEL_CALL_PARAMS } from './param-specs';

/** Replies to the user: a static text, or a model answer (streamed) guided by an optional prompt. */
export const respondNode: NodeSpec = {
  type: 'respond',
  title: 'Respond',
  category: 'reply',
  description: 'Replies to the user: a static text, or a model answer (streamed) guided by an optional prompt.',
  params: [
    { name: 'text', kind: 'template', description: 'a static reply (no model call); give either text or prompt', example: 'Hello {message}' },
    { name: 'prompt', kind: 'template', description: 'system instruction for a model reply', example: 'Answer briefly.' },
    ...MODEL_CALL_PARAMS,
  ],
  outputs: { names: ['next'] },
  shape(p, flow) {
    const vaults = modelParamShape(p, flow);
    const text = p.str('text');
    const prompt = p.str('prompt');
    if (text !== undefined && prompt !== undefined) p.report('params.text', 'give either text (a static reply) or prompt (a model reply), not both');
    return { outputs: ['next'], vaults: text === undefined ? vaults : [], templates: { 'params.text': text, 'params.prompt': prompt } };
  },
  run(_node, p, engine) {
    const text = p.str('text');
    if (text !== undefined) {
      engine.respond(engine.render(text));
      return next();
    }
    return generateText(engine, p, p.str('prompt'), true).then((result) => {
      engine.respond(result.text);
      return next();
    });
  },
};
