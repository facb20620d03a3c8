import type { JsonValue } from './types';

/** The variables a child changed or added, compared with the copy it was given. */
export function writtenVariables(given: Record<string, JsonValue>, after: Record<string, JsonValue>): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {};
  for (const [k, v] of Object.entries(after)) if (JSON.stringify(given[k]) !== JSON.stringify(v)) out[k] = v;
  return out;
}

export interface BranchWrites {
  branch: string;
  written: Record<string, JsonValue>;
}

/**
 * Merge rule for parallel branches (docs/flows.md): only variables a branch wrote are merged; the
 * branches are applied in the order they are declared, so when two branches write the same
 * variable the later-declared one wins and the clash is reported.
 */
export function mergeBranchWrites(target: Record<string, JsonValue>, branches: BranchWrites[]): { conflicts: { variable: string; branches: string[] }[] } {
  const writers = new Map<string, string[]>();
  for (const b of branches) {
    for (const [k, v] of Object.entries(b.written)) {
      target[k] = v;
      writers.set(k, [...(writers.get(k) ?? []), b.branch]);
    }
  }
  return { conflicts: [...writers].filter(([, bs]) => bs.length > 1).map(([variable, bs]) => ({ variable, branches: bs })) };
}
