import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import { Connection } from '@temporalio/client';
import { devServerSearchAttributeArgs } from '../workers/search-attributes-setup';

export class PortInUseError extends Error {
  override name = 'PortInUseError';
  constructor(
    readonly port: number,
    what: string,
    envVar: string,
  ) {
    super(`port ${port} (${what}) is already in use: stop the process using it (\`ss -ltnp 'sport = :${port}'\` shows it) or set ${envVar}`);
  }
}

export async function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, host, () => srv.close(() => resolve(true)));
  });
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

export interface DevServerOptions {
  cli: string;
  port: number;
  uiPort?: number;
  /** SQLite file; omitted means in-memory (tests). */
  dbFile?: string;
  headless?: boolean;
  logFile?: string;
  /** Faster, less durable SQLite for tests (synchronous=OFF: a machine crash may corrupt the file). */
  fastSqlite?: boolean;
  /** SQLite pragmas instead of the defaults below (benchmarks compare them). */
  sqlitePragmas?: string[];
  /** Dynamic config over DEV_SERVER_DYNAMIC_CONFIG (KEY -> JSON value). */
  dynamicConfig?: Record<string, unknown>;
  readyTimeoutMs?: number;
}

/**
 * SQLite for a file-backed dev server (`npm start`): write-ahead logging with synchronous=NORMAL.
 * A commit appends to the WAL and returns without fsync; the WAL is fsynced at each checkpoint.
 * A crash of the server process (or of PAR, or a kill -9) loses nothing: committed pages are in
 * the OS page cache and reach the disk. Only a crash of the machine itself (power loss, kernel
 * panic) may lose the last commits before the checkpoint, never corrupting the file, which
 * rolls back to a consistent point. docs/performance.md has the measurements.
 */
export const FILE_SQLITE_PRAGMAS = ['journal_mode=WAL', 'synchronous=NORMAL'];
/** In-memory servers (tests, benchmarks): durability means nothing there. */
export const TEST_SQLITE_PRAGMAS = ['journal_mode=WAL', 'synchronous=OFF'];

/**
 * One task-queue partition instead of four: a single-process dev server gains nothing from
 * partitions, and with few pollers a task written to a partition nobody polls waits to be
 * forwarded. docs/performance.md has the measurements.
 */
export const DEV_SERVER_DYNAMIC_CONFIG: Record<string, unknown> = {
  'matching.numTaskqueueReadPartitions': 1,
  'matching.numTaskqueueWritePartitions': 1,
};

/** The server's arguments for the options; exported for the tests of the tuning. */
export function devServerArgs(opts: DevServerOptions): string[] {
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(opts.port), '--log-level', 'warn', ...devServerSearchAttributeArgs()];
  if (opts.dbFile) args.push('--db-filename', opts.dbFile);
  if (opts.headless) args.push('--headless');
  else if (opts.uiPort) args.push('--ui-port', String(opts.uiPort));
  const pragmas = opts.sqlitePragmas ?? (opts.fastSqlite ? TEST_SQLITE_PRAGMAS : opts.dbFile ? FILE_SQLITE_PRAGMAS : []);
  for (const p of pragmas) args.push('--sqlite-pragma', p);
  for (const [key, value] of Object.entries({ ...DEV_SERVER_DYNAMIC_CONFIG, ...opts.dynamicConfig })) args.push('--dynamic-config-value', `${key}=${JSON.stringify(value)}`);
  return args;
}

export interface DevServer {
  address: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Waits until a Temporal frontend answers at address, or throws after timeoutMs. */
export async function waitForTemporal(address: string, timeoutMs: number, isAlive: () => boolean = () => true): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastErr: unknown;
  while (Date.now() < deadline) {
    if (!isAlive()) throw new Error('the Temporal server process exited during start-up');
    try {
      const conn = await Connection.connect({ address, connectTimeout: 1000 });
      await conn.workflowService.getSystemInfo({});
      await conn.close();
      return;
    } catch (err) {
      lastErr = err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw new Error(`Temporal at ${address} did not answer within ${timeoutMs} ms: ${(lastErr as Error)?.message}`);
}

/**
 * Starts `temporal server start-dev` ourselves rather than through @temporalio/testing, whose
 * 5 s start-up limit is too short on a loaded 2-core machine.
 */
export async function startDevServer(opts: DevServerOptions): Promise<DevServer> {
  if (!(await isPortFree(opts.port))) throw new PortInUseError(opts.port, 'Temporal gRPC', 'PAR_TEMPORAL_PORT');
  if (opts.uiPort && !opts.headless && !(await isPortFree(opts.uiPort))) throw new PortInUseError(opts.uiPort, 'Temporal Web UI', 'PAR_TEMPORAL_UI_PORT');
  const args = devServerArgs(opts);
  const out = opts.logFile ? fs.openSync(opts.logFile, 'a') : 'ignore';
  const child = spawn(opts.cli, args, { stdio: ['ignore', out, out], detached: false });
  let exited = false;
  child.once('exit', () => (exited = true));
  const address = `127.0.0.1:${opts.port}`;
  const stop = async () => {
    if (exited) return;
    const done = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await done;
    clearTimeout(timer);
  };
  try {
    await waitForTemporal(address, opts.readyTimeoutMs ?? 60000, () => !exited);
  } catch (err) {
    await stop();
    const hint = opts.logFile ? ` (see ${opts.logFile})` : '';
    throw new Error(`${(err as Error).message}${hint}`);
  }
  return { address, process: child, stop };
}
