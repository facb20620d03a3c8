import { localReads, vaultActivities } from '../flow/activities';
import { awaiting } from '../flow/eventually';
import { next, type NodeSpec } from './node-spec';
import { variableParam } from './param-specs';

/** Key-value storage (get, set, delete) in a namespace, by default the flow's vault or id. */
export const storeNode: NodeSpec = {
  type: 'store',
  title: 'Store',
  category: 'data',
  description: "Key-value storage (get, set, delete) in a namespace, by default the flow's vault or id.",
  params: [
    { name: 'op', kind: 'enum', required: true, enum: ['get', 'set', 'delete'], description: 'operation', example: 'set' },
    { name: 'key', kind: 'template', required: true, description: 'the key', example: 'last_order' },
    { name: 'value', kind: 'json', description: 'value to set (op set; strings are templates)', example: '{message}' },
    variableParam('variable the value is read into (op get)'),
    { name: 'namespace', kind: 'template', description: 'namespace; the flow default vault, else flow:<id>', example: 'orders' },
  ],
  outputs: { names: ['next'] },
  example: { op: 'set', key: 'last_order', value: '{message}' },
  shape(p) {
    const op = p.str('op', { required: true, oneOf: ['get', 'set', 'delete'] });
    const key = p.str('key', { required: true });
    const variable = p.str('variable');
    if (op === 'get' && !variable) p.report('params.variable', 'is required for op "get" (where the value goes)');
    if (op === 'set' && !p.has('value')) p.report('params.value', 'is required for op "set"');
    const value = p.raw('value');
    return {
      outputs: ['next'],
      writes: op === 'get' && variable ? [variable] : [],
      templates: { 'params.key': key, 'params.namespace': p.str('namespace'), 'params.value': typeof value === 'string' ? value : undefined },
    };
  },
  run(_node, p, engine) {
    const op = p.str('op') as 'get' | 'set' | 'delete';
    const namespace = engine.render(p.str('namespace') ?? engine.definition.defaults?.vault ?? `flow:${engine.definition.id}`);
    const key = engine.render(p.str('key')!);
    const value = op === 'set' ? engine.renderValue(p.raw('value') ?? null) : undefined;
    // A get is a fast read (a local activity); set and delete are writes and stay regular activities.
    const call = ((op === 'get' ? localReads() : undefined) ?? vaultActivities()).kvStore({ op, namespace, key, value });
    return awaiting(call, (r) => {
      if (op === 'get') engine.setVariable(p.str('variable')!, r.found ? (r.value ?? null) : null);
      engine.detail({ op, namespace, key, found: r.found });
      return next();
    });
  },
};
