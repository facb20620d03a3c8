import type { JsonValue } from '../flow/types';
import type { ParamReader } from '../flow/params';
import { settle } from '../flow/eventually';
import { decide } from './decide';
import { next, type NodeSpec } from './node-spec';
import { MODEL_PARAM } from './param-specs';

interface CaptureField {
  name: string;
  description: string;
}

function readFields(p: ParamReader): CaptureField[] {
  const fields: CaptureField[] = [];
  (p.list('fields', { required: true, nonEmpty: true }) ?? []).forEach((f, i) => {
    const o = f as Record<string, JsonValue> | null;
    if (!o || typeof o !== 'object' || typeof o.name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(o.name)) {
      return p.report(`params.fields[${i}].name`, 'must be a variable name (letters, digits, _)');
    }
    if (typeof o.description !== 'string' || !o.description.trim()) return p.report(`params.fields[${i}].description`, 'must describe the field');
    fields.push({ name: o.name, description: o.description });
  });
  return fields;
}

/** Extracts several fields from the message into variables, all in parallel. */
export const captureNode: NodeSpec = {
  type: 'capture',
  title: 'Capture',
  category: 'model',
  description: 'Extracts several fields from the message into variables, all in parallel.',
  params: [
    {
      name: 'fields',
      kind: 'fields',
      required: true,
      description: 'the fields to extract, each into the variable of its name',
      items: [
        { name: 'name', kind: 'variable', required: true, description: 'variable name (letters, digits, _)' },
        { name: 'description', kind: 'template', required: true, description: 'what to extract' },
      ],
      example: [{ name: 'order_id', description: 'the order number' }],
    },
    MODEL_PARAM,
  ],
  outputs: { names: ['next'] },
  shape(p) {
    p.str('model');
    const fields = readFields(p);
    return { outputs: ['next'], writes: fields.map((f) => f.name), templates: Object.fromEntries(fields.map((f, i) => [`params.fields[${i}].description`, f.description])) };
  },
  async run(_node, p, engine) {
    const fields = readFields(p);
    const results = await Promise.all(fields.map((f) => settle(decide(engine, p, { kind: 'extract', instruction: f.description }))));
    fields.forEach((f, i) => engine.setVariable(f.name, results[i].answer as JsonValue));
    engine.detail({ captured: Object.fromEntries(fields.map((f, i) => [f.name, results[i].answer as JsonValue])) });
    return next();
  },
};
