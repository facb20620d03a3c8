import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createActActivities } from '../../activities/act/activities';
import type { SandboxHost } from '../../activities/act/host-channel';
import type { ActRequest, ActResult } from '../../activities/contracts';
import { temporalTestContext, type TemporalTestContext } from '../helpers/temporal';
import { readTestEnv } from '../helpers/test-env';
import { actFixture, describeWithSandbox, type ActFixture } from './act-fixture';

// The act activity on a real Temporal worker: the one-node workflow behind `par act run`, a
// worker stopped in the middle of a script, and the CLI itself.

describeWithSandbox('act on a Temporal worker', () => {
let ctx: TemporalTestContext;
let act: ActFixture;
beforeAll(async () => {
  [ctx, act] = await Promise.all([temporalTestContext('act'), actFixture()]);
});
afterAll(async () => {
  await ctx?.close();
  await act?.close();
});

function request(code: string, extra: Partial<ActRequest> = {}): ActRequest {
  return { code, variables: {}, message: '', history: [], runId: `act-test-${Date.now()}-${Math.random().toString(36).slice(2)}`, ...extra };
}

test('actScriptWorkflow runs a script through the act activity on the worker', async () => {
  const worker = await ctx.startWorker({ activities: createActActivities({ config: act.config, pool: act.pool, host: act.host }) });
  try {
    const req = request('save["double"] = x * 2\nprint("x was", x)', { variables: { x: 21 } });
    const result = await ctx.client.workflow.execute('actScriptWorkflow', { taskQueue: ctx.taskQueue, workflowId: req.runId, args: [req] });
    expect(result).toMatchObject({ ok: true, saved: { double: 42 }, output: 'x was 21\n' });
    const failed: ActResult = await ctx.client.workflow.execute('actScriptWorkflow', { taskQueue: ctx.taskQueue, workflowId: `${req.runId}-err`, args: [request('1/0')] });
    expect(failed).toMatchObject({ ok: false, error: { type: 'ZeroDivisionError' } });
  } finally {
    await worker.stop();
  }
});

test('a malformed request fails the workflow without retries, naming the field', async () => {
  const worker = await ctx.startWorker({ activities: createActActivities({ config: act.config, pool: act.pool, host: act.host }) });
  try {
    const req = request('print(1)', { limits: { timeoutMs: 3_600_000 } });
    const handle = await ctx.client.workflow.start('actScriptWorkflow', { taskQueue: ctx.taskQueue, workflowId: req.runId, args: [req] });
    await expect(handle.result()).rejects.toMatchObject({ cause: { cause: { message: expect.stringMatching(/limits\.timeoutMs is 3600000 ms/) } } });
    const history = await handle.fetchHistory();
    const started = history.events!.filter((e) => e.activityTaskStartedEventAttributes);
    expect(started.map((e) => e.activityTaskStartedEventAttributes!.attempt)).toEqual([1]);
  } finally {
    await worker.stop();
  }
});

test('a worker stopped mid-script: the act step is rerun from the start on another worker', async () => {
  // The script tells the host it started (a vault call). The first attempt then works far longer
  // than the test (only stopping the worker can end it in time); a rerun finds a hit and finishes.
  let started!: () => void;
  const firstAttemptStarted = new Promise<void>((r) => (started = r));
  const attempts: string[] = [];
  const host: SandboxHost = {
    async search(_vault, query) {
      attempts.push(query);
      if (attempts.length === 1) {
        started();
        return [];
      }
      return [{ id: 'rerun', text: 'rerun', score: 1, metadata: {} }];
    },
    async chat() {
      return '';
    },
  };
  const script = 'import time\nhits = vault.search("attempt", 1)\nprint("working")\nif not hits:\n    time.sleep(600)\nsave["done"] = True';
  const req = request(script, { vault: 'v' });
  const first = await ctx.startWorker({ activities: createActActivities({ config: act.config, pool: act.pool, host }) });
  const handle = await ctx.client.workflow.start('actScriptWorkflow', { taskQueue: ctx.taskQueue, workflowId: req.runId, args: [req] });
  await firstAttemptStarted;
  await first.stop(); // cancels the running activity, which kills its sandbox
  const second = await ctx.startWorker({ activities: createActActivities({ config: act.config, pool: act.pool, host }) });
  try {
    const result: ActResult = await handle.result();
    expect(result).toMatchObject({ ok: true, saved: { done: true }, output: 'working\n' });
    expect(attempts).toEqual(['attempt', 'attempt']);
    const history = await handle.fetchHistory();
    const startedEvents = history.events!.filter((e) => e.activityTaskStartedEventAttributes);
    expect(startedEvents.at(-1)!.activityTaskStartedEventAttributes!.attempt).toBe(2);
  } finally {
    await second.stop();
  }
});

test('a worker killed (SIGKILL) mid-script: the heartbeat lapses and another worker reruns the script', async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'par-act-killed-'));
  const child = spawn(process.execPath, [path.resolve(__dirname, '../../bin/run-ts.js'), path.join(__dirname, 'act-worker-process.ts'), ctx.taskQueue], {
    env: { ...process.env, TMPDIR: tmp },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (d: Buffer) => d.toString().includes('polling') && resolve());
      child.on('exit', (code) => reject(new Error(`the worker process exited (${code}) before polling`)));
    });
    // In the worker process the vault finds nothing, so the script works until the process is
    // killed (each pass asks the vault again, so an orphaned sandbox ends at its next call); the
    // survivor's vault answers at once and the rerun finishes.
    const script = 'import time\nprint("working")\nwhile not vault.search("ready?", 1):\n    time.sleep(2)\nsave["done"] = True';
    const req = request(script, { vault: 'v', limits: { timeoutMs: 300_000 } });
    const handle = await ctx.client.workflow.start('actScriptWorkflow', { taskQueue: ctx.taskQueue, workflowId: req.runId, args: [req] });
    // Kill once the activity is running and has heartbeated: the script is in progress.
    for (;;) {
      const pending = (await handle.describe()).raw.pendingActivities?.[0];
      if (pending?.lastHeartbeatTime) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    child.kill('SIGKILL');
    const survivor = await ctx.startWorker({ activities: createActActivities({ config: act.config, pool: act.pool, host: act.host }) });
    try {
      const result: ActResult = await handle.result();
      expect(result).toMatchObject({ ok: true, saved: { done: true }, output: 'working\n' });
      const history = await handle.fetchHistory();
      const startedEvents = history.events!.filter((e) => e.activityTaskStartedEventAttributes);
      const retried = startedEvents.at(-1)!.activityTaskStartedEventAttributes!;
      expect(retried.attempt).toBe(2);
      // Attempt 1 ended by its heartbeat timing out: nobody was left to report it.
      expect(JSON.stringify(retried.lastFailure)).toMatch(/heartbeat/i);
    } finally {
      await survivor.stop();
    }
  } finally {
    child.kill('SIGKILL');
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

describe('par act run', () => {
  const par = path.resolve(__dirname, '../../bin/par.js');
  let dir: string;
  let worker: Awaited<ReturnType<TemporalTestContext['startWorker']>>;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'par-act-cli-'));
    worker = await ctx.startWorker({ activities: createActActivities({ config: act.config, pool: act.pool, host: act.host }) });
  });
  afterAll(async () => {
    await worker?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const env = { ...process.env, PAR_TEMPORAL_ADDRESS: readTestEnv().temporalAddress, PAR_TASK_QUEUE: ctx.taskQueue, PAR_TEMPORAL_UI_URL: '' };
    return new Promise((resolve) => {
      execFile(process.execPath, [par, ...args], { env, timeout: 60_000 }, (err, stdout, stderr) => {
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
      });
    });
  }

  test('prints saved variables and output, exit 0; --json gives the result', async () => {
    const script = path.join(dir, 'refund.py');
    fs.writeFileSync(script, 'amount = order_total * 0.2\nprint(f"refund {amount:.2f} for {MESSAGE}")\nsave["refund"] = amount\n');
    const human = await cli(['act', 'run', script, '--vars', '{"order_total": 50}', '--message', 'order 7']);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain('refund 10.00 for order 7');
    expect(human.stdout).toMatch(/saved: \{\s+"refund": 10\s+\}/);
    const json = await cli(['act', 'run', script, '--vars', '{"order_total": 10}', '--json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: true, saved: { refund: 2 }, output: 'refund 2.00 for \n' });
  });

  test('an error prints its traceback and reason, exit 1; a time limit says so', async () => {
    const script = path.join(dir, 'broken.py');
    fs.writeFileSync(script, 'print("before")\nraise KeyError("customer")\n');
    const broken = await cli(['act', 'run', script]);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain('before');
    expect(broken.stdout).toContain('File "<act>", line 2');
    expect(broken.stdout).toContain("error: KeyError: 'customer'");
    const loop = path.join(dir, 'loop.py');
    fs.writeFileSync(loop, 'while True:\n    pass\n');
    const slow = await cli(['act', 'run', loop, '--timeout', '1', '--json']);
    expect(slow.code).toBe(1);
    expect(JSON.parse(slow.stdout)).toMatchObject({ ok: false, error: { limit: 'time', type: 'TimeoutError' } });
  });

  test('bad arguments are refused before anything runs (exit 2)', async () => {
    const missing = await cli(['act', 'run', path.join(dir, 'nope.py')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read .*nope\.py: ENOENT/);
    fs.writeFileSync(path.join(dir, 'ok.py'), 'pass\n');
    const badVars = await cli(['act', 'run', path.join(dir, 'ok.py'), '--vars', '[1]']);
    expect(badVars.code).toBe(2);
    expect(badVars.stderr).toMatch(/--vars must be a JSON object/);
  });
});
});
