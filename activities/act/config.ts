import { DEFAULT_ACT_LIMITS, MAX_ACT_LIMITS, resolveActLimits, type ResolvedActLimits } from './limits';

/** Worker-wide settings of the act sandboxes; per-node limits arrive with each request. */
export interface ActSandboxConfig {
  /** Warm sandboxes kept ready (0: start one per run). */
  poolSize: number;
  /** Limits for nodes that set none. */
  defaults: ResolvedActLimits;
  /** Memory the sandbox's own runtime (Node + Pyodide, about 200 MB) may use beyond the script's limit before it is killed. */
  runtimeAllowanceMb: number;
  /** Refuse to run scripts when network and pid namespaces are unavailable (the safe default). */
  requireIsolation: boolean;
  /** vault/web calls one run may make. */
  maxHostCalls: number;
  /** How long a sandbox may take to start before the start counts as failed. */
  startTimeoutMs: number;
  /** Start sandboxes from a Pyodide memory snapshot (several times faster than a cold start). */
  useSnapshot: boolean;
  /** Fill the pool when the worker starts rather than at the first act run. */
  prewarm: boolean;
}

function intFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name}=${raw} must be an integer from ${min} to ${max}`);
  return n;
}

function flagFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw.toLowerCase())) return true;
  if (['0', 'false', 'no', 'off'].includes(raw.toLowerCase())) return false;
  throw new Error(`${name}=${raw} must be 1 or 0`);
}

export function loadActConfig(env: NodeJS.ProcessEnv = process.env): ActSandboxConfig {
  const defaults = resolveActLimits(
    {
      timeoutMs: intFromEnv(env, 'PAR_ACT_TIMEOUT_MS', DEFAULT_ACT_LIMITS.timeoutMs, 1, MAX_ACT_LIMITS.timeoutMs),
      memoryMb: intFromEnv(env, 'PAR_ACT_MEMORY_MB', DEFAULT_ACT_LIMITS.memoryMb, 1, MAX_ACT_LIMITS.memoryMb),
      outputBytes: intFromEnv(env, 'PAR_ACT_OUTPUT_BYTES', DEFAULT_ACT_LIMITS.outputBytes, 1, MAX_ACT_LIMITS.outputBytes),
    },
    DEFAULT_ACT_LIMITS,
  );
  return {
    poolSize: intFromEnv(env, 'PAR_ACT_POOL_SIZE', 2, 0, 64),
    defaults,
    runtimeAllowanceMb: intFromEnv(env, 'PAR_ACT_RUNTIME_ALLOWANCE_MB', 256, 64, 4096),
    requireIsolation: flagFromEnv(env, 'PAR_ACT_REQUIRE_ISOLATION', true),
    maxHostCalls: intFromEnv(env, 'PAR_ACT_MAX_HOST_CALLS', 100, 0, 100_000),
    startTimeoutMs: intFromEnv(env, 'PAR_ACT_START_TIMEOUT_MS', 60_000, 1000, 600_000),
    useSnapshot: flagFromEnv(env, 'PAR_ACT_SNAPSHOT', true),
    prewarm: flagFromEnv(env, 'PAR_ACT_PREWARM', false),
  };
}
