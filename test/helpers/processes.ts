import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { ROOT } from './cli';

/** A PAR process (worker, API) started from its entry point as an operator would, with its own environment. */
export interface ParProcess {
  name: string;
  pid: number;
  dataDir: string;
  /** http://127.0.0.1:PORT for an API process (from PAR_API_PORT). */
  url: string;
  output(): string;
  exited: Promise<number | string>;
  kill(signal: NodeJS.Signals): void;
  /** SIGTERM, then SIGKILL if it has not exited within 10 s. */
  stop(): Promise<void>;
}

/**
 * Starts `node bin/run-ts.js ENTRY` and resolves once its output matches `ready`; rejects with its
 * output if it exits first.
 */
export function startParProcess(name: string, entry: string, env: NodeJS.ProcessEnv, ready: RegExp): Promise<ParProcess> {
  const proc: ChildProcess = spawn(process.execPath, [path.join(ROOT, 'bin/run-ts.js'), entry], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const exited = new Promise<number | string>((resolve) => proc.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  const handle: ParProcess = {
    name,
    pid: proc.pid!,
    dataDir: env.PAR_DATA_DIR ?? '',
    url: env.PAR_API_PORT ? `http://127.0.0.1:${env.PAR_API_PORT}` : '',
    output: () => out,
    exited,
    kill: (signal) => void proc.kill(signal),
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
  return new Promise((resolve, reject) => {
    const onData = (d: Buffer) => {
      out += d.toString();
      if (ready.test(out)) resolve(handle);
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    void exited.then((code) => reject(new Error(`${name} exited (${code}) before it was ready:\n${out}`)));
  });
}

/** n different free loopback ports (all held open while choosing, so none is handed out twice). */
export async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: n }, () => new Promise<net.Server>((resolve, reject) => {
      const srv = net.createServer();
      srv.once('error', reject);
      srv.listen(0, '127.0.0.1', () => resolve(srv));
    })),
  );
  const ports = servers.map((srv) => (srv.address() as net.AddressInfo).port);
  await Promise.all(servers.map((srv) => new Promise((r) => srv.close(r))));
  return ports;
}
