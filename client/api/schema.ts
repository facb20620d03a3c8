// Request bodies are checked against the schemas in openapi.json, so the document and the
// server cannot disagree. This is the subset of JSON Schema that document uses.
import { badRequest } from './errors';

export interface Schema {
  $ref?: string;
  type?: 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array';
  nullable?: boolean;
  enum?: unknown[];
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  items?: Schema;
  oneOf?: Schema[];
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  minProperties?: number;
  maxProperties?: number;
  pattern?: string;
}

export type SchemaLookup = (ref: string) => Schema;

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

/** The first problem with a value, as "path: what is wrong", or undefined when it fits. */
export function findProblem(value: unknown, schema: Schema, lookup: SchemaLookup, path: string): string | undefined {
  if (schema.$ref) return findProblem(value, lookup(schema.$ref), lookup, path);
  if (value === null) return schema.nullable ? undefined : `${path} must not be null`;
  if (schema.oneOf) {
    const fits = schema.oneOf.filter((s) => findProblem(value, s, lookup, path) === undefined).length;
    if (fits !== 1) {
      const first = schema.oneOf.map((s) => findProblem(value, s, lookup, path)).find(Boolean);
      return fits === 0 ? first : `${path} is ambiguous`;
    }
    return undefined;
  }
  const actual = typeOf(value);
  switch (schema.type) {
    case 'string':
      if (actual !== 'string') return `${path} must be a string, got ${actual}`;
      if (schema.minLength !== undefined && (value as string).length < schema.minLength) return `${path} must be at least ${schema.minLength} characters`;
      if (schema.maxLength !== undefined && (value as string).length > schema.maxLength) return `${path} must be at most ${schema.maxLength} characters`;
      if (schema.pattern && !new RegExp(schema.pattern, 'u').test(value as string)) return `${path} must match ${schema.pattern}`;
      break;
    case 'integer':
    case 'number':
      if (actual !== 'number' || !Number.isFinite(value)) return `${path} must be a number, got ${actual}`;
      if (schema.type === 'integer' && !Number.isInteger(value)) return `${path} must be an integer`;
      if (schema.minimum !== undefined && (value as number) < schema.minimum) return `${path} must be >= ${schema.minimum}`;
      if (schema.maximum !== undefined && (value as number) > schema.maximum) return `${path} must be <= ${schema.maximum}`;
      break;
    case 'boolean':
      if (actual !== 'boolean') return `${path} must be true or false, got ${actual}`;
      break;
    case 'array': {
      if (actual !== 'array') return `${path} must be an array, got ${actual}`;
      const arr = value as unknown[];
      if (schema.minItems !== undefined && arr.length < schema.minItems) return `${path} must have at least ${schema.minItems} item(s)`;
      if (schema.maxItems !== undefined && arr.length > schema.maxItems) return `${path} must have at most ${schema.maxItems} items`;
      if (schema.items) {
        for (let i = 0; i < arr.length; i++) {
          const p = findProblem(arr[i], schema.items, lookup, `${path}[${i}]`);
          if (p) return p;
        }
      }
      break;
    }
    case 'object': {
      if (actual !== 'object') return `${path} must be an object, got ${actual}`;
      const obj = value as Record<string, unknown>;
      const keys = Object.keys(obj);
      if (schema.minProperties !== undefined && keys.length < schema.minProperties) return `${path} must have at least ${schema.minProperties} entr(ies)`;
      if (schema.maxProperties !== undefined && keys.length > schema.maxProperties) return `${path} must have at most ${schema.maxProperties} entries`;
      for (const name of schema.required ?? []) if (obj[name] === undefined) return `${path}.${name} is required`;
      for (const key of keys) {
        const prop = schema.properties?.[key];
        if (prop) {
          const p = findProblem(obj[key], prop, lookup, `${path}.${key}`);
          if (p) return p;
        } else if (schema.additionalProperties === false) {
          return `${path}.${key} is not a known field (known: ${Object.keys(schema.properties ?? {}).join(', ') || 'none'})`;
        } else if (typeof schema.additionalProperties === 'object') {
          const p = findProblem(obj[key], schema.additionalProperties, lookup, `${path}.${key}`);
          if (p) return p;
        }
      }
      break;
    }
  }
  if (schema.enum && !schema.enum.some((e) => e === value)) return `${path} must be one of ${schema.enum.map((e) => JSON.stringify(e)).join(', ')}`;
  return undefined;
}

/** Throws 400 invalid_body naming the field when the body does not fit the schema. */
export function validateBody(value: unknown, schema: Schema, lookup: SchemaLookup): void {
  if (value === undefined) throw badRequest('invalid_body', 'a JSON request body is required');
  const problem = findProblem(value, schema, lookup, 'body');
  if (problem) throw badRequest('invalid_body', problem);
}
