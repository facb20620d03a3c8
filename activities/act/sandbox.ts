import { spawn, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import type { ActResult, JsonValue } from '../contracts';
import { SandboxUnavailableError } from './errors';
import type { SandboxIsolation } from './isolation';
import type { ResolvedActLimits } from './limits';
import { parseChildMessage, ProtocolViolation, type ChildMessage, type HostReply, type SandboxJob } from './protocol';
import { treeResidentBytes } from './process-tree';

export interface SandboxFiles {
  pyodideDir: string;
  childScript: string;
  prelude: string;
  /** A Pyodide memory snapshot to start from; a cold start without it. */
  snapshot?: string;
  /** The node binary the sandbox runs (the worker's own unless staged where the sandbox can read it). */
  nodeBinary?: string;
}

export interface SandboxStartOptions {
  files: SandboxFiles;
  isolation: SandboxIsolation;
  /** Cap of the Python heap (the WebAssembly memory), fixed when the process starts. */
  memoryMb: number;
  /** What the Node + Pyodide runtime may use on top before the watchdog kills the sandbox. */
  runtimeAllowanceMb: number;
  startTimeoutMs: number;
}

export interface SandboxRunHandlers {
  /** Answers one vault/web request of the script. */
  call(op: string, args: Record<string, JsonValue>, signal: AbortSignal): Promise<HostReply>;
}

const MEMORY_POLL_MS = 50;
const STDERR_TAIL_CHARS = 8192;
/** Room beyond the output limit for one message's JSON framing and the saved variables. */
const MESSAGE_SLACK_BYTES = 4_000_000;

const live = new Set<Sandbox>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Sandboxes run in their own process group; they must not outlive the worker.
  process.on('exit', () => {
    for (const sandbox of live) sandbox.kill();
  });
}

/** The node flags that put Pyodide under the permission model with capped memory. */
export function sandboxNodeArgs(files: SandboxFiles, memoryMb: number, extra: string[] = []): string[] {
  const readable = [files.pyodideDir, files.childScript, files.prelude, ...(files.snapshot ? [files.snapshot] : [])];
  return [
    '--experimental-permission',
    ...readable.map((f) => `--allow-fs-read=${f}`),
    // Closes the Function('return process') route out of Python; Pyodide needs no eval.
    '--disallow-code-generation-from-strings',
    '--no-warnings',
    '--max-old-space-size=192',
    `--wasm-max-mem-pages=${memoryMb * 16}`,
    files.childScript,
    files.pyodideDir,
    files.prelude,
    files.snapshot ?? '-',
    ...extra,
  ];
}

export function spawnSandboxProcess(isolation: SandboxIsolation, nodeArgs: string[], nodeBinary: string = process.execPath): ChildProcess {
  const [command, ...wrapperArgs] = isolation.wrapper.length ? isolation.wrapper : [nodeBinary];
  const args = isolation.wrapper.length ? [...wrapperArgs, nodeBinary, ...nodeArgs] : nodeArgs;
  // An empty environment: nothing of the worker's (keys, addresses) exists in the sandbox. cwd
  // "/": the worker's folder may be closed to the sandbox's uid.
  return spawn(command, args, { env: {}, cwd: '/', detached: true, stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
}

/**
 * One sandbox process: Pyodide under Node's permission model inside the isolation wrapper. It
 * runs exactly one script and is then killed; nothing of one run can reach another.
 */
export class Sandbox {
  readonly memoryMb: number;
  readonly ready: Promise<void>;
  readonly startedAt = Date.now();
  readyAt?: number;
  fromSnapshot = false;
  private readonly proc: ChildProcess;
  private readonly channel: Socket;
  private readonly runtimeAllowanceMb: number;
  private stderrTail = '';
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private maxMessageBytes = MESSAGE_SLACK_BYTES;
  private onMessage?: (msg: ChildMessage) => void;
  private onChannelError?: (err: Error) => void;
  private onExit?: (code: number | null, signal: NodeJS.Signals | null) => void;
  private exited = false;
  private used = false;

  constructor(opts: SandboxStartOptions) {
    installExitHook();
    this.memoryMb = opts.memoryMb;
    this.runtimeAllowanceMb = opts.runtimeAllowanceMb;
    this.proc = spawnSandboxProcess(opts.isolation, sandboxNodeArgs(opts.files, opts.memoryMb), opts.files.nodeBinary);
    live.add(this);
    this.channel = this.proc.stdio[3] as Socket;
    this.proc.stderr!.setEncoding('utf8');
    this.proc.stderr!.on('data', (text: string) => {
      this.stderrTail = (this.stderrTail + text).slice(-STDERR_TAIL_CHARS);
    });
    this.channel.on('data', (data: Buffer) => this.receive(data));
    this.channel.on('error', () => undefined); // the process's exit says what happened
    this.ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.kill();
        reject(new SandboxUnavailableError(`the act sandbox did not start within ${opts.startTimeoutMs} ms`));
      }, opts.startTimeoutMs);
      this.onMessage = (msg) => {
        clearTimeout(timer);
        if (msg.t !== 'ready') {
          this.kill();
          reject(new SandboxUnavailableError(`the act sandbox said "${msg.t}" before it was ready`));
          return;
        }
        this.readyAt = Date.now();
        this.fromSnapshot = msg.snapshot;
        resolve();
      };
      this.onChannelError = (err) => {
        clearTimeout(timer);
        this.kill();
        reject(new SandboxUnavailableError(`the act sandbox broke its protocol while starting: ${err.message}`));
      };
      this.onExit = (code, signal) => {
        clearTimeout(timer);
        reject(new SandboxUnavailableError(`the act sandbox exited while starting (${signal ?? `exit ${code}`}): ${this.lastStderrLine() || 'no output'}`));
      };
    });
    this.ready.catch(() => undefined); // observed by whoever runs on it
    // 'close', not 'exit': the result line may still be in the pipe when the process ends.
    this.proc.on('close', (code, signal) => {
      this.exited = true;
      live.delete(this);
      this.onExit?.(code, signal);
    });
    this.proc.on('error', (err) => {
      this.exited = true;
      live.delete(this);
      this.stderrTail += `\n${err.message}`;
      this.onExit?.(null, null);
    });
  }

  get pid(): number | undefined {
    return this.proc.pid;
  }

  get alive(): boolean {
    return !this.exited;
  }

  /** Ends the sandbox and everything in its process group at once. */
  kill(): void {
    if (this.exited || this.proc.pid === undefined) return;
    try {
      process.kill(-this.proc.pid, 'SIGKILL');
    } catch {
      this.proc.kill('SIGKILL');
    }
  }

  private lastStderrLine(): string {
    return this.stderrTail.trim().split('\n').slice(-1)[0] ?? '';
  }

  private receive(data: Buffer): void {
    let start = 0;
    for (let nl = data.indexOf(0x0a); nl >= 0; nl = data.indexOf(0x0a, start)) {
      this.pending.push(data.subarray(start, nl));
      const line = Buffer.concat(this.pending).toString('utf8');
      this.pending = [];
      this.pendingBytes = 0;
      start = nl + 1;
      let msg: ChildMessage;
      try {
        msg = parseChildMessage(line);
      } catch (err) {
        this.onChannelError?.(err as Error);
        return;
      }
      this.onMessage?.(msg);
    }
    if (start < data.length) {
      this.pending.push(data.subarray(start));
      this.pendingBytes += data.length - start;
      if (this.pendingBytes > this.maxMessageBytes) {
        const head = Buffer.concat(this.pending).subarray(0, 12).toString('utf8');
        this.pending = [];
        this.onChannelError?.(new MessageTooLarge(head.startsWith('{"t":"out"'), this.maxMessageBytes));
      }
    }
  }

  /**
   * Runs the job once. Script failures and limits come back as a failed result; it rejects only
   * when the sandbox could not start (retryable) or the signal aborted the run.
   */
  async run(job: SandboxJob, limits: ResolvedActLimits, handlers: SandboxRunHandlers, signal?: AbortSignal): Promise<ActResult> {
    if (this.used) throw new Error('an act sandbox runs one script only');
    this.used = true;
    await this.ready;
    if (this.exited) throw new SandboxUnavailableError(`the act sandbox died while idle: ${this.lastStderrLine() || 'no output'}`);
    this.maxMessageBytes = limits.outputBytes + MESSAGE_SLACK_BYTES;
    const started = Date.now();
    const calls = new AbortController();
    let output = '';
    let outputBytes = 0;

    return new Promise<ActResult>((resolve, reject) => {
      let settled = false;
      const finish = (outcome: Omit<ActResult, 'output' | 'durationMs'> | Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        clearInterval(watchdog);
        signal?.removeEventListener('abort', onAbort);
        calls.abort();
        this.kill();
        if (outcome instanceof Error) reject(outcome);
        else resolve({ ...outcome, output, durationMs: Date.now() - started });
      };
      const limitHit = (limit: 'time' | 'memory' | 'output', type: string, message: string) =>
        finish({ ok: false, saved: {}, error: { type, message, limit } });

      const timer = setTimeout(
        () => limitHit('time', 'TimeoutError', `the script ran longer than its time limit of ${limits.timeoutMs} ms and was stopped`),
        limits.timeoutMs,
      );
      const capBytes = (this.memoryMb + this.runtimeAllowanceMb) * 1024 * 1024;
      const watchdog = setInterval(() => {
        const rss = this.proc.pid === undefined ? undefined : treeResidentBytes(this.proc.pid);
        if (rss !== undefined && rss > capBytes) {
          limitHit('memory', 'MemoryError', `the sandbox used ${Math.round(rss / 1048576)} MB, over its memory limit (${this.memoryMb} MB for the script + ${this.runtimeAllowanceMb} MB for the runtime), and was stopped`);
        }
      }, MEMORY_POLL_MS);
      const onAbort = () => finish(signal?.reason instanceof Error ? signal.reason : new Error('act run cancelled'));
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort);

      let callInFlight = false;
      this.onMessage = (msg) => {
        if (settled) return;
        switch (msg.t) {
          case 'out': {
            const bytes = Buffer.byteLength(msg.s, 'utf8');
            if (outputBytes + bytes > limits.outputBytes) {
              output += Buffer.from(msg.s, 'utf8').subarray(0, limits.outputBytes - outputBytes).toString('utf8').replace(/\uFFFD$/, '');
              limitHit('output', 'OutputLimitError', `the script printed more than its output limit of ${limits.outputBytes} bytes and was stopped`);
              return;
            }
            output += msg.s;
            outputBytes += bytes;
            return;
          }
          case 'call': {
            if (callInFlight) return this.onChannelError?.(new ProtocolViolation('a second call before the first was answered'));
            callInFlight = true;
            handlers
              .call(msg.op, msg.args, calls.signal)
              .catch((err: unknown): HostReply => ({ ok: false, error: { type: 'HostError', message: (err as Error).message ?? String(err) } }))
              .then((reply) => {
                callInFlight = false;
                if (!settled) this.channel.write(`${JSON.stringify(reply)}\n`);
              });
            return;
          }
          case 'result':
            finish({ ok: msg.ok, saved: msg.saved, ...(msg.error ? { error: msg.error } : {}) });
            return;
          default:
            this.onChannelError?.(new ProtocolViolation(`unexpected "${msg.t}" during a run`));
        }
      };
      this.onChannelError = (err) => {
        if (err instanceof MessageTooLarge && err.output) {
          limitHit('output', 'OutputLimitError', `the script printed more than its output limit of ${limits.outputBytes} bytes and was stopped`);
        } else {
          finish({ ok: false, saved: {}, error: { type: 'SandboxProtocolError', message: `the sandbox broke its protocol (${err.message}) and was discarded` } });
        }
      };
      this.onExit = (code, exitSignal) => {
        const stderr = this.stderrTail;
        if (/out of memory|allocation failed|cannot allocate|OOM/i.test(stderr)) {
          limitHit('memory', 'MemoryError', `the sandbox ran out of memory (limit ${this.memoryMb} MB) and was stopped`);
        } else {
          finish({
            ok: false,
            saved: {},
            error: { type: 'SandboxCrash', message: `the sandbox process ended (${exitSignal ?? `exit ${code}`}) before the script finished: ${this.lastStderrLine() || 'no output'}` },
          });
        }
      };
      if (this.exited) return this.onExit(null, null);
      this.channel.write(`${JSON.stringify(job)}\n`);
    });
  }
}

class MessageTooLarge extends ProtocolViolation {
  constructor(
    readonly output: boolean,
    limit: number,
  ) {
    super(`a message over ${limit} bytes`);
  }
}
