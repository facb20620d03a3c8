import { andThen } from '../flow/eventually';
import { decide } from './decide';
import { next, type NodeSpec } from './node-spec';
import { MODEL_PARAM } from './param-specs';

/** A fast yes/no decision about the user's message: two outputs, yes and no. */
export const recognizeNode: NodeSpec = {
  type: 'recognize',
  title: 'Recognize',
  category: 'model',
  description: "A fast yes/no decision about the user's message.",
  params: [{ name: 'question', kind: 'template', required: true, description: 'the yes/no question about the message', example: 'Is this a refund request?' }, MODEL_PARAM],
  outputs: { names: ['yes', 'no'] },
  shape(p) {
    p.str('model');
    return { outputs: ['yes', 'no'], templates: { 'params.question': p.str('question', { required: true }) } };
  },
  run(_node, p, engine) {
    return andThen(decide(engine, p, { kind: 'recognize', instruction: p.str('question')! }), (r) => next(r.answer === true ? 'yes' : 'no'));
  },
};
