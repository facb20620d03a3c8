// Pure (no Node APIs): the flow engine's definition checks may import this.
import type { ActLimits } from '../contracts';
import { ActRequestError } from './errors';

export type ResolvedActLimits = Required<ActLimits>;

export const DEFAULT_ACT_LIMITS: ResolvedActLimits = { timeoutMs: 30_000, memoryMb: 256, outputBytes: 1_000_000 };

/** The most a node may ask for; a sandbox is one process of the worker's machine. */
export const MAX_ACT_LIMITS: ResolvedActLimits = { timeoutMs: 10 * 60_000, memoryMb: 2048, outputBytes: 10_000_000 };

/** Below these Pyodide cannot start or a run means nothing. */
export const MIN_ACT_LIMITS: ResolvedActLimits = { timeoutMs: 100, memoryMb: 64, outputBytes: 1024 };

const UNITS: Record<keyof ActLimits, string> = { timeoutMs: 'ms', memoryMb: 'MB', outputBytes: 'bytes' };

/** A node's limits over the worker's defaults, each checked against the allowed range. */
export function resolveActLimits(
  limits: ActLimits | undefined,
  defaults: ResolvedActLimits = DEFAULT_ACT_LIMITS,
  max: ResolvedActLimits = MAX_ACT_LIMITS,
): ResolvedActLimits {
  if (limits !== undefined && (limits === null || typeof limits !== 'object' || Array.isArray(limits))) {
    throw new ActRequestError('limits', 'must be an object like {"timeoutMs": 30000, "memoryMb": 256, "outputBytes": 1000000}');
  }
  const resolved = { ...defaults };
  for (const key of Object.keys(limits ?? {})) {
    if (!(key in UNITS)) throw new ActRequestError(`limits.${key}`, `is not a limit; known limits: ${Object.keys(UNITS).join(', ')}`);
  }
  for (const key of Object.keys(UNITS) as (keyof ActLimits)[]) {
    const value = limits?.[key];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'number' || !Number.isInteger(value)) throw new ActRequestError(`limits.${key}`, `must be an integer number of ${UNITS[key]}, got ${JSON.stringify(value)}`);
    if (value < MIN_ACT_LIMITS[key] || value > max[key]) {
      throw new ActRequestError(`limits.${key}`, `is ${value} ${UNITS[key]}; allowed ${MIN_ACT_LIMITS[key]} to ${max[key]}`);
    }
    resolved[key] = value;
  }
  return resolved;
}
