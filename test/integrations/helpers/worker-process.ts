import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { readTestEnv } from '../../helpers/test-env';

/** A real worker process (npm run worker) on the test server, for tests that kill it. */
export function spawnWorkerProcess(taskQueue: string, env: NodeJS.ProcessEnv = {}): Promise<ChildProcess> {
  const root = path.resolve(__dirname, '../../..');
  const child = spawn(process.execPath, [path.join(root, 'bin/run-ts.js'), 'workers/main.ts'], {
    cwd: root,
    env: { ...process.env, ...env, PAR_TEMPORAL_ADDRESS: readTestEnv().temporalAddress, PAR_TASK_QUEUE: taskQueue },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('polling task queue')) resolve(child);
    });
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => reject(new Error(`worker exited early (${code}): ${out}`)));
  });
}
