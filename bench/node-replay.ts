// The workflow side of a node alone: the CPU a worker spends replaying a recorded run of k nodes
// of one type, against the same run with none. Replay runs the same workflow code, sandbox and
// promise hook as a live run, with the activity results read from history, so no server round
// trip, activity or other process blurs it: what is left is what PAR's workflow code costs per
// node. Runs are recorded once, with the current code; each bundle then replays them all.
//
//   nice -n 0 node bin/run-ts.js bench/node-replay.ts [--rounds 10] [--against OLD_BUNDLE.js]
//
// --against replays the same histories with another workflow bundle too, interleaved, e.g. the
// one cached before a change (node_modules/.cache/par-workflow-bundle/*.js), and so also checks
// that the change replays the other's runs. --debug-mode replays on this process's main thread,
// for a CPU profile of the workflow code (node --cpu-prof bin/run-ts.js bench/node-replay.ts
// --debug-mode); V8 profiles the workflow threads of replay workers otherwise not at all.
// Prints numbers only; nothing is asserted.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { loadToolPaths } from '../workers/config';
import { createParWorker } from '../workers/worker';
import { workflowBundleFile } from '../workers/workflow-bundle';
import { freePort, startDevServer } from '../scripts/temporal-dev-server';
import { FlowService } from '../client/services/flows';
import { FlowRegistry } from '../client/services/flow-registry';
import type { FlowNode } from '../workflows/flow/types';
import { instantActivities } from './fixtures/instant-activities';
import { numberFlag } from './lib/stats';
import { chainFlow } from './lib/chain-flow';

const ROUNDS = numberFlag('rounds', 10);
const againstAt = process.argv.indexOf('--against');
const AGAINST = againstAt > 0 ? path.resolve(process.argv[againstAt + 1]) : undefined;
const DEBUG_MODE = process.argv.includes('--debug-mode');
const TASK_QUEUE = 'node-replay';
/** Local activities in the bare baseline's run (a workflow calling an instant local activity in a loop). */
const BARE_K = 30;
const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} } as never;
const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

const CASES: { label: string; k: number; node: (i: number) => Omit<FlowNode, 'id' | 'outputs'>; out?: string }[] = [
  { label: 'set_variable', k: 100, node: (i) => ({ type: 'set_variable', params: { name: `v${i}`, value: i } }) },
  { label: 'retrieve', k: 30, node: (i) => ({ type: 'retrieve', params: { query: 'q', variable: `c${i}` } }) },
  { label: 'store get', k: 30, node: (i) => ({ type: 'store', params: { op: 'get', key: 'k', variable: `s${i}` } }) },
  { label: 'recognize', k: 30, node: () => ({ type: 'recognize', params: { question: 'is it a question?' } }), out: 'yes' },
  { label: 'choose', k: 30, node: () => ({ type: 'choose', params: { question: 'which?', options: ['next'] } }) },
];

interface Recorded {
  label: string;
  k: number;
  history: temporal.api.history.v1.IHistory;
}

/**
 * One run of the base flow and of each case, recorded by a live worker running the current code,
 * and the bare baseline's runs of 0 and BARE_K local activities.
 */
async function record(bundle: string, bareBundle: string, dir: string): Promise<{ par: Recorded[]; bare: Recorded[] }> {
  const server = await startDevServer({ cli: loadToolPaths().temporalCli, port: await freePort(), headless: true, logFile: path.join(dir, 'temporal.log') });
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection });
  const native = await NativeConnection.connect({ address: server.address });
  const worker = await createParWorker({ connection: native, namespace: 'default', taskQueue: TASK_QUEUE, workflowBundle: { codePath: bundle }, activities: instantActivities() });
  const bareWorker = await Worker.create({ connection: native, taskQueue: `${TASK_QUEUE}-bare`, workflowBundle: { codePath: bareBundle }, activities: { ping: instantActivities().ping } });
  const running = Promise.all([worker.run(), bareWorker.run()]);
  const svc = new FlowService(client, TASK_QUEUE, new FlowRegistry([path.join(dir, 'flows')]));
  const out: Recorded[] = [];
  const bare: Recorded[] = [];
  try {
    for (const k of [0, BARE_K]) {
      const handle = await client.workflow.start('bareLocalActivityLoop', { taskQueue: `${TASK_QUEUE}-bare`, workflowId: `bare-${k}-${Date.now()}`, args: [k] });
      await handle.result();
      bare.push({ label: 'bare local activity', k, history: await handle.fetchHistory() });
    }
    for (const c of [{ label: 'no nodes', k: 0, node: () => ({ type: 'start' }) as Omit<FlowNode, 'id' | 'outputs'>, out: undefined }, ...CASES]) {
      const { runId } = await svc.start(chainFlow(`replay_${c.label.replace(/\W+/g, '_')}`, c.k, c.node, c.out));
      await svc.result(runId);
      out.push({ label: c.label, k: c.k, history: await client.workflow.getHandle(runId).fetchHistory() });
    }
  } finally {
    worker.shutdown();
    bareWorker.shutdown();
    await running;
    await native.close();
    await connection.close();
    await server.stop();
  }
  return { par: out, bare };
}

/** Times each history is replayed in one replay worker, round after round; the median counts. */
const REPEATS = 3;

/** Replays every history REPEATS times in one replay worker: the median CPU milliseconds of this process for each. */
async function replayAll(bundle: string, recorded: Recorded[]): Promise<number[]> {
  const cpu: number[][] = recorded.map(() => []);
  let mark = process.cpuUsage();
  const histories = recorded.map((r, i) => ({ history: r.history, workflowId: `replay-${i}` }));
  // The first replays pay the worker's start and warm it up; they are left out.
  const WARM = 2;
  const order = [...Array(WARM).fill(histories[0]), ...Array.from({ length: REPEATS }, () => histories).flat()];
  let i = 0;
  for await (const result of Worker.runReplayHistories({ workflowBundle: { codePath: bundle }, logger: quiet, debugMode: DEBUG_MODE } as never, order)) {
    const used = process.cpuUsage(mark);
    mark = process.cpuUsage();
    const at = (i - WARM + recorded.length) % recorded.length;
    if (result.error) throw new Error(`${path.basename(bundle)} does not replay ${recorded[at].label}: ${result.error.message}`);
    if (i++ >= WARM) cpu[at].push((used.user + used.system) / 1000);
  }
  return cpu.map(median);
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'par-node-replay-'));
  const current = await workflowBundleFile({ tracing: false, logger: quiet }, dir);
  const bareBundle = path.join(dir, 'bare-workflows.js');
  fs.writeFileSync(bareBundle, (await bundleWorkflowCode({ workflowsPath: require.resolve('./fixtures/baseline-workflow'), logger: quiet })).code);
  const { par: recorded, bare } = await record(current, bareBundle, dir);
  const bundles = [{ name: 'current', file: current }, ...(AGAINST ? [{ name: path.basename(AGAINST), file: AGAINST }] : [])];
  console.log(`workflow CPU per node, replaying recorded runs (${ROUNDS} rounds, interleaved, each history ${REPEATS} times a round; this process's CPU: replay worker, Core and workflow thread; load ${load()})`);
  const samples = bundles.map(() => recorded.map(() => [] as number[]));
  const bareSamples = bare.map(() => [] as number[]);
  for (let r = 0; r < ROUNDS; r++) {
    (await replayAll(bareBundle, bare)).forEach((ms, i) => bareSamples[i].push(ms));
    // Each round in the other order, so that neither bundle always follows the other.
    for (const b of r % 2 ? [...bundles.keys()].reverse() : bundles.keys()) {
      const cpu = await replayAll(bundles[b].file, recorded);
      cpu.forEach((ms, i) => samples[b][i].push(ms));
    }
  }
  const bareLocal = (median(bareSamples[1]) - median(bareSamples[0])) / BARE_K;
  console.log(`bare workflow, per local activity: ${bareLocal.toFixed(3)} ms (its run with none: ${median(bareSamples[0]).toFixed(1)} ms)`);
  console.log(`| node type | k | ${bundles.map((b) => `${b.name}: per node (p50) | / bare local`).join(' | ')} |`);
  console.log(`| --- | --- | ${bundles.map(() => '--- | ---').join(' | ')} |`);
  console.log(`| (the run with no nodes) | 0 | ${bundles.map((_, b) => `${median(samples[b][0]).toFixed(1)} ms per run | `).join(' | ')} |`);
  for (const [i, c] of recorded.entries()) {
    if (i === 0) continue;
    const per = bundles.map((_, b) => (median(samples[b][i]) - median(samples[b][0])) / c.k);
    console.log(`| ${c.label} | ${c.k} | ${per.map((v) => `${v.toFixed(3)} ms | ${(v / bareLocal).toFixed(2)}x`).join(' | ')} |`);
  }
  console.log(`(load after: ${load()})`);
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
