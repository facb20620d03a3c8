import fs from 'node:fs';
import path from 'node:path';

/** Everything PAR processes read from the environment, resolved once. */
export interface ParConfig {
  rootDir: string;
  dataDir: string;
  temporalAddress: string;
  temporalNamespace: string;
  /** True when PAR runs its own dev server (no PAR_TEMPORAL_ADDRESS given). */
  managedTemporal: boolean;
  temporalPort: number;
  uiPort: number;
  uiUrl: string;
  taskQueue: string;
  apiHost: string;
  apiPort: number;
  apiUrl: string;
}

export const ROOT_DIR = path.resolve(__dirname, '..');

function intFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0 || n > 65535) throw new Error(`${name}=${raw} is not a valid port number`);
  return n;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): ParConfig {
  const dataDir = path.resolve(ROOT_DIR, env.PAR_DATA_DIR || '.data');
  const managedTemporal = !env.PAR_TEMPORAL_ADDRESS;
  const temporalPort = intFromEnv(env, 'PAR_TEMPORAL_PORT', 7233);
  const uiPort = intFromEnv(env, 'PAR_TEMPORAL_UI_PORT', temporalPort + 1000);
  const temporalAddress = env.PAR_TEMPORAL_ADDRESS || `127.0.0.1:${temporalPort}`;
  const apiHost = env.PAR_API_HOST || '127.0.0.1';
  const apiPort = intFromEnv(env, 'PAR_API_PORT', 8787);
  return {
    rootDir: ROOT_DIR,
    dataDir,
    temporalAddress,
    temporalNamespace: env.PAR_TEMPORAL_NAMESPACE || 'default',
    managedTemporal,
    temporalPort,
    uiPort,
    uiUrl: env.PAR_TEMPORAL_UI_URL || (managedTemporal ? `http://127.0.0.1:${uiPort}` : ''),
    taskQueue: env.PAR_TASK_QUEUE || 'par',
    apiHost,
    apiPort,
    apiUrl: env.PAR_API_URL || `http://${apiHost}:${apiPort}`,
  };
}

/** Paths of the tools `scripts/setup.js` installed (or found). */
export interface ToolPaths {
  temporalCli: string;
  temporalTestServer: string;
  python: string;
}

export function loadToolPaths(): ToolPaths {
  const file = path.join(ROOT_DIR, '.tools', 'tools.json');
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: run \`npm run setup\` first`);
  const tools = JSON.parse(fs.readFileSync(file, 'utf8')) as ToolPaths;
  if (process.env.TEMPORAL_CLI) tools.temporalCli = process.env.TEMPORAL_CLI;
  return tools;
}

/** What `npm start` wrote about the running stack, so the CLI can find the API and UI. */
export interface StackState {
  temporalAddress: string;
  temporalNamespace: string;
  uiUrl: string;
  apiUrl: string;
  pids: Record<string, number>;
  startedAt: string;
}

export function stackStatePath(config: ParConfig): string {
  return path.join(config.dataDir, 'stack.json');
}

export function readStackState(config: ParConfig): StackState | undefined {
  try {
    return JSON.parse(fs.readFileSync(stackStatePath(config), 'utf8')) as StackState;
  } catch {
    return undefined;
  }
}

/**
 * The worker's memory and concurrency bounds (docs/configuration.md, "Worker tuning"; the
 * figures behind the defaults are in docs/performance.md).
 */
export interface WorkerTuning {
  /** Runs kept in memory between tasks; an evicted run is replayed from its history when it next has work. */
  maxCachedWorkflows: number;
  maxConcurrentWorkflowTaskExecutions: number;
  maxConcurrentActivityTaskExecutions: number;
  maxConcurrentLocalActivityExecutions: number;
  /** Workflow task pollers; after a restart every task arrives on the shared (non-sticky) queue. */
  maxConcurrentWorkflowTaskPolls: number;
  /** Share of the pollers that poll the shared queue rather than this worker's sticky queue. */
  nonStickyToStickyPollRatio: number;
  /** How long a task waits for this worker on its sticky queue before any worker may take it (ms). */
  stickyQueueScheduleToStartTimeoutMs: number;
}

export const DEFAULT_WORKER_TUNING: WorkerTuning = {
  maxCachedWorkflows: 100,
  maxConcurrentWorkflowTaskExecutions: 40,
  maxConcurrentActivityTaskExecutions: 100,
  maxConcurrentLocalActivityExecutions: 100,
  maxConcurrentWorkflowTaskPolls: 10,
  nonStickyToStickyPollRatio: 0.5,
  stickyQueueScheduleToStartTimeoutMs: 10_000,
};

const TUNING_VARS: Record<keyof WorkerTuning, string> = {
  maxCachedWorkflows: 'PAR_WORKER_MAX_CACHED_WORKFLOWS',
  maxConcurrentWorkflowTaskExecutions: 'PAR_WORKER_MAX_CONCURRENT_WORKFLOW_TASKS',
  maxConcurrentActivityTaskExecutions: 'PAR_WORKER_MAX_CONCURRENT_ACTIVITIES',
  maxConcurrentLocalActivityExecutions: 'PAR_WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES',
  maxConcurrentWorkflowTaskPolls: 'PAR_WORKER_WORKFLOW_POLLERS',
  nonStickyToStickyPollRatio: 'PAR_WORKER_NON_STICKY_POLL_RATIO',
  stickyQueueScheduleToStartTimeoutMs: 'PAR_WORKER_STICKY_TIMEOUT_MS',
};

/** The worker tuning from the environment over the defaults; a bad value names its variable. */
export function loadWorkerTuning(env: NodeJS.ProcessEnv = process.env): WorkerTuning {
  const out = { ...DEFAULT_WORKER_TUNING };
  for (const key of Object.keys(TUNING_VARS) as (keyof WorkerTuning)[]) {
    const name = TUNING_VARS[key];
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    const n = Number(raw);
    const ratio = key === 'nonStickyToStickyPollRatio';
    const ok = ratio ? Number.isFinite(n) && n > 0 && n <= 1 : Number.isInteger(n) && n >= (key === 'maxCachedWorkflows' ? 0 : 1);
    if (!ok) throw new Error(`${name}=${raw} must be ${ratio ? 'a number above 0 and at most 1' : key === 'maxCachedWorkflows' ? 'a whole number (0 turns the cache off)' : 'a positive whole number'}`);
    out[key] = n;
  }
  if (out.maxConcurrentWorkflowTaskPolls < 2) throw new Error(`${TUNING_VARS.maxConcurrentWorkflowTaskPolls}=${out.maxConcurrentWorkflowTaskPolls} must be at least 2`);
  if (out.maxCachedWorkflows > 0 && out.maxConcurrentWorkflowTaskExecutions > out.maxCachedWorkflows) out.maxConcurrentWorkflowTaskExecutions = Math.max(2, out.maxCachedWorkflows);
  if (out.maxConcurrentWorkflowTaskPolls > out.maxConcurrentWorkflowTaskExecutions) out.maxConcurrentWorkflowTaskPolls = out.maxConcurrentWorkflowTaskExecutions;
  return out;
}
