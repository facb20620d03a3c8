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
