import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export interface LocalRedis {
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => {
      s.end();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}

/**
 * Starts Debian's redis-server on a loopback port for the stream bus (`npm start` with
 * PAR_REDIS=local, and the tests). Stream buffers are short-lived, so nothing is persisted.
 */
export async function startLocalRedis(opts: { port: number; dir: string; logFile?: string; timeoutMs?: number }): Promise<LocalRedis> {
  if (await portAnswers(opts.port)) throw new Error(`port ${opts.port} is already in use; set PAR_REDIS_PORT, or point PAR_REDIS_URL at a running Redis`);
  fs.mkdirSync(opts.dir, { recursive: true });
  const args = ['--port', String(opts.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', opts.dir];
  if (opts.logFile) args.push('--logfile', path.resolve(opts.logFile));
  const proc = spawn('redis-server', args, { stdio: 'ignore' });
  const failed = new Promise<never>((_, reject) => {
    proc.once('error', (err) => reject(new Error(`redis-server could not start (${err.message}); install it with \`npm run setup\` (as root it runs \`apt-get install redis-server\`)`)));
    proc.once('exit', (code) => reject(new Error(`redis-server exited with code ${code}${opts.logFile ? `; see ${opts.logFile}` : ''}`)));
  });
  failed.catch(() => undefined);
  const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
  while (!(await Promise.race([portAnswers(opts.port), failed]))) {
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`redis-server did not listen on 127.0.0.1:${opts.port} in time`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: `redis://127.0.0.1:${opts.port}`,
    process: proc,
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await exited;
    },
  };
}
