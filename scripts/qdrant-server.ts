/**
 * A real Qdrant server for tests and benchmarks, when the project is given one: the binary
 * built from Qdrant's source at ../shared/tools/qdrant/qdrant.xz (from the project root, or a
 * worktree's parent), or PAR_QDRANT_BINARY (a plain or .xz file). No registry ships a Qdrant
 * server, so machines without it use the protocol fake in test/vaults/qdrant-fake.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT_DIR } from '../workers/config';
import { freePort } from './temporal-dev-server';

export interface QdrantServer {
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Where the packed binary is, or undefined (with the places looked at) when there is none. */
export function findQdrantBinary(env: NodeJS.ProcessEnv = process.env): { file?: string; looked: string[] } {
  const candidates = env.PAR_QDRANT_BINARY
    ? [path.resolve(ROOT_DIR, env.PAR_QDRANT_BINARY)]
    : [path.resolve(ROOT_DIR, '../shared/tools/qdrant/qdrant.xz'), path.resolve(ROOT_DIR, '../../shared/tools/qdrant/qdrant.xz')];
  return { file: candidates.find((f) => fs.existsSync(f)), looked: candidates };
}

/** The runnable binary in .tools/qdrant, unpacked once and checked against SHA256SUMS beside the archive. */
export function installedQdrant(packed: string): string {
  if (!packed.endsWith('.xz')) return packed;
  const dir = path.join(ROOT_DIR, '.tools', 'qdrant');
  const bin = path.join(dir, 'qdrant');
  const sums = readSums(path.join(path.dirname(packed), 'SHA256SUMS'));
  if (fs.existsSync(bin) && (!sums.qdrant || sha256(bin) === sums.qdrant)) return bin;
  if (sums['qdrant.xz'] && sha256(packed) !== sums['qdrant.xz']) throw new Error(`${packed} does not match its SHA256SUMS: refusing to run it`);
  fs.mkdirSync(dir, { recursive: true });
  const tmp = `${bin}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, execFileSync('xz', ['-dc', packed], { maxBuffer: 512 * 1024 * 1024 }));
  if (sums.qdrant && sha256(tmp) !== sums.qdrant) {
    fs.rmSync(tmp, { force: true });
    throw new Error(`the binary unpacked from ${packed} does not match SHA256SUMS`);
  }
  fs.chmodSync(tmp, 0o755);
  fs.renameSync(tmp, bin); // atomic: concurrent unpackers each rename a whole file
  return bin;
}

function readSums(file: string): Record<string, string> {
  if (!fs.existsSync(file)) return {};
  const out: Record<string, string> = {};
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const m = /^([0-9a-f]{64})\s+\*?(\S+)$/.exec(line.trim());
    if (m) out[m[2]] = m[1];
  }
  return out;
}

function sha256(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

export async function startQdrant(binary: string, opts: { logFile?: string } = {}): Promise<QdrantServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'par-qdrant-'));
  const port = await freePort();
  const grpc = await freePort();
  const log = opts.logFile ? fs.openSync(opts.logFile, 'a') : 'ignore';
  const child = spawn(binary, [], {
    cwd: dir,
    env: {
      ...process.env,
      QDRANT__SERVICE__HOST: '127.0.0.1',
      QDRANT__SERVICE__HTTP_PORT: String(port),
      QDRANT__SERVICE__GRPC_PORT: String(grpc),
      QDRANT__STORAGE__STORAGE_PATH: path.join(dir, 'storage'),
      QDRANT__STORAGE__SNAPSHOTS_PATH: path.join(dir, 'snapshots'),
      QDRANT__TELEMETRY_DISABLED: 'true',
    },
    stdio: ['ignore', log, log],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  for (const deadline = Date.now() + 60_000; ; ) {
    if (child.exitCode !== null) throw new Error(`Qdrant exited with code ${child.exitCode} at start${opts.logFile ? ` (see ${opts.logFile})` : ''}`);
    try {
      if ((await fetch(`${url}/readyz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`Qdrant did not answer on ${url} within 60 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    process: child,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
