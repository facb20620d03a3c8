// Flow engine benchmark: per-node-type overhead, peers, starts per second, resume latency and
// worker memory, against a FILE-backed Temporal dev server started the way `npm start` starts
// it (scripts/temporal-dev-server.ts), with the worker in a child process (bench/fixtures/bench-worker.ts)
// running PAR's real workflows over instant activities.
//
//   nice -n 0 node bin/run-ts.js bench/flow-engine.ts [--runs 15] [--starts 300] [--waiting 10000]
//        [--only bare,nodes,cpu,peers,starts,resume,restart,memory] [--cases retrieve,store] [--history 200]
//        [--servers defaults,partitions4,npm]   (the dev server configurations of the starts section)
//
// Prints numbers only (medians and percentiles, with the load average); nothing is asserted.
// Peers (LangGraph.js, Mastra) run when their scratch folder exists: see bench/peers/setup.sh.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { temporal } from '@temporalio/proto';
import { runSearchAttributes } from '../workflows/search-attributes';
import { bundleWorkflowCode } from '@temporalio/worker';
import { DEFAULT_WORKER_TUNING, loadToolPaths, ROOT_DIR } from '../workers/config';
import { workflowBundleFile } from '../workers/workflow-bundle';
import { freePort, startDevServer, type DevServer } from '../scripts/temporal-dev-server';
import { FlowService } from '../client/services/flows';
import { FlowRegistry } from '../client/services/flow-registry';
import type { FlowDefinition, FlowNode, NodeType } from '../workflows/flow/types';
import { RunEngine } from '../workflows/flow/run-engine';
import { NODE_SPECS } from '../workflows/nodes/registry';
import { initialState } from '../workflows/flow/initial-state';
import { describeMs, numberFlag, percentile } from './lib/stats';
import { threadsCpu, treeCpuMs, type ThreadsCpu } from './lib/process-cpu';
import { chainFlow } from './lib/chain-flow';

const RUNS = numberFlag('runs', 15);
const STARTS = numberFlag('starts', 300);
const WAITING = numberFlag('waiting', 10000);
/** A comma-separated list after --name, or undefined when the flag is absent. */
function listFlag(name: string): string[] | undefined {
  const at = process.argv.indexOf(`--${name}`);
  if (at < 0) return undefined;
  const value = process.argv[at + 1];
  if (!value || value.startsWith('--')) throw new Error(`--${name} needs a comma-separated list, e.g. --${name} ${name === 'only' ? 'nodes,starts' : 'retrieve,store'}`);
  return value.split(',');
}

const ONLY = listFlag('only') ?? ['nodes', 'peers', 'starts', 'resume', 'restart', 'memory'];
/** --servers npm: only these dev server configurations in the starts section. */
const SERVERS = listFlag('servers');
/** --cases retrieve,store: only the node types whose label starts with one of these. */
const CASES = listFlag('cases');
/** PAR_BENCH_DYNAMIC_CONFIG='{"key": value}': other server settings, tried in every section. */
const EXTRA_DYNAMIC_CONFIG = ((): Record<string, unknown> => {
  const raw = process.env.PAR_BENCH_DYNAMIC_CONFIG;
  if (!raw) return {};
  try {
    const parsed: unknown = JSON.parse(raw);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new Error(`PAR_BENCH_DYNAMIC_CONFIG must be a JSON object of Temporal dynamic config keys, e.g. '{"system.enableActivityEagerExecution": true}'; got ${raw}`);
})();
const PEERS_DIR = process.env.PAR_PEERS_DIR || '/tmp/peers';
const TASK_QUEUE = 'bench';
const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} } as never;

const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');
const ms = (v: number) => `${v.toFixed(v < 10 ? 2 : 1)} ms`;

// ---- flows -------------------------------------------------------------------------------------

interface NodeCase {
  label: string;
  kind: 'control (no I/O)' | 'fast read (local activity)' | 'regular activity' | 'child workflow';
  k: number;
  node: (i: number) => Omit<FlowNode, 'id' | 'outputs'>;
}

const NODE_CASES: NodeCase[] = [
  { label: 'set_variable', kind: 'control (no I/O)', k: 100, node: (i) => ({ type: 'set_variable', params: { name: `v${i}`, value: i } }) },
  { label: 'if', kind: 'control (no I/O)', k: 100, node: () => ({ type: 'if', params: { conditions: [{ variable: 'flow_id', op: 'exists' }] } }) },
  { label: 'respond (static text)', kind: 'control (no I/O)', k: 100, node: () => ({ type: 'respond', params: { text: 'hi {message}' } }) },
  { label: 'retrieve', kind: 'fast read (local activity)', k: 30, node: (i) => ({ type: 'retrieve', params: { query: 'q', variable: `c${i}` } }) },
  { label: 'store get', kind: 'fast read (local activity)', k: 30, node: (i) => ({ type: 'store', params: { op: 'get', key: 'k', variable: `s${i}` } }) },
  { label: 'recognize (offline model)', kind: 'fast read (local activity)', k: 30, node: () => ({ type: 'recognize', params: { question: 'is it a question?' } }) },
  { label: 'choose (offline model)', kind: 'fast read (local activity)', k: 30, node: () => ({ type: 'choose', params: { question: 'which?', options: ['next'] } }) },
  { label: 'generate', kind: 'regular activity', k: 10, node: (i) => ({ type: 'generate', params: { prompt: 'step', variable: `g${i}`, context: false } }) },
  { label: 'store set', kind: 'regular activity', k: 10, node: () => ({ type: 'store', params: { op: 'set', key: 'k', value: 'v' } }) },
  { label: 'add_to_vault', kind: 'regular activity', k: 10, node: () => ({ type: 'add_to_vault', params: { text: 'note' } }) },
  { label: 'act (instant sandbox)', kind: 'regular activity', k: 10, node: () => ({ type: 'act', params: { code: 'pass' } }) },
  { label: 'run_flow (child)', kind: 'child workflow', k: 5, node: () => ({ type: 'run_flow', params: { flow: 'bench_empty' } }) },
];

const EMPTY = chainFlow('bench_empty', 0, () => ({ type: 'start' }));
const APPROVAL: FlowDefinition = {
  id: 'bench_approval',
  version: '1',
  nodes: [
    { id: 'start', type: 'start', outputs: { next: 'ask' } },
    { id: 'ask', type: 'approval', params: { prompt: 'ok?' }, outputs: { approved: 'done' } },
    { id: 'done', type: 'end', params: { text: 'resumed' } },
  ],
};

// ---- the stack ---------------------------------------------------------------------------------

interface Stack {
  server: DevServer;
  connection: Connection;
  client: Client;
  svc: FlowService;
  worker?: ChildProcess;
}

let bundles: { par: string; bare: string } | undefined;
/** Stacks still up, stopped on the way out even when a section fails. */
const live = new Set<Stack>();

async function workflowBundles(dir: string): Promise<{ par: string; bare: string }> {
  if (bundles) return bundles;
  // PAR's workflows exactly as the worker gets them (the same cache); the baselines plainly.
  const bare = path.join(dir, 'bare-workflows.js');
  fs.writeFileSync(bare, (await bundleWorkflowCode({ workflowsPath: require.resolve('./fixtures/baseline-workflow'), logger: quiet })).code);
  bundles = { par: await workflowBundleFile({ tracing: false, logger: quiet }, dir), bare };
  return bundles;
}

async function startStack(dir: string, opts: { port?: number; sqlitePragmas?: string[]; dynamicConfig?: Record<string, unknown> } = {}): Promise<Stack> {
  const server = await startDevServer({
    cli: loadToolPaths().temporalCli,
    port: opts.port ?? (await freePort()),
    headless: true,
    dbFile: path.join(dir, 'temporal.sqlite'),
    logFile: path.join(dir, 'temporal.log'),
    sqlitePragmas: opts.sqlitePragmas,
    dynamicConfig: { ...EXTRA_DYNAMIC_CONFIG, ...opts.dynamicConfig },
  });
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection });
  // Library flows (run_flow children) resolve from a folder of their own.
  const flowsDir = path.join(dir, 'flows');
  fs.mkdirSync(flowsDir, { recursive: true });
  fs.writeFileSync(path.join(flowsDir, 'bench_empty.json'), JSON.stringify(EMPTY));
  const stack: Stack = { server, connection, client, svc: new FlowService(client, TASK_QUEUE, new FlowRegistry([flowsDir])) };
  live.add(stack);
  return stack;
}

async function startWorker(stack: Stack, dir: string, env: Record<string, string> = {}): Promise<ChildProcess> {
  const b = await workflowBundles(dir);
  // PAR_BENCH_WORKER_NODE_ARGS: node flags for the worker alone, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
  const nodeArgs = (process.env.PAR_BENCH_WORKER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, path.join(ROOT_DIR, 'bin/run-ts.js'), path.join(__dirname, 'fixtures/bench-worker.ts'), stack.server.address, TASK_QUEUE, b.par, b.bare], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the bench worker exited (code ${code})`)));
    child.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
  });
  stack.worker = child;
  return child;
}

async function stopWorker(stack: Stack, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  const w = stack.worker;
  if (!w || w.exitCode !== null) return;
  const done = new Promise((r) => w.once('exit', r));
  w.kill(signal);
  await done;
  stack.worker = undefined;
}

async function stopStack(stack: Stack): Promise<void> {
  live.delete(stack);
  await stopWorker(stack);
  await stack.connection.close();
  await stack.server.stop();
}

/**
 * CPU milliseconds per operation spent by the server, the worker and this client since the call:
 * on 2 shared cores, which of them pays is what bounds the rate.
 */
function cpuMeter(stack: Stack): (ops: number) => string {
  const pids = [stack.server.process.pid!, stack.worker!.pid!];
  const before = pids.map(treeCpuMs);
  const client = process.cpuUsage();
  return (ops) => {
    const [server, worker] = pids.map((pid, i) => (treeCpuMs(pid) - before[i]) / ops);
    const c = process.cpuUsage(client);
    return `CPU per operation: server ${server.toFixed(1)} ms, worker ${worker.toFixed(1)} ms, client ${((c.user + c.system) / 1000 / ops).toFixed(1)} ms`;
  };
}

function rssMiB(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

async function pool<T>(items: T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let i = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => { while (i < items.length) await fn(items[i++]); }));
}

/** --history N: the node-overhead runs continue a conversation of N earlier messages (a session's later turns). */
const HISTORY = Array.from({ length: numberFlag('history', 0) }, (_, i) => ({
  role: i % 2 ? ('assistant' as const) : ('user' as const),
  content: `message ${i}: ${'a sentence of an ordinary conversation, '.repeat(8)}`,
}));

async function timeRun(stack: Stack, def: FlowDefinition, history?: typeof HISTORY): Promise<number> {
  const t0 = performance.now();
  const { runId } = await stack.svc.start(def, history?.length ? { message: 'hello', history } : {});
  await stack.svc.result(runId);
  return performance.now() - t0;
}

async function timeBare(stack: Stack, type: 'bareActivityLoop' | 'bareLocalActivityLoop', n: number, i: number): Promise<number> {
  const t0 = performance.now();
  await stack.client.workflow.execute(type, { taskQueue: `${TASK_QUEUE}-bare`, workflowId: `${type}-${n}-${i}-${Date.now()}`, args: [n] });
  return performance.now() - t0;
}

const median = (v: number[]) => percentile(v, 50);

/** Median run times, interleaved so that load drifts hit every variant alike. */
async function medians(variants: (() => Promise<number>)[], runs: number): Promise<number[]> {
  const times: number[][] = variants.map(() => []);
  for (let r = 0; r < runs + 2; r++) {
    for (const [i, v] of variants.entries()) {
      const t = await v();
      if (r >= 2) times[i].push(t);
    }
  }
  return times.map(median);
}

// ---- sections ----------------------------------------------------------------------------------

/**
 * The worker's CPU per call of `run`, kept beside its wall time: the worker's share of a node is
 * what PAR's code adds, and CPU is far less moved by other load on the machine than wall time.
 */
function workerCpu(stack: Stack, run: () => Promise<number>, sink: ThreadsCpu[]): () => Promise<number> {
  return async () => {
    const before = threadsCpu(stack.worker!.pid!);
    const t = await run();
    const after = threadsCpu(stack.worker!.pid!);
    sink.push({ main: after.main - before.main, core: after.core - before.core, other: after.other - before.other, total: after.total - before.total });
    return t;
  };
}

/** Medians of the samples after the warm-up runs medians() discards, per kind of thread. */
function warmMedian(v: ThreadsCpu[]): ThreadsCpu {
  const of = (k: keyof ThreadsCpu) => median(v.slice(2).map((x) => x[k]));
  return { main: of('main'), core: of('core'), other: of('other'), total: of('total') };
}

/** (with k - with 0) / k, per kind of thread, as "total (main / Core / workflow threads)". */
function cpuPer(withK: ThreadsCpu, with0: ThreadsCpu, k: number): { total: number; text: string } {
  const d = (key: keyof ThreadsCpu) => (withK[key] - with0[key]) / k;
  return { total: d('total'), text: `${ms(d('total'))} (${d('main').toFixed(2)} / ${d('core').toFixed(2)} / ${d('other').toFixed(2)})` };
}

/** A bare workflow's cost per regular and per local activity, and an empty workflow's run. */
async function bareBaselines(stack: Stack): Promise<{ regular: number; local: number; localCpu: number }> {
  const n = 10;
  const cpu: ThreadsCpu[][] = [[], [], []];
  const [bare0, bareRegular, bareLocal] = await medians(
    [
      workerCpu(stack, () => timeBare(stack, 'bareActivityLoop', 0, 0), cpu[0]),
      workerCpu(stack, () => timeBare(stack, 'bareActivityLoop', n, 1), cpu[1]),
      workerCpu(stack, () => timeBare(stack, 'bareLocalActivityLoop', n, 2), cpu[2]),
    ],
    RUNS,
  );
  const regular = (bareRegular - bare0) / n;
  const local = (bareLocal - bare0) / n;
  const [cpu0, cpuRegular, cpuLocal] = cpu.map(warmMedian);
  const localCpu = cpuPer(cpuLocal, cpu0, n);
  console.log(`bare workflow, per activity: regular ${ms(regular)}, local ${ms(local)} (empty workflow ${ms(bare0)}; load ${load()})`);
  console.log(`  worker CPU per activity, total (main thread / Temporal Core / workflow threads): regular ${cpuPer(cpuRegular, cpu0, n).text}, local ${localCpu.text}`);
  return { regular, local, localCpu: localCpu.total };
}

async function nodeOverhead(stack: Stack): Promise<void> {
  console.log(`\n## Overhead per node type (instant activities; (median run time with k nodes - median with 0) / k; ${RUNS} runs each${HISTORY.length ? `; every run continues a conversation of ${HISTORY.length} messages` : ''}; load ${load()})`);
  const { regular, local, localCpu } = await bareBaselines(stack);
  console.log('| node type | kind | k | per node (p50) | / bare regular | / bare local | worker CPU per node (p50): total (main / Core / workflow threads) | worker CPU / bare local |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
  const base = chainFlow('bench_base', 0, () => ({ type: 'start' }));
  for (const c of NODE_CASES.filter((x) => !CASES || CASES.some((name) => x.label.startsWith(name)))) {
    const def = chainFlow(`bench_${c.label.replace(/\W+/g, '_')}`, c.k, c.node);
    const cpu: ThreadsCpu[][] = [[], []];
    const [t0, tk] = await medians([workerCpu(stack, () => timeRun(stack, base, HISTORY), cpu[0]), workerCpu(stack, () => timeRun(stack, def, HISTORY), cpu[1])], RUNS);
    const per = (tk - t0) / c.k;
    const perCpu = cpuPer(warmMedian(cpu[1]), warmMedian(cpu[0]), c.k);
    console.log(`| ${c.label} | ${c.kind} | ${c.k} | ${ms(per)} | ${(per / regular).toFixed(2)}x | ${(per / local).toFixed(2)}x | ${perCpu.text} | ${(perCpu.total / localCpu).toFixed(2)}x |`);
  }
  console.log(`(load after: ${load()})`);
}

/**
 * The interpreter's own CPU per control node: the same RunEngine the workflow runs, driven here
 * outside Temporal (control nodes touch no workflow API), so no task round trip blurs it.
 */
async function controlNodeCpu(): Promise<void> {
  const k = 5000;
  console.log(`\ninterpreter CPU time per control node (RunEngine outside Temporal, ${k} nodes per run, median of 20 runs; load ${load()}):`);
  for (const c of NODE_CASES.filter((x) => x.kind === 'control (no I/O)')) {
    const def = chainFlow('bench_cpu', k, c.node);
    const times: number[] = [];
    for (let r = 0; r < 22; r++) {
      const engine = new RunEngine(def, { definition: def, prepared: true }, initialState(def, { definition: def }, 'bench-cpu'), NODE_SPECS);
      // CPU time, not wall time: on a shared machine the wall clock mostly measures waiting for a core.
      const t = process.cpuUsage();
      await engine.interpret(engine.startNode());
      const used = process.cpuUsage(t);
      if (r >= 2) times.push((used.user + used.system) / 1000 / k);
    }
    console.log(`  ${c.label}: ${(median(times) * 1000).toFixed(1)} µs`);
  }
}

async function tenSteps(stack: Stack): Promise<void> {
  console.log(`\n## 10-step sequential flow, end to end / 10 (${RUNS} runs; load ${load()})`);
  for (const [label, node] of [
    ['PAR, 10 generate nodes (regular activities)', (i: number) => ({ type: 'generate' as NodeType, params: { prompt: 'step', variable: `g${i}`, context: false } })],
    ['PAR, 10 retrieve nodes (local activities)', (i: number) => ({ type: 'retrieve' as NodeType, params: { query: 'q', variable: `c${i}` } })],
    ['PAR, 10 set_variable nodes (no I/O)', (i: number) => ({ type: 'set_variable' as NodeType, params: { name: `v${i}`, value: i } })],
  ] as const) {
    const def = chainFlow('bench_ten', 10, node);
    const [t] = await medians([() => timeRun(stack, def)], RUNS);
    console.log(`${label}: ${ms(t / 10)} per step (run ${ms(t)}; ${(1000 / t).toFixed(0)} runs/s one at a time)`);
  }
}

function peers(): void {
  console.log(`\n## Peers: the same 10-step sequential flow (load ${load()})`);
  const node = path.join(PEERS_DIR, 'node_modules/.bin/node');
  if (!fs.existsSync(node)) {
    console.log(`skipped: no peers in ${PEERS_DIR}. Install them (outside the project) with: bash bench/peers/setup.sh ${PEERS_DIR}`);
    return;
  }
  // LangGraph's SQLite driver (better-sqlite3) is built for the Node that installed it (this one);
  // Mastra 1.x needs Node >= 22.13, installed into the peers folder from the npm registry.
  for (const [script, runtime] of [['langgraph.mjs', process.execPath], ['mastra.mjs', node]]) {
    fs.copyFileSync(path.join(__dirname, 'peers', script), path.join(PEERS_DIR, script));
    const r = spawnSync(runtime, [script, String(Math.max(RUNS, 20))], { cwd: PEERS_DIR, encoding: 'utf8', timeout: 300_000 });
    console.log((r.stdout || '').trim() || `${script} failed: ${(r.stderr || '').trim().split('\n').slice(-3).join(' ')}`);
  }
}

async function startsPerSecond(dir: string): Promise<void> {
  console.log(`\n## Flows started per second, 20 concurrent clients, FlowService.start, file-backed dev server (load ${load()})`);
  const variants: [string, string, { sqlitePragmas?: string[]; dynamicConfig?: Record<string, unknown> }][] = [
    ['defaults', 'SQLite defaults (rollback journal, synchronous=FULL), 4 task queue partitions', { sqlitePragmas: [], dynamicConfig: { 'matching.numTaskqueueReadPartitions': 4, 'matching.numTaskqueueWritePartitions': 4 } }],
    ['partitions4', 'WAL + synchronous=NORMAL, 4 partitions', { dynamicConfig: { 'matching.numTaskqueueReadPartitions': 4, 'matching.numTaskqueueWritePartitions': 4 } }],
    ['npm', 'WAL + synchronous=NORMAL, 1 partition (what npm start runs)', {}],
  ];
  for (const [key, label, opts] of variants.filter(([k]) => !SERVERS || SERVERS.includes(k))) {
    const sub = fs.mkdtempSync(path.join(dir, 'starts-'));
    const stack = await startStack(sub, opts);
    await startWorker(stack, dir);
    await pool(Array.from({ length: 20 }, (_, i) => i), 20, async () => void (await stack.svc.start(APPROVAL))); // warm-up
    await waitUntilWaiting(stack, 20);
    const cpu = cpuMeter(stack);
    const ids: string[] = [];
    const t1 = performance.now();
    await pool(Array.from({ length: STARTS }, (_, i) => i), 20, async () => void ids.push((await stack.svc.start(APPROVAL)).runId));
    const perSec = STARTS / ((performance.now() - t1) / 1000);
    // The CPU of a start includes its first workflow task, which may finish after the start returns.
    await waitUntilWaiting(stack, 20 + STARTS);
    console.log(`${label}: ${perSec.toFixed(0)} starts/s (${STARTS} starts; load ${load()}); ${cpu(STARTS)}`);
    if (key === 'npm') {
      console.log(`  one started run, waiting on its approval: ${await historyShape(stack, ids[0])}`);
      await bareStarts(stack);
    }
    await stopStack(stack);
  }
}

/** Temporal's own floor on the same server and worker: starts of a workflow that only parks (no timer, no upsert). */
async function bareStarts(stack: Stack): Promise<void> {
  const start = (i: number) =>
    stack.client.workflow.start('bareParked', {
      taskQueue: `${TASK_QUEUE}-bare`,
      workflowId: `bareParked-${i}-${Date.now()}`,
      typedSearchAttributes: runSearchAttributes({ flow: APPROVAL, status: 'running' }),
    });
  await pool(Array.from({ length: 20 }, (_, i) => i), 20, async (i) => void (await start(i))); // warm-up
  const cpu = cpuMeter(stack);
  const handles: Awaited<ReturnType<typeof start>>[] = [];
  const t1 = performance.now();
  await pool(Array.from({ length: STARTS }, (_, i) => i), 20, async (i) => void handles.push(await start(1000 + i)));
  const perSec = STARTS / ((performance.now() - t1) / 1000);
  // Done once the last runs started have completed their first workflow task.
  for (const h of handles.slice(-20)) while ((await h.describe()).historyLength < 4) await new Promise((r) => setTimeout(r, 100));
  console.log(`  the floor: a bare workflow that parks, same search attributes, client.workflow.start: ${perSec.toFixed(0)} starts/s (load ${load()}); ${cpu(STARTS)}`);
  console.log(`  one bare parked run: ${await historyShape(stack, handles[0].workflowId)}`);
}

/** Temporal's own floor for a decision: an update to a parked bare workflow that then returns, 10 at a time. */
async function bareDecisions(stack: Stack): Promise<void> {
  const handles = await Promise.all(
    Array.from({ length: 100 }, (_, i) => stack.client.workflow.start('bareParked', { taskQueue: `${TASK_QUEUE}-bare`, workflowId: `bareDecided-${i}-${Date.now()}` })),
  );
  for (const h of handles) while ((await h.describe()).historyLength < 4) await new Promise((r) => setTimeout(r, 100));
  const cpu = cpuMeter(stack);
  const times: number[] = [];
  await pool(handles, 10, async (h) => {
    const t = performance.now();
    await h.executeUpdate('bareRelease', { args: ['bench'] });
    await h.result();
    times.push(performance.now() - t);
  });
  console.log(`  the floor: an update to a parked bare workflow that then returns, 10 at a time: ${describeMs(times, [50, 99])}; ${cpu(100)} (load ${load()})`);
  console.log(`  one bare decided run: ${await historyShape(stack, handles[0].workflowId)}`);
}

/** A run's history in numbers: events by type, the search attribute upserts, and its size. */
async function historyShape(stack: Stack, runId: string): Promise<string> {
  const history = await stack.client.workflow.getHandle(runId).fetchHistory();
  const events = history.events ?? [];
  const types = events.map((e) => (temporal.api.enums.v1.EventType[e.eventType ?? 0] ?? '?').replace(/^EVENT_TYPE_/, ''));
  const bytes = JSON.stringify(historyToJSON(history)).length;
  const input = events[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.reduce((n, p) => n + (p.data?.length ?? 0), 0) ?? 0;
  return `${events.length} events, ${types.filter((t) => t.includes('UPSERT')).length} search attribute upserts, history ${bytes} B as JSON, input ${input} B (${types.join(' ')})`;
}

let parkedBatches = 0;

/**
 * Starts `count` approval runs and returns once each is waiting on its approval. Each batch is its
 * own flow id, so that runs parked by an earlier section and still waiting are not counted.
 */
async function parkRuns(stack: Stack, count: number): Promise<string[]> {
  const flow = { ...APPROVAL, id: `bench_approval_${++parkedBatches}` };
  const ids: string[] = [];
  await pool(Array.from({ length: count }, (_, i) => i), 20, async () => void ids.push((await stack.svc.start(flow)).runId));
  await waitUntilWaiting(stack, count, flow.id);
  return ids;
}

/** Until the server counts `count` runs of the flow waiting on their approval (their first task has run). */
async function waitUntilWaiting(stack: Stack, count: number, flowId = APPROVAL.id): Promise<void> {
  while ((await stack.client.workflow.count(`ParFlowId = '${flowId}' AND ParStatus = 'waiting_approval' AND ExecutionStatus = 'Running'`)).count < count) {
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function decideAll(stack: Stack, ids: string[], concurrency = 10): Promise<number[]> {
  const times: number[] = [];
  await pool(ids, concurrency, async (id) => {
    const t = performance.now();
    await stack.svc.decide(id, { decision: 'approve', by: 'bench' });
    await stack.svc.result(id);
    times.push(performance.now() - t);
  });
  return times;
}

async function resumeLatency(dir: string): Promise<void> {
  console.log(`\n## Resume latency: approval sent -> run completed, 100 decisions 10 at a time (load ${load()})`);
  const sub = fs.mkdtempSync(path.join(dir, 'resume-'));
  const port = await freePort();
  let stack = await startStack(sub, { port });
  // The cache is set above the runs parked, so that every decided run is in it.
  await startWorker(stack, dir, { PAR_WORKER_MAX_CACHED_WORKFLOWS: '250' });
  const cached = await parkRuns(stack, 200);
  console.log(`cached, one at a time (200 waiting, cache of 250): ${describeMs(await decideAll(stack, cached.slice(100, 130), 1), [50, 99])}`);
  let cpu = cpuMeter(stack);
  console.log(`cached, 10 at a time (200 waiting, cache of 250): ${describeMs(await decideAll(stack, cached.slice(0, 100)), [50, 99])}; ${cpu(100)} (load ${load()})`);
  console.log(`  one decided run: ${await historyShape(stack, cached[0])}`);
  await bareDecisions(stack);
  await stopWorker(stack);
  await startWorker(stack, dir, { PAR_WORKER_MAX_CACHED_WORKFLOWS: '50' });
  const evictedSet = await parkRuns(stack, 300);
  cpu = cpuMeter(stack);
  console.log(`evicted, 10 at a time (300 waiting, cache of 50, the oldest decided): ${describeMs(await decideAll(stack, evictedSet.slice(0, 100)), [50, 99])}; ${cpu(100)} (load ${load()})`);
  await stopWorker(stack);
  await startWorker(stack, dir);
  const parked = await parkRuns(stack, 1000);
  // The whole stack restarts: worker and server (same SQLite file), as after a reboot.
  await stopStack(stack);
  stack = await startStack(sub, { port });
  await startWorker(stack, dir);
  cpu = cpuMeter(stack);
  console.log(`after restarting server and worker with 1,000 waiting: ${describeMs(await decideAll(stack, parked.slice(0, 100)), [50, 99])}; ${cpu(100)} (load ${load()})`);
  await stopStack(stack);
}

/**
 * Where the time goes when a decision reaches a run whose last worker is gone: the run's next task
 * is offered on that worker's sticky queue first, and only after the sticky schedule-to-start
 * timeout may another worker take it. Each case parks runs, takes the worker (or the whole stack)
 * away, starts a fresh worker, and times 50 decisions 10 at a time, for two sticky timeouts.
 */
async function restartCauses(dir: string): Promise<void> {
  console.log(`\n## Resume after a worker or the stack went away: 50 decisions 10 at a time (load ${load()})`);
  for (const stickyMs of ['10000', '2000']) {
    const env = { PAR_WORKER_STICKY_TIMEOUT_MS: stickyMs };
    for (const how of ['worker SIGKILL, server kept', 'worker SIGTERM, server kept', 'worker SIGTERM, server restarted']) {
      const sub = fs.mkdtempSync(path.join(dir, 'restart-'));
      const port = await freePort();
      let stack = await startStack(sub, { port });
      await startWorker(stack, dir, env);
      const parked = await parkRuns(stack, 50);
      await stopWorker(stack, how.includes('SIGKILL') ? 'SIGKILL' : 'SIGTERM');
      if (how.includes('restarted')) {
        await stopStack(stack);
        stack = await startStack(sub, { port });
      }
      await startWorker(stack, dir, env);
      console.log(`sticky timeout ${stickyMs} ms, ${how}: ${describeMs(await decideAll(stack, parked), [50, 99])} (load ${load()})`);
      await stopStack(stack);
    }
  }
}

async function workerMemory(dir: string): Promise<void> {
  console.log(`\n## Worker RSS with runs waiting on approvals (load ${load()})`);
  // PAR's bounded cache up to --waiting runs; a cache as big as Temporal's default (which grows
  // with the heap: ≈ 2,000 runs here) up to 1,000, enough to see the cost per cached run.
  for (const [cache, most] of [[process.env.PAR_WORKER_MAX_CACHED_WORKFLOWS ?? String(DEFAULT_WORKER_TUNING.maxCachedWorkflows), WAITING], ['10000', Math.min(WAITING, 1000)]] as const) {
    const sub = fs.mkdtempSync(path.join(dir, 'memory-'));
    const stack = await startStack(sub);
    const worker = await startWorker(stack, dir, { PAR_WORKER_MAX_CACHED_WORKFLOWS: cache });
    await timeRun(stack, chainFlow('bench_warm', 1, () => ({ type: 'retrieve', params: { query: 'q' } })));
    const idle = rssMiB(worker.pid!);
    console.log(`maxCachedWorkflows ${cache}: idle ${idle.toFixed(0)} MiB (load ${load()})`);
    let parked = 0;
    for (const target of [250, 1000, most].filter((t, i, a) => t > 0 && t <= most && a.indexOf(t) === i)) {
      await parkRuns(stack, target - parked);
      parked = target;
      await new Promise((r) => setTimeout(r, 2000));
      const rss = rssMiB(worker.pid!);
      console.log(`maxCachedWorkflows ${cache}: ${target} waiting ${rss.toFixed(0)} MiB (+${(rss - idle).toFixed(0)}) (load ${load()})`);
    }
    await stopStack(stack);
  }
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'par-bench-'));
  process.env.PAR_DATA_DIR = path.join(dir, 'data');
  console.log(`flow engine benchmark: ${os.cpus().length} cores, load average ${load()}, ${new Date().toISOString()}`);
  console.log('Temporal dev server on a SQLite file (as npm start runs it), PAR worker in a child process, instant activities');
  try {
    if (ONLY.includes('nodes') || ONLY.includes('peers') || ONLY.includes('bare')) {
      const stack = await startStack(fs.mkdtempSync(path.join(dir, 'nodes-')));
      await startWorker(stack, dir);
      if (ONLY.includes('bare') && !ONLY.includes('nodes')) await bareBaselines(stack);
      if (ONLY.includes('nodes')) await nodeOverhead(stack);
      if (ONLY.includes('peers')) await tenSteps(stack);
      await stopStack(stack);
    }
    if (ONLY.includes('nodes') || ONLY.includes('cpu')) await controlNodeCpu();
    if (ONLY.includes('peers')) peers();
    if (ONLY.includes('starts')) await startsPerSecond(dir);
    if (ONLY.includes('resume')) await resumeLatency(dir);
    if (ONLY.includes('restart')) await restartCauses(dir);
    if (ONLY.includes('memory')) await workerMemory(dir);
  } finally {
    for (const stack of live) await stopStack(stack).catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  }
  console.log(`\nload average at the end: ${load()}`);
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
