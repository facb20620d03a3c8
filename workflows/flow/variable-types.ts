import type { JsonValue, VariableType } from './types';

/** Variables every run has without declaring them. */
export const BUILTIN_VARIABLES = ['message', 'session_id', 'run_id', 'flow_id', 'outcome', 'new_facts'];
export const VARIABLE_TYPES: VariableType[] = ['string', 'number', 'boolean', 'object', 'array', 'any'];

export function jsonTypeOf(v: JsonValue): VariableType {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'any';
  return typeof v as VariableType;
}

/** Checks a value against a declared variable type; returns a problem or undefined. */
export function checkVariableType(type: VariableType, v: JsonValue): string | undefined {
  if (type === 'any' || v === null) return undefined;
  const actual = jsonTypeOf(v);
  return actual === type ? undefined : `must be ${type}, got ${actual} ${JSON.stringify(v).slice(0, 60)}`;
}
