import type { JsonValue } from '../flow/types';
import { next, type NodeSpec } from './node-spec';

/** Sets one variable (name + value) or several (values); string values are templates. */
export const setVariableNode: NodeSpec = {
  type: 'set_variable',
  title: 'Set variable',
  category: 'data',
  description: 'Sets one variable (name + value) or several (values); string values are templates.',
  params: [
    { name: 'name', kind: 'variable', description: 'the variable to set (with value); give name or values', example: 'greeting' },
    { name: 'value', kind: 'json', description: 'its value (strings are templates)', example: 'Hi {message}' },
    { name: 'values', kind: 'variables', description: 'several variables: name -> value', example: { count: 1 } },
  ],
  outputs: { names: ['next'] },
  example: { name: 'greeting', value: 'Hi {message}' },
  shape(p) {
    const name = p.str('name');
    const values = p.object('values');
    if (!name && !values) p.str('name', { required: true });
    if (name && !p.has('value')) p.report('params.value', 'is required with params.name');
    const all: Record<string, JsonValue> = { ...(values ?? {}), ...(name ? { [name]: p.raw('value') ?? null } : {}) };
    const templates: Record<string, string> = {};
    for (const [k, v] of Object.entries(all)) if (typeof v === 'string') templates[`params.values.${k}`] = v;
    return { outputs: ['next'], writes: Object.keys(all), templates };
  },
  run(_node, p, engine) {
    const name = p.str('name');
    const all: Record<string, JsonValue> = { ...(p.object('values') ?? {}), ...(name ? { [name]: p.raw('value') ?? null } : {}) };
    for (const [k, v] of Object.entries(all)) engine.setVariable(k, engine.renderValue(v));
    engine.detail({ set: Object.keys(all) });
    return next();
  },
};
