import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ActResult } from '../contracts';
import { onceUntilFailure } from '../common/once-until-failure';
import type { ActSandboxConfig } from './config';
import { SandboxUnavailableError } from './errors';
import { detectIsolation, type SandboxIsolation } from './isolation';
import type { ResolvedActLimits } from './limits';
import type { SandboxJob } from './protocol';
import { Sandbox, type SandboxFiles, type SandboxRunHandlers } from './sandbox';
import { makePyodideSnapshot } from './snapshot';
import { sandboxReadableFiles, sandboxTempDir } from './staging';

export interface PoolLogger {
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
}

export interface SandboxPoolStats {
  warm: number;
  ready: number;
  started: number;
  isolation?: string;
  snapshot: boolean;
}

const silentLogger: PoolLogger = { info: () => undefined, warn: () => undefined };
/** After this many sandboxes in a row fail to start, refilling waits for the next run. */
const MAX_START_FAILURES = 3;

const SNAPSHOT_DIR_PREFIX = 'par-act-snapshot-';

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Snapshot folders of workers that died without cleaning up (a killed worker cannot). */
function removeStaleSnapshotDirs(dir: string): void {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const pid = Number(name.slice(SNAPSHOT_DIR_PREFIX.length).split('-')[0]);
    if (!name.startsWith(SNAPSHOT_DIR_PREFIX) || !Number.isInteger(pid) || pid <= 0 || processAlive(pid)) continue;
    fs.rmSync(path.join(dir, name), { recursive: true, force: true });
  }
}

export function defaultSandboxFiles(): SandboxFiles {
  const real = (p: string) => fs.realpathSync(p);
  return {
    pyodideDir: real(path.dirname(require.resolve('pyodide'))),
    childScript: real(path.join(__dirname, 'sandbox-child.js')),
    prelude: real(path.join(__dirname, 'sandbox-prelude.py')),
  };
}

/** The isolation sandboxes reading `files` get here (see detectIsolation). */
export function detectSandboxIsolation(files: SandboxFiles): SandboxIsolation {
  return detectIsolation([files.pyodideDir, files.childScript, files.prelude], files.nodeBinary);
}

/**
 * Warm act sandboxes. Each sandbox runs one script and is then destroyed (a process that ran
 * untrusted code cannot be shown clean), so taking one starts its replacement in the background.
 * Warm sandboxes have the default memory cap (fixed at process start); a run with another cap
 * gets a sandbox of its own.
 */
export class SandboxPool {
  private readonly config: ActSandboxConfig;
  private readonly log: PoolLogger;
  private readonly baseFiles: SandboxFiles;
  private warm: Sandbox[] = [];
  private snapshotDir?: string;
  private started = 0;
  private startFailures = 0;
  private closed = false;
  private isolation?: SandboxIsolation;
  private files?: SandboxFiles;

  constructor(config: ActSandboxConfig, opts: { files?: SandboxFiles; logger?: PoolLogger } = {}) {
    this.config = config;
    this.log = opts.logger ?? silentLogger;
    this.baseFiles = opts.files ?? defaultSandboxFiles();
  }

  /** Checks the isolation, makes the snapshot and fills the pool; runs once, again after a failure. */
  readonly prepare = onceUntilFailure(() => this.doPrepare());

  private async doPrepare(): Promise<{ files: SandboxFiles; isolation: SandboxIsolation }> {
    let staged: SandboxFiles;
    try {
      staged = sandboxReadableFiles(this.baseFiles);
    } catch (err) {
      throw new SandboxUnavailableError((err as Error).message);
    }
    const isolation = detectSandboxIsolation(staged);
    if (isolation.mode !== 'namespaces') {
      if (this.config.requireIsolation) {
        throw new SandboxUnavailableError(
          `act sandboxes need network and pid namespaces, which this machine does not give: ${isolation.unavailableReason}. ` +
            'Set PAR_ACT_REQUIRE_ISOLATION=0 to run act scripts under Node\'s permission model alone (a script that escapes Python could then open network connections).',
        );
      }
      this.log.warn('act sandboxes run without network and pid namespaces', { reason: isolation.unavailableReason });
    }
    let files: SandboxFiles = { ...staged };
    if (this.config.useSnapshot) {
      try {
        // Where the sandbox's uid can read it (TMPDIR may be a private folder).
        const tmp = sandboxTempDir() ?? os.tmpdir();
        removeStaleSnapshotDirs(tmp);
        const dir = fs.mkdtempSync(path.join(tmp, `${SNAPSHOT_DIR_PREFIX}${process.pid}-`));
        this.snapshotDir = dir;
        process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
        fs.chmodSync(dir, 0o755); // the sandbox's unprivileged uid reads the snapshot
        const snapshot = await makePyodideSnapshot(files, isolation, dir, this.config.startTimeoutMs * 2);
        files = { ...files, snapshot };
      } catch (err) {
        this.log.warn('act sandboxes start cold: the Pyodide snapshot could not be made', { error: (err as Error).message });
      }
    }
    this.isolation = isolation;
    this.files = files;
    this.log.info('act sandbox pool ready', { isolation: isolation.description, snapshot: Boolean(files.snapshot), poolSize: this.config.poolSize });
    return { files, isolation };
  }

  private spawn(memoryMb: number): Sandbox {
    this.started++;
    const sandbox = new Sandbox({
      files: this.files!,
      isolation: this.isolation!,
      memoryMb,
      runtimeAllowanceMb: this.config.runtimeAllowanceMb,
      startTimeoutMs: this.config.startTimeoutMs,
    });
    return sandbox;
  }

  /** Tops the pool up to its size in the background. */
  private refill(): void {
    while (!this.closed && this.files && this.warm.length < this.config.poolSize && this.startFailures < MAX_START_FAILURES) {
      const sandbox = this.spawn(this.config.defaults.memoryMb);
      this.warm.push(sandbox);
      sandbox.ready.then(
        () => {
          this.startFailures = 0;
        },
        (err: Error) => {
          this.warm = this.warm.filter((s) => s !== sandbox);
          if (this.closed) return;
          this.startFailures++;
          this.log.warn('an act sandbox failed to start', { error: err.message });
          this.refill();
        },
      );
    }
  }

  /** Starts filling the pool now (e.g. when the worker starts) instead of at the first run. */
  async warmUp(): Promise<void> {
    await this.prepare();
    this.refill();
    await Promise.all(this.warm.map((s) => s.ready.catch(() => undefined)));
  }

  private async acquire(memoryMb: number): Promise<Sandbox> {
    await this.prepare();
    if (this.closed) throw new SandboxUnavailableError('the act sandbox pool is closed');
    this.startFailures = 0;
    if (memoryMb !== this.config.defaults.memoryMb) return this.spawn(memoryMb);
    this.warm = this.warm.filter((s) => s.alive);
    const index = Math.max(0, this.warm.findIndex((s) => s.readyAt !== undefined));
    const [sandbox] = this.warm.length ? this.warm.splice(index, 1) : [this.spawn(memoryMb)];
    this.refill();
    return sandbox;
  }

  /**
   * Runs a job in a fresh sandbox, which is destroyed afterwards. A sandbox that fails to start
   * is replaced once; a second failure is the worker's problem and rejects (Temporal retries).
   */
  async run(job: SandboxJob, limits: ResolvedActLimits, handlers: SandboxRunHandlers, signal?: AbortSignal): Promise<ActResult> {
    for (let attempt = 1; ; attempt++) {
      const sandbox = await this.acquire(limits.memoryMb);
      try {
        return await sandbox.run(job, limits, handlers, signal);
      } catch (err) {
        if (!(err instanceof SandboxUnavailableError) || attempt >= 2 || signal?.aborted) throw err;
        this.log.warn('retrying an act run on a new sandbox', { error: err.message });
      } finally {
        sandbox.kill();
      }
    }
  }

  stats(): SandboxPoolStats {
    return {
      warm: this.warm.length,
      ready: this.warm.filter((s) => s.readyAt !== undefined && s.alive).length,
      started: this.started,
      isolation: this.isolation?.description,
      snapshot: Boolean(this.files?.snapshot),
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const sandbox of this.warm) sandbox.kill();
    this.warm = [];
    if (this.snapshotDir) fs.rmSync(this.snapshotDir, { recursive: true, force: true });
  }
}
