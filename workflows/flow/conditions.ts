import { lookup } from './templates';
import type { JsonValue } from './types';

export const CONDITION_OPS = ['==', '!=', '>', '<', '>=', '<=', 'contains', 'exists', 'not_exists'] as const;
export type ConditionOp = (typeof CONDITION_OPS)[number];

export interface Condition {
  /** A variable name or path, e.g. "order.total". */
  variable: string;
  op: ConditionOp;
  value?: JsonValue;
}

function equal(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (typeof a === 'number' || typeof b === 'number') return Number(a) === Number(b);
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

export function evaluateCondition(c: Condition, vars: Record<string, JsonValue>): boolean {
  const left = lookup(vars, c.variable);
  switch (c.op) {
    case 'exists':
      return left !== undefined && left !== null && left !== '';
    case 'not_exists':
      return left === undefined || left === null || left === '';
    case '==':
      return equal(left, c.value);
    case '!=':
      return !equal(left, c.value);
    case '>':
    case '<':
    case '>=':
    case '<=': {
      const l = Number(left);
      const r = Number(c.value);
      if (left === undefined || left === null || Number.isNaN(l) || Number.isNaN(r)) return false;
      return c.op === '>' ? l > r : c.op === '<' ? l < r : c.op === '>=' ? l >= r : l <= r;
    }
    case 'contains':
      if (Array.isArray(left)) return left.some((x) => equal(x, c.value));
      if (typeof left === 'string') return left.toLowerCase().includes(String(c.value ?? '').toLowerCase());
      if (left && typeof left === 'object') return typeof c.value === 'string' && c.value in left;
      return false;
  }
}

export function evaluateAll(conditions: Condition[], combine: 'and' | 'or', vars: Record<string, JsonValue>): boolean {
  return combine === 'and' ? conditions.every((c) => evaluateCondition(c, vars)) : conditions.some((c) => evaluateCondition(c, vars));
}
