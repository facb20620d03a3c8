import { CONDITION_OPS, evaluateAll, type Condition } from '../flow/conditions';
import type { JsonValue } from '../flow/types';
import { next, type NodeSpec } from './node-spec';

function readConditions(raw: JsonValue[] | undefined, issue?: (field: string, message: string) => void): Condition[] {
  const out: Condition[] = [];
  (raw ?? []).forEach((c, i) => {
    if (!c || typeof c !== 'object' || Array.isArray(c)) return issue?.(`params.conditions[${i}]`, 'must be an object {variable, op, value}');
    const { variable, op, value } = c as Record<string, JsonValue>;
    if (typeof variable !== 'string' || !variable) return issue?.(`params.conditions[${i}].variable`, 'must name a variable');
    if (typeof op !== 'string' || !(CONDITION_OPS as readonly string[]).includes(op)) {
      return issue?.(`params.conditions[${i}].op`, `must be one of ${CONDITION_OPS.join(', ')}, got ${JSON.stringify(op)}`);
    }
    out.push({ variable, op: op as Condition['op'], value: typeof value === 'string' ? value : (value ?? undefined) });
  });
  return out;
}

/** Branches on conditions over variables (==, !=, >, <, >=, <=, contains, exists), combined with AND or OR. */
export const ifNode: NodeSpec = {
  type: 'if',
  title: 'If',
  category: 'logic',
  description: 'Branches on conditions over variables (==, !=, >, <, >=, <=, contains, exists, not_exists), combined with AND or OR.',
  params: [
    {
      name: 'conditions',
      kind: 'conditions',
      required: true,
      description: 'the conditions',
      items: [
        { name: 'variable', kind: 'string', required: true, description: 'a variable name or path, e.g. order.total' },
        { name: 'op', kind: 'enum', required: true, enum: [...CONDITION_OPS], description: 'comparison' },
        { name: 'value', kind: 'json', description: 'compared value (strings are templates)' },
      ],
      example: [{ variable: 'message', op: 'exists' }],
    },
    { name: 'combine', kind: 'enum', enum: ['and', 'or'], default: 'and', description: 'how the conditions combine', example: 'or' },
  ],
  outputs: { names: ['then', 'else'] },
  shape(p) {
    const conditions = readConditions(p.list('conditions', { required: true, nonEmpty: true }), (f, m) => p.report(f, m));
    p.str('combine', { oneOf: ['and', 'or'] });
    const templates: Record<string, string> = {};
    conditions.forEach((c, i) => {
      templates[`params.conditions[${i}].variable`] = `{${c.variable}}`;
      if (typeof c.value === 'string') templates[`params.conditions[${i}].value`] = c.value;
    });
    return { outputs: ['then', 'else'], templates };
  },
  run(_node, p, engine) {
    const conditions = readConditions(p.list('conditions')).map((c) => ({
      ...c,
      value: c.value === undefined ? undefined : engine.renderValue(c.value),
    }));
    const combine = (p.str('combine') as 'and' | 'or' | undefined) ?? 'and';
    const result = evaluateAll(conditions, combine, engine.vars);
    engine.detail({ result });
    return next(result ? 'then' : 'else');
  },
};
