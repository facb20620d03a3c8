import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ROOT, runPar } from '../helpers/cli';
import { freePorts } from '../helpers/processes';

/** `npm start`'s stack (scripts/start.ts) on private ports and a private data folder. */
function startStack(env: NodeJS.ProcessEnv): { proc: ChildProcess; output: () => string; exited: Promise<number> } {
  const proc = spawn(process.execPath, [path.join(ROOT, 'bin/run-ts.js'), 'scripts/start.ts'], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number>((resolve) => proc.once('exit', (code) => resolve(code ?? -1)));
  return { proc, output: () => out, exited };
}

/** A stack of its own: an empty data folder and free ports for Temporal, its Web UI and the API. */
async function privateStackEnv() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'par-stack-'));
  const [temporalPort, uiPort, apiPort] = await freePorts(3);
  return {
    dataDir,
    env: { PAR_DATA_DIR: dataDir, PAR_TEMPORAL_PORT: String(temporalPort), PAR_TEMPORAL_UI_PORT: String(uiPort), PAR_API_PORT: String(apiPort), PAR_TEMPORAL_ADDRESS: '' },
  };
}

async function until(what: string, pred: () => boolean, timeoutMs = 120000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

test('npm start brings the stack up, Ctrl-C stops every process, and a second start finds the earlier runs', async () => {
  const own = await privateStackEnv();
  const dataDir = own.dataDir;
  const env = { ...own.env, PAR_TASK_QUEUE: 'par-stack-test' };
  const first = startStack(env);
  await until('the stack', () => first.output().includes('PAR is up'));
  expect(first.output()).toMatch(new RegExp(`Web UI\\s+http://127.0.0.1:${env.PAR_TEMPORAL_UI_PORT}`));
  expect(first.output()).toMatch(/npx par run hello --input/);
  const status = await runPar(['status', '--json'], env);
  expect(status.code).toBe(0);
  expect(JSON.parse(status.stdout)).toMatchObject({ healthy: true, worker: { polling: true }, webUi: `http://127.0.0.1:${env.PAR_TEMPORAL_UI_PORT}` });
  const ran = await runPar(['run', 'hello', '--input', '{"name":"Ada"}', '--id', 'hello-persisted', '--json'], env);
  expect(JSON.parse(ran.stdout)).toMatchObject({ result: { greeting: 'Hello, Ada!' } });
  const ui = await fetch(`http://127.0.0.1:${env.PAR_TEMPORAL_UI_PORT}/`);
  expect(ui.status).toBe(200);

  const pids = Object.values(JSON.parse(fs.readFileSync(path.join(dataDir, 'stack.json'), 'utf8')).pids as Record<string, number>);
  first.proc.kill('SIGINT');
  expect(await first.exited).toBe(0);
  expect(pids.filter(alive)).toEqual([]);

  const second = startStack(env);
  await until('the second stack', () => second.output().includes('PAR is up'));
  const { Connection, Client } = await import('@temporalio/client');
  const connection = await Connection.connect({ address: `127.0.0.1:${env.PAR_TEMPORAL_PORT}` });
  const desc = await new Client({ connection }).workflow.getHandle('hello-persisted').describe();
  expect(desc.status.name).toBe('COMPLETED');
  await connection.close();
  second.proc.kill('SIGINT');
  expect(await second.exited).toBe(0);
}, 600_000); // two stack starts, each up to the 120 s `until` above on a busy machine

test('npm start refuses a port in use with a message naming it, and leaves nothing running', async () => {
  const blocker = net.createServer().listen(0, '127.0.0.1');
  await new Promise((r) => blocker.once('listening', r));
  const port = (blocker.address() as net.AddressInfo).port;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'par-stack-'));
  const [temporalPort] = await freePorts(1);
  const stack = startStack({ PAR_DATA_DIR: dataDir, PAR_API_PORT: String(port), PAR_TEMPORAL_PORT: String(temporalPort), PAR_TEMPORAL_ADDRESS: '' });
  expect(await stack.exited).toBe(1);
  expect(stack.output()).toMatch(new RegExp(`port ${port} \\(PAR API\\) is already in use.*PAR_API_PORT`));
  expect(fs.existsSync(path.join(dataDir, 'stack.json'))).toBe(false);
  blocker.close();
}, 120_000);

test('npm start with an unreachable PAR_TEMPORAL_ADDRESS fails clearly without starting a dev server', async () => {
  const [apiPort] = await freePorts(1);
  const stack = startStack({ PAR_DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'par-stack-')), PAR_TEMPORAL_ADDRESS: '127.0.0.1:1', PAR_API_PORT: String(apiPort) });
  expect(await stack.exited).toBe(1);
  expect(stack.output()).toMatch(/using the Temporal cluster at 127.0.0.1:1/);
  expect(stack.output()).toMatch(/Temporal at 127.0.0.1:1 did not answer.*Check PAR_TEMPORAL_ADDRESS/s);
  expect(stack.output()).not.toMatch(/starting the Temporal dev server/);
}, 120_000);

test('npm start restarts a SIGKILLed worker, says so, and a run then completes on the new one', async () => {
  const own = await privateStackEnv();
  const dataDir = own.dataDir;
  const env = { ...own.env, PAR_TASK_QUEUE: 'par-stack-restart-test' };
  const stack = startStack(env);
  try {
    await until('the stack', () => stack.output().includes('PAR is up'));
    const statePath = path.join(dataDir, 'stack.json');
    const before = JSON.parse(fs.readFileSync(statePath, 'utf8')).pids as Record<string, number>;
    process.kill(before.worker, 'SIGKILL');
    await until('the restart', () => /restarted the worker process \(pid \d+\)/.test(stack.output()));
    expect(stack.output()).toMatch(new RegExp(`the worker process exited unexpectedly \\(SIGKILL\\); restarting it in 0\\.5 s \\(crash 1 of 5 allowed within 60 s; log: ${dataDir}/logs/worker.log\\)`));
    const after = JSON.parse(fs.readFileSync(statePath, 'utf8')).pids as Record<string, number>;
    expect(after.worker).not.toBe(before.worker);
    expect(alive(after.worker)).toBe(true);
    expect(after.api).toBe(before.api);
    const ran = await runPar(['run', 'hello', '--input', '{"name":"Grace"}', '--json'], env);
    expect(JSON.parse(ran.stdout)).toMatchObject({ result: { greeting: 'Hello, Grace!' } });
    stack.proc.kill('SIGINT');
    expect(await stack.exited).toBe(0);
    expect(Object.values(after).filter(alive)).toEqual([]);
  } finally {
    stack.proc.kill('SIGKILL');
  }
}, 600_000);

test('npm start stops the stack on a crash loop, naming the log and showing its end', async () => {
  const { dataDir, env } = await privateStackEnv();
  // A setting only the API reads, and refuses: it dies at every start. A wide window and start
  // deadline, so a slow machine still counts every crash in it.
  const stack = startStack({
    ...env,
    PAR_API_HOST: '0.0.0.0',
    PAR_API_INSECURE_LOCAL: '1',
    PAR_RESTART_LIMIT: '3',
    PAR_RESTART_WINDOW_S: '3600',
    PAR_START_TIMEOUT_S: '3600',
  });
  expect(await stack.exited).toBe(1);
  const out = stack.output();
  expect(out).toMatch(/the api process exited unexpectedly \(code 1\); restarting it in 0\.5 s \(crash 1 of 3/);
  expect(out).toMatch(/restarting it in 1\.0 s \(crash 2 of 3/);
  expect(out).toMatch(new RegExp(`the api process crashed 3 times within 3600 s \\(last: code 1\\): a crash loop\\. Stopping the stack; see ${dataDir}/logs/api\\.log, which ends:`));
  expect(out).toMatch(/insecure local mode \(no API keys\) is only allowed on a loopback address/);
  expect(out).not.toMatch(/PAR is up/);
  expect(fs.existsSync(path.join(dataDir, 'stack.json'))).toBe(false);
}, 600_000);
