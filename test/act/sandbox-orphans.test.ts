import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describeWithSandbox } from './act-fixture';

function childrenOf(pid: number): number[] {
  try {
    return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function descendants(pid: number): number[] {
  const out: number[] = [];
  const stack = childrenOf(pid);
  while (stack.length) {
    const p = stack.pop()!;
    out.push(p);
    stack.push(...childrenOf(p));
  }
  return out;
}

/** Alive and not a zombie waiting to be reaped (a container's pid 1 may never reap it). */
function alive(pid: number): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '')[0] !== 'Z';
  } catch {
    return false;
  }
}

const cmdline = (pid: number) => {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
};

// Regression: sandboxes run in their own process group and were only killed by the worker's
// exit hook, which a SIGKILLed worker never runs; a busy script then kept burning CPU.
describeWithSandbox('act sandboxes and a worker that dies', () => {
  let holderPid: number | undefined;
  afterAll(() => {
    if (holderPid && alive(holderPid)) process.kill(holderPid, 'SIGKILL');
  });
  test('SIGKILL of the worker process takes its sandboxes, busy or warm, with it', async () => {
    const holder = spawn(process.execPath, [path.join(__dirname, '../../bin/run-ts.js'), path.join(__dirname, 'act-orphan-process.ts')], { stdio: ['ignore', 'pipe', 'inherit'] });
    holderPid = holder.pid;
    await new Promise<void>((resolve, reject) => {
      holder.stdout!.on('data', (d: Buffer) => d.toString().includes('running') && resolve());
      holder.once('exit', (code) => reject(new Error(`the sandbox holder exited early (${code})`)));
    });
    const sandboxes = descendants(holder.pid!).filter((pid) => cmdline(pid).includes('sandbox-child.js'));
    // The busy one and the warm pool.
    expect(sandboxes.length).toBeGreaterThanOrEqual(2);
    const tree = descendants(holder.pid!);
    holder.kill('SIGKILL');
    let survivors = tree;
    for (const deadline = Date.now() + 30_000; Date.now() < deadline; ) {
      survivors = tree.filter(alive);
      if (survivors.length === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(survivors.map((pid) => `${pid} ${cmdline(pid)}`)).toEqual([]);
  }, 180_000);
});
