/** Shared helpers for the benchmarks: flags and percentiles. */
export function numberFlag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const n = Number(process.argv[i + 1]);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a non-negative number, got ${process.argv[i + 1]}`);
  return n;
}

/** The value after --name, or fallback when the flag is absent. */
export function stringFlag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const value = process.argv[i + 1];
  if (value === undefined || value.startsWith('--')) throw new Error(`--${name} needs a value`);
  return value;
}

export function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? NaN;
}

export function describeMs(values: number[], ps: number[] = [50, 95]): string {
  if (!values.length) return 'n=0';
  return `${ps.map((p) => `p${p} ${percentile(values, p).toFixed(1)} ms`).join(', ')} (n=${values.length})`;
}
