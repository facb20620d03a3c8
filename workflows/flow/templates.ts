import type { JsonValue } from './types';

// `{name}` or `{name.path.0}` inside text; `{{` and `}}` are literal braces.
const TOKEN = /\{\{|\}\}|\{([^{}]*)\}/g;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*$/;

export interface TemplateProblem {
  message: string;
}

/** The variable references in a template, or a problem describing bad syntax. */
export function templateReferences(text: string): { refs: string[]; problem?: TemplateProblem } {
  const refs: string[] = [];
  const stripped = text.replace(TOKEN, (match, inner: string | undefined) => {
    if (inner === undefined) return '';
    const name = inner.trim();
    if (!NAME.test(name)) return `\u0000${match}`;
    refs.push(name);
    return '';
  });
  const bad = stripped.indexOf('\u0000');
  if (bad >= 0) return { refs, problem: { message: `"${stripped.slice(bad + 1).match(/^\{[^}]*\}/)?.[0]}" is not a variable reference; use {name} or {name.field}, and {{ }} for literal braces` } };
  if (/[{}]/.test(stripped)) return { refs, problem: { message: 'unbalanced brace: use {name} for a variable and {{ or }} for a literal brace' } };
  return { refs };
}

export function rootName(ref: string): string {
  return ref.split('.')[0];
}

export function lookup(vars: Record<string, JsonValue>, ref: string): JsonValue | undefined {
  let cur: JsonValue | undefined = vars[rootName(ref)];
  for (const part of ref.split('.').slice(1)) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = Array.isArray(cur) ? cur[Number(part)] : cur[part];
  }
  return cur;
}

function asText(value: JsonValue | undefined): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Substitutes variables; a missing variable renders as empty text (validation catches unknown names). */
export function renderTemplate(text: string, vars: Record<string, JsonValue>): string {
  return text.replace(TOKEN, (match, inner: string | undefined) => {
    if (match === '{{') return '{';
    if (match === '}}') return '}';
    return asText(lookup(vars, (inner ?? '').trim()));
  });
}

/**
 * Renders a JSON param: strings are templates; a string that is exactly one `{ref}` keeps the
 * variable's JSON type (so `"{order}"` yields the object, not its text).
 */
export function renderValue(value: JsonValue, vars: Record<string, JsonValue>): JsonValue {
  if (typeof value === 'string') {
    const whole = value.match(/^\{([A-Za-z_][A-Za-z0-9_.]*)\}$/);
    if (whole) return lookup(vars, whole[1]) ?? null;
    return renderTemplate(value, vars);
  }
  if (Array.isArray(value)) return value.map((v) => renderValue(v, vars));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderValue(v, vars)]));
  return value;
}
