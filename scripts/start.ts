// `npm start`: the whole local stack (Temporal dev server with Web UI, worker, API) in one
// terminal. A worker or API that dies is restarted (runs survive it); a crash loop, or Ctrl-C,
// stops everything it started; state persists in the data folder.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig, loadToolPaths, readStackState, stackStatePath, type ParConfig } from '../workers/config';
import { PortInUseError, isPortFree, startDevServer, waitForTemporal, type DevServer } from './temporal-dev-server';
import { collectStatus } from '../client/cli/commands/status';
import { startLocalRedis } from '../activities/streams/local-redis';
import { studioStartLines } from '../client/api/studio-link';

const children: { name: string; proc: ChildProcess }[] = [];
let devServer: DevServer | undefined;
let stopping = false;

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function prefixLines(name: string, stream: NodeJS.ReadableStream, logFile: string): void {
  const log = fs.createWriteStream(logFile, { flags: 'a' });
  let buf = '';
  stream.on('data', (chunk: Buffer) => {
    log.write(chunk);
    buf += chunk.toString();
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      process.stdout.write(`[${name}] ${buf.slice(0, i).replace(/^\[\w+\] /, '')}\n`);
      buf = buf.slice(i + 1);
    }
  });
}

/** Crashes of one process within the window that count as a crash loop (PAR_RESTART_LIMIT / PAR_RESTART_WINDOW_S). */
const RESTART_LIMIT = Number(process.env.PAR_RESTART_LIMIT || 5);
const RESTART_WINDOW_MS = Number(process.env.PAR_RESTART_WINDOW_S || 60) * 1000;
const FIRST_RESTART_DELAY_MS = 500;
const MAX_RESTART_DELAY_MS = 30_000;

let stackState: { pids: Record<string, number> } & Record<string, unknown> = { pids: {} };
let stackStateFile: string | undefined;

function writeStackState(): void {
  if (stackStateFile && !stopping) fs.writeFileSync(stackStateFile, JSON.stringify(stackState, null, 2));
}

function lastLines(file: string, n: number): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-n).map((l) => `    ${l}`).join('\n');
  } catch {
    return '';
  }
}

/**
 * Runs a process of the stack and restarts it when it dies: runs survive a dying worker (Temporal
 * hands its tasks to the new one), so one crash must not stop the stack. The delay doubles with
 * each crash in the window; RESTART_LIMIT crashes within RESTART_WINDOW_MS is a crash loop, which
 * stops the stack with the end of the process's log.
 */
function startChild(name: string, entry: string, config: ParConfig): ChildProcess {
  const logFile = path.join(config.dataDir, 'logs', `${name}.log`);
  const crashes: number[] = [];
  const slot = { name, proc: undefined as unknown as ChildProcess };
  const launch = (): ChildProcess => {
    const proc = spawn(process.execPath, [path.join(config.rootDir, 'bin/run-ts.js'), entry], {
      cwd: config.rootDir,
      env: process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    prefixLines(name, proc.stdout!, logFile);
    prefixLines(name, proc.stderr!, logFile);
    proc.once('exit', (code, signal) => {
      if (stopping) return;
      const now = Date.now();
      crashes.push(now);
      while (crashes.length && crashes[0] < now - RESTART_WINDOW_MS) crashes.shift();
      const why = signal ?? `code ${code}`;
      if (crashes.length >= RESTART_LIMIT) {
        const tail = lastLines(logFile, 8);
        console.error(
          `\n[par] the ${name} process crashed ${crashes.length} times within ${RESTART_WINDOW_MS / 1000} s (last: ${why}): a crash loop. ` +
            `Stopping the stack; see ${logFile}${tail ? `, which ends:\n${tail}` : ''}`,
        );
        void shutdown(1);
        return;
      }
      const delay = Math.min(MAX_RESTART_DELAY_MS, FIRST_RESTART_DELAY_MS * 2 ** (crashes.length - 1));
      console.error(`\n[par] the ${name} process exited unexpectedly (${why}); restarting it in ${(delay / 1000).toFixed(1)} s (crash ${crashes.length} of ${RESTART_LIMIT} allowed within ${RESTART_WINDOW_MS / 1000} s; log: ${logFile})`);
      setTimeout(() => {
        if (stopping) return;
        slot.proc = launch();
        stackState.pids[name] = slot.proc.pid!;
        writeStackState();
        console.log(`[par] restarted the ${name} process (pid ${slot.proc.pid})`);
      }, delay);
    });
    return proc;
  };
  slot.proc = launch();
  children.push(slot);
  return slot.proc;
}

async function shutdown(code: number): Promise<never> {
  if (stopping) return new Promise(() => {}) as Promise<never>;
  stopping = true;
  console.log('\n[par] stopping...');
  await Promise.all(
    children.reverse().map(
      ({ proc }) =>
        new Promise<void>((resolve) => {
          if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
          proc.once('exit', () => resolve());
          proc.kill('SIGTERM');
          setTimeout(() => proc.kill('SIGKILL'), 10000).unref();
        }),
    ),
  );
  await devServer?.stop();
  const config = loadConfig();
  fs.rmSync(stackStatePath(config), { force: true });
  console.log('[par] stopped; state kept in', path.relative(process.cwd(), config.dataDir) || config.dataDir);
  process.exit(code);
}

async function waitFor(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (stopping) throw new Error('stopped');
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`${what} was not ready within ${timeoutMs / 1000} s`);
}

async function main(): Promise<void> {
  const t0 = Date.now();
  const config = loadConfig();
  fs.mkdirSync(path.join(config.dataDir, 'logs'), { recursive: true });

  const previous = readStackState(config);
  const alive = previous && Object.values(previous.pids).filter(pidAlive);
  if (alive && alive.length) {
    throw new Error(`PAR is already running (pids ${alive.join(', ')}, started ${previous!.startedAt}); stop it with Ctrl-C in its terminal or \`kill ${alive.join(' ')}\``);
  }
  if (!(await isPortFree(config.apiPort, config.apiHost))) throw new PortInUseError(config.apiPort, 'PAR API', 'PAR_API_PORT');

  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => void shutdown(0));

  if (config.managedTemporal) {
    const tools = loadToolPaths();
    const dbFile = path.join(config.dataDir, 'temporal.sqlite');
    console.log(`[par] starting the Temporal dev server (state in ${path.relative(process.cwd(), dbFile)})...`);
    devServer = await startDevServer({
      cli: tools.temporalCli,
      port: config.temporalPort,
      uiPort: config.uiPort,
      dbFile,
      logFile: path.join(config.dataDir, 'logs', 'temporal.log'),
    });
    devServer.process.once('exit', (code) => {
      if (!stopping) {
        console.error(`\n[par] the Temporal dev server exited unexpectedly (code ${code}); see ${config.dataDir}/logs/temporal.log`);
        void shutdown(1);
      }
    });
  } else {
    console.log(`[par] using the Temporal cluster at ${config.temporalAddress} (namespace ${config.temporalNamespace})`);
    await waitForTemporal(config.temporalAddress, 10000).catch((err: Error) => {
      throw new Error(`${err.message}. Check PAR_TEMPORAL_ADDRESS, or unset it to run a local dev server.`);
    });
  }

  // PAR_REDIS=local: a redis-server of our own carries model tokens from the worker to the API.
  if (process.env.PAR_REDIS === 'local' && !process.env.PAR_REDIS_URL) {
    const redis = await startLocalRedis({ port: Number(process.env.PAR_REDIS_PORT || 6379), dir: path.join(config.dataDir, 'redis'), logFile: path.join(config.dataDir, 'logs', 'redis.log') });
    process.env.PAR_REDIS_URL = redis.url;
    children.push({ name: 'redis', proc: redis.process });
    console.log(`[par] started redis-server at ${redis.url} for token streams`);
  }
  const worker = startChild('worker', 'workers/main.ts', config);
  const api = startChild('api', 'client/api/main.ts', config);
  stackState = {
    temporalAddress: config.temporalAddress,
    temporalNamespace: config.temporalNamespace,
    uiUrl: config.uiUrl,
    apiUrl: config.apiUrl,
    pids: { start: process.pid, worker: worker.pid!, api: api.pid!, ...(devServer ? { temporal: devServer.process.pid! } : {}) },
    startedAt: new Date().toISOString(),
  };
  stackStateFile = stackStatePath(config);
  writeStackState();

  // PAR_START_TIMEOUT_S: how long the worker and API may take to be ready (a first start bundles
  // the workflows, which is slow on a loaded machine); crashes meanwhile are restarted as above.
  await waitFor('the worker and API', Number(process.env.PAR_START_TIMEOUT_S || 120) * 1000, async () => {
    const s = await collectStatus();
    return s.healthy;
  });
  const relative = path.relative(process.cwd(), config.dataDir);
  const rel = !relative || relative.startsWith('..') ? config.dataDir : relative;
  console.log(
    [
      '',
      `PAR is up (${((Date.now() - t0) / 1000).toFixed(1)} s).`,
      `  Temporal  ${config.temporalAddress} (namespace ${config.temporalNamespace})`,
      `  Web UI    ${config.uiUrl || '(your cluster\'s UI)'}`,
      `  API       ${config.apiUrl}  (GET /healthz; docs/api.md)`,
      process.env.PAR_API_INSECURE_LOCAL === '1'
        ? '            WARNING: INSECURE LOCAL MODE (PAR_API_INSECURE_LOCAL=1): the API checks no keys'
        : '            needs an API key: npx par keys create --grant VAULT:write --flow FLOW',
      ...studioStartLines(config, process.env.PAR_API_INSECURE_LOCAL === '1'),
      `  Data      ${rel}/  (logs in ${rel}/logs/)`,
      '',
      `Next, in another terminal:  npx par run hello --input '{"name":"Ada"}'`,
      'Check the stack:            npx par status',
      'Stop everything:            Ctrl-C',
      '',
    ].join('\n'),
  );
}

main().catch(async (err: Error) => {
  // A crash loop (or Ctrl-C) during start is already shutting down: let it finish (it exits).
  if (stopping) return;
  console.error(`\n[par] could not start: ${err.message}`);
  await shutdown(1);
});
