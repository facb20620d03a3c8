// Where a node's time goes, counted rather than timed: for each node type on instant activities,
// the promises workflow code creates in the sandbox per node (Temporal's SDK captures and
// source-maps a stack trace for each), the bytes of each activity's input and output, and the
// history events per node. The worker runs in this process (debugMode, so the workflow sandbox
// is on this thread and a promise hook here sees its promises).
//
//   nice -n 0 node bin/run-ts.js bench/node-anatomy.ts [--runs 9] [--history 200] [--cases retrieve,store,approval] [--stacks]
//
// --stacks also prints, per node type, where the sandbox promises of one node are created (the
// innermost workflows/ frame), most frequent first. Prints numbers only; nothing is asserted.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { loadToolPaths } from '../workers/config';
import { createParWorker } from '../workers/worker';
import { workflowBundleFile } from '../workers/workflow-bundle';
import { freePort, startDevServer } from '../scripts/temporal-dev-server';
import { FlowService } from '../client/services/flows';
import { FlowRegistry } from '../client/services/flow-registry';
import type { FlowDefinition, FlowNode, ModelMessage } from '../workflows/flow/types';
import { instantActivities } from './fixtures/instant-activities';
import { chainFlow } from './lib/chain-flow';

const TASK_QUEUE = 'anatomy';
const K = 20;
const STACKS = process.argv.includes('--stacks');
/** --history N: every run continues a conversation of N earlier messages (a session's later turns). */
const historyAt = process.argv.indexOf('--history');
const HISTORY: ModelMessage[] = Array.from({ length: historyAt > 0 ? Number(process.argv[historyAt + 1]) : 0 }, (_, i) => ({
  role: i % 2 ? 'assistant' : 'user',
  content: `message ${i}: ${'a sentence of an ordinary conversation, '.repeat(8)}`,
}));
const runsAt = process.argv.indexOf('--runs');
const RUNS = runsAt > 0 ? Number(process.argv[runsAt + 1]) : 9;
const casesAt = process.argv.indexOf('--cases');
const CASES = casesAt > 0 ? process.argv[casesAt + 1]?.split(',') : undefined;
const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} } as never;

const NODES: { label: string; node: (i: number) => Omit<FlowNode, 'id' | 'outputs'>; out?: string }[] = [
  { label: 'set_variable', node: (i) => ({ type: 'set_variable', params: { name: `v${i}`, value: i } }) },
  { label: 'retrieve', node: (i) => ({ type: 'retrieve', params: { query: 'q', variable: `c${i}` } }) },
  { label: 'store get', node: (i) => ({ type: 'store', params: { op: 'get', key: 'k', variable: `s${i}` } }) },
  { label: 'recognize', node: () => ({ type: 'recognize', params: { question: 'is it a question?' } }), out: 'yes' },
  { label: 'choose', node: () => ({ type: 'choose', params: { question: 'which?', options: ['next'] } }) },
];

// ---- counting ----------------------------------------------------------------------------------

let counting = false;
let sandboxPromises = 0;
const sites = new Map<string, number>();

/** The innermost frame of PAR's workflow code (or the SDK's, when none) in a sandbox promise's stack. */
function site(): string {
  const saved = Error.stackTraceLimit;
  Error.stackTraceLimit = 30;
  const stack = new Error().stack ?? '';
  Error.stackTraceLimit = saved;
  const frames = stack.split('\n').slice(2).map((l) => l.trim());
  const own = frames.find((f) => /workflows\/(?!node_modules)/.test(f) && !f.includes('@temporalio'));
  const first = frames.find((f) => !f.includes('promise_hooks') && !f.includes('node-anatomy'));
  return (own ?? `(sdk) ${first ?? '?'}`).replace(/^at /, '').replace(/\(.*?(workflows\/[^)]*)\)/, '($1)');
}

v8.promiseHooks.createHook({
  init(promise) {
    if (!counting) return;
    // Promises of the workflow sandbox belong to its realm, not this one.
    if (Object.getPrototypeOf(promise) === Promise.prototype) return;
    sandboxPromises++;
    if (STACKS) {
      const s = site();
      sites.set(s, (sites.get(s) ?? 0) + 1);
    }
  },
});

const payloadBytes = new Map<string, { in: number; out: number; calls: number }>();

/** The instant activities, measuring the JSON size of what each receives and returns. */
function measuredActivities(): Record<string, (...args: unknown[]) => Promise<unknown>> {
  const out: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
  for (const [name, fn] of Object.entries(instantActivities()) as [string, (...args: unknown[]) => Promise<unknown>][]) {
    out[name] = async (...args: unknown[]) => {
      const result = await fn(...args);
      if (counting) {
        const e = payloadBytes.get(name) ?? { in: 0, out: 0, calls: 0 };
        e.in += JSON.stringify(args).length;
        e.out += JSON.stringify(result ?? null).length;
        e.calls++;
        payloadBytes.set(name, e);
      }
      return result;
    };
  }
  return out;
}

// ---- main --------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'par-anatomy-'));
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const server = await startDevServer({ cli: loadToolPaths().temporalCli, port: await freePort(), headless: true, dbFile: path.join(dir, 'temporal.sqlite'), logFile: path.join(dir, 'temporal.log') });
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection });
  const native = await NativeConnection.connect({ address: server.address });
  const bundle = await workflowBundleFile({ tracing: false, logger: quiet }, dir);
  // debugMode (passed through the tuning, which createParWorker spreads into the worker's options):
  // the sandbox runs on this thread, where the hook above sees its promises.
  const tuning = { debugMode: true } as never;
  const par = await createParWorker({ connection: native, namespace: 'default', taskQueue: TASK_QUEUE, workflowBundle: { codePath: bundle }, activities: measuredActivities(), tuning });
  const bareCode = (await bundleWorkflowCode({ workflowsPath: require.resolve('./fixtures/baseline-workflow'), logger: quiet })).code;
  const bare = await Worker.create({ connection: native, taskQueue: `${TASK_QUEUE}-bare`, workflowBundle: { code: bareCode }, activities: { ping: instantActivities().ping }, debugMode: true });
  const running = Promise.all([par.run(), bare.run()]);
  const svc = new FlowService(client, TASK_QUEUE, new FlowRegistry([path.join(dir, 'flows')]));

  console.log(`node anatomy: per node, k = ${K} nodes against 0, ${RUNS} runs each, ${HISTORY.length} messages of history (worker in this process, debugMode; load ${load()})`);
  console.log('| case | sandbox promises | history events | this process\'s CPU (p50) | wall (p50) | activity: input / output bytes per call |');
  console.log('| --- | --- | --- | --- | --- | --- |');

  interface Sample { promises: number; events: number; cpuMs: number; wallMs: number; stacks: Map<string, number>; payloads: string }
  /** RUNS runs after one to warm up: medians of CPU and wall time; promises, events and payloads of the last. */
  async function measure(run: () => Promise<string>): Promise<Sample> {
    await run();
    const cpus: number[] = [];
    const walls: number[] = [];
    let last = '';
    for (let i = 0; i < RUNS; i++) {
      sandboxPromises = 0;
      sites.clear();
      payloadBytes.clear();
      counting = true;
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      last = await run();
      walls.push(performance.now() - t0);
      const cpu = process.cpuUsage(cpu0);
      cpus.push((cpu.user + cpu.system) / 1000);
      counting = false;
    }
    const history = await client.workflow.getHandle(last).fetchHistory();
    const payloads = [...payloadBytes.entries()].map(([name, p]) => `${name}: ${(p.in / p.calls).toFixed(0)} / ${(p.out / p.calls).toFixed(0)}`).join(', ');
    return { promises: sandboxPromises, events: history.events?.length ?? 0, cpuMs: median(cpus), wallMs: median(walls), stacks: new Map(sites), payloads };
  }

  function row(label: string, zero: Sample, k: Sample): void {
    const per = (f: (s: Sample) => number, digits: number) => ((f(k) - f(zero)) / K).toFixed(digits);
    console.log(`| ${label} | ${per((s) => s.promises, 1)} | ${per((s) => s.events, 2)} | ${per((s) => s.cpuMs, 2)} ms | ${per((s) => s.wallMs, 2)} ms | ${k.payloads} |`);
    if (STACKS) for (const [site, n] of [...k.stacks.entries()].sort((a, b) => b[1] - a[1])) if (n >= K) console.log(`    ${(n / K).toFixed(1)}  ${site}`);
  }

  // The bare baseline: one local activity per iteration.
  let seq = 0;
  const runBare = (n: number) => async () => {
    const wfId = `bare-${n}-${seq++}`;
    await client.workflow.execute('bareLocalActivityLoop', { taskQueue: `${TASK_QUEUE}-bare`, workflowId: wfId, args: [n] });
    return wfId;
  };
  row('bare workflow, one local activity', await measure(runBare(0)), await measure(runBare(K)));

  const runFlow = (def: FlowDefinition) => async () => {
    const { runId } = await svc.start(def, { message: 'hello', history: HISTORY });
    await svc.result(runId);
    return runId;
  };
  const base = await measure(runFlow(chainFlow('anatomy_base', 0, () => ({ type: 'start' }))));
  for (const c of NODES.filter((x) => !CASES || CASES.some((n) => x.label.startsWith(n)))) {
    row(c.label, base, await measure(runFlow(chainFlow(`anatomy_${c.label.replace(/\W+/g, '_')}`, K, c.node, c.out))));
  }
  if (!CASES || CASES.includes('approval')) {
    // A whole approval: the run waits on it (a timer and a status), is decided by an Update, and ends.
    const approval: FlowDefinition = {
      id: 'anatomy_approval',
      version: '1',
      nodes: [
        { id: 'start', type: 'start', outputs: { next: 'ask' } },
        { id: 'ask', type: 'approval', params: { prompt: 'ok?' }, outputs: { approved: 'done' } },
        { id: 'done', type: 'end', params: { text: 'approved' } },
      ],
    };
    const runApproval = async () => {
      const { runId } = await svc.start(approval, { message: 'hello', history: HISTORY });
      // Waiting once its first workflow task is done (describe reads the server only: no query, no promise in the sandbox).
      while ((await client.workflow.getHandle(runId).describe()).historyLength < 5) await new Promise((r) => setTimeout(r, 20));
      await svc.decide(runId, { decision: 'approve', by: 'bench' });
      await svc.result(runId);
      return runId;
    };
    const zero = await measure(runFlow(chainFlow('anatomy_base', 0, () => ({ type: 'start' }))));
    const one = await measure(runApproval);
    console.log(`| approval, per run (start, wait, decide, end) against an empty flow | ${one.promises - zero.promises} | ${one.events - zero.events} | ${(one.cpuMs - zero.cpuMs).toFixed(2)} ms | ${(one.wallMs - zero.wallMs).toFixed(2)} ms | |`);
    if (STACKS) for (const [site, n] of [...one.stacks.entries()].sort((a, b) => b[1] - a[1])) console.log(`    ${n}  ${site}`);
  }
  console.log(`(load after: ${load()})`);

  par.shutdown();
  bare.shutdown();
  await running;
  await native.close();
  await connection.close();
  await server.stop();
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
