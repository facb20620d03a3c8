import { parseDurationMs } from './duration';
import type { JsonValue } from './types';

export type IssueSink = (field: string, message: string) => void;

/** Reads and checks a node's params, reporting each problem with the field's name. */
export class ParamReader {
  constructor(
    private readonly params: Record<string, JsonValue>,
    private readonly issue: IssueSink,
    /** The params the node type declares: reading any other is a bug in the node type (its spec must declare it). */
    private readonly declared?: readonly string[],
  ) {}

  private value(name: string): JsonValue | undefined {
    if (this.declared && !this.declared.includes(name)) throw new Error(`the node type reads params.${name}, which its spec does not declare`);
    return this.params[name];
  }

  /** Records a problem in a nested field that the typed readers cannot reach. */
  report(field: string, message: string): void {
    this.issue(field, message);
  }

  has(name: string): boolean {
    return this.value(name) !== undefined && this.value(name) !== null;
  }

  str(name: string, opts: { required?: boolean; oneOf?: readonly string[] } = {}): string | undefined {
    const v = this.value(name);
    if (v === undefined || v === null) {
      if (opts.required) this.issue(`params.${name}`, 'is required');
      return undefined;
    }
    if (typeof v !== 'string') return void this.issue(`params.${name}`, `must be a string, got ${JSON.stringify(v)}`);
    if (opts.required && !v.trim()) return void this.issue(`params.${name}`, 'must not be empty');
    if (opts.oneOf && !opts.oneOf.includes(v)) return void this.issue(`params.${name}`, `must be one of ${opts.oneOf.join(', ')}, got "${v}"`);
    return v;
  }

  num(name: string, opts: { required?: boolean; min?: number; max?: number; integer?: boolean } = {}): number | undefined {
    const v = this.value(name);
    if (v === undefined || v === null) {
      if (opts.required) this.issue(`params.${name}`, 'is required');
      return undefined;
    }
    if (typeof v !== 'number' || !Number.isFinite(v)) return void this.issue(`params.${name}`, `must be a number, got ${JSON.stringify(v)}`);
    if (opts.integer && !Number.isInteger(v)) return void this.issue(`params.${name}`, `must be an integer, got ${v}`);
    if (opts.min !== undefined && v < opts.min) return void this.issue(`params.${name}`, `must be >= ${opts.min}, got ${v}`);
    if (opts.max !== undefined && v > opts.max) return void this.issue(`params.${name}`, `must be <= ${opts.max}, got ${v}`);
    return v;
  }

  bool(name: string): boolean | undefined {
    const v = this.value(name);
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'boolean') return void this.issue(`params.${name}`, `must be true or false, got ${JSON.stringify(v)}`);
    return v;
  }

  strArray(name: string, opts: { required?: boolean; nonEmpty?: boolean } = {}): string[] | undefined {
    const v = this.value(name);
    if (v === undefined || v === null) {
      if (opts.required) this.issue(`params.${name}`, 'is required');
      return undefined;
    }
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) return void this.issue(`params.${name}`, 'must be a list of strings');
    if (opts.nonEmpty && v.length === 0) return void this.issue(`params.${name}`, 'must not be empty');
    return v as string[];
  }

  /** A duration such as "7 days" or a number of seconds, in milliseconds. */
  duration(name: string, opts: { required?: boolean; min?: number } = {}): number | undefined {
    const v = this.value(name);
    if (v === undefined || v === null) {
      if (opts.required) this.issue(`params.${name}`, 'is required');
      return undefined;
    }
    const ms = parseDurationMs(v);
    if (ms === undefined) return void this.issue(`params.${name}`, `must be a duration such as "30 seconds", "7 days" or a number of seconds, got ${JSON.stringify(v)}`);
    if (opts.min !== undefined && ms < opts.min) return void this.issue(`params.${name}`, `must be at least ${opts.min} ms`);
    return ms;
  }

  raw(name: string): JsonValue | undefined {
    return this.value(name) ?? undefined;
  }

  object(name: string, opts: { required?: boolean } = {}): Record<string, JsonValue> | undefined {
    const v = this.value(name);
    if (v === undefined || v === null) {
      if (opts.required) this.issue(`params.${name}`, 'is required');
      return undefined;
    }
    if (typeof v !== 'object' || Array.isArray(v)) return void this.issue(`params.${name}`, 'must be an object');
    return v;
  }

  list(name: string, opts: { required?: boolean; nonEmpty?: boolean } = {}): JsonValue[] | undefined {
    const v = this.value(name);
    if (v === undefined || v === null) {
      if (opts.required) this.issue(`params.${name}`, 'is required');
      return undefined;
    }
    if (!Array.isArray(v)) return void this.issue(`params.${name}`, 'must be a list');
    if (opts.nonEmpty && v.length === 0) return void this.issue(`params.${name}`, 'must not be empty');
    return v;
  }
}

/** Reads params in a handler after validation passed: problems there are engine bugs. */
export function trustedParams(params: Record<string, JsonValue> | undefined): ParamReader {
  return new ParamReader(params ?? {}, (field, message) => {
    throw new Error(`${field} ${message}`);
  });
}
