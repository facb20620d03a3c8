// Flow engine benchmark on a private in-memory Temporal dev server and an in-process worker.
//
//   node bin/run-ts.js bench/flow-engine.ts [--runs 40] [--nodes 10] [--starts 200] [--waiting 2000]
//
// - overhead per node: a flow of --nodes generate nodes calling an instant model (the activity
//   returns at once), so each node is one workflow task plus one activity round trip;
// - flows started per second: --starts flows started with 20 concurrent clients;
// - resume latency: from sending an approval to the run's completion (the next node is a static
//   reply), p50/p99;
// - worker memory with --waiting runs parked on approvals (RSS of this process, which hosts the worker).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import type { GenerateRequest, GenerateResult } from '../activities/contracts';
import { loadToolPaths } from '../workers/config';
import { createParWorker } from '../workers/worker';
import { freePort, startDevServer } from '../scripts/temporal-dev-server';
import { FlowService } from '../client/services/flows';
import { runStateQuery } from '../workflows/definitions';
import type { FlowDefinition, FlowNode } from '../workflows/flow/types';
import { describeMs, numberFlag, percentile } from './lib/stats';

const RUNS = numberFlag('runs', 40);
const NODES = numberFlag('nodes', 10);
const STARTS = numberFlag('starts', 200);
const WAITING = numberFlag('waiting', 2000);

const chain: FlowDefinition = {
  id: 'bench_chain',
  version: '1',
  nodes: [
    { id: 'start', type: 'start', outputs: { next: 'g0' } },
    ...Array.from({ length: NODES }, (_, i): FlowNode => ({
      id: `g${i}`,
      type: 'generate' as const,
      params: { prompt: 'step', variable: `v${i}`, context: false },
      outputs: i + 1 < NODES ? { next: `g${i + 1}` } : undefined,
    })),
  ],
};

const approval: FlowDefinition = {
  id: 'bench_approval',
  version: '1',
  nodes: [
    { id: 'start', type: 'start', outputs: { next: 'ask' } },
    { id: 'ask', type: 'approval', params: { prompt: 'ok?' }, outputs: { approved: 'done' } },
    { id: 'done', type: 'end', params: { text: 'resumed' } },
  ],
};

async function pool<T>(items: T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let i = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => { while (i < items.length) await fn(items[i++]); }));
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  process.env.PAR_DATA_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'par-bench-'));
  const server = await startDevServer({ cli: loadToolPaths().temporalCli, port: await freePort(), headless: true, fastSqlite: true });
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection });
  const native = await NativeConnection.connect({ address: server.address });
  const instantModel = {
    modelGenerate: async (req: GenerateRequest): Promise<GenerateResult> => ({ text: 'ok', toolCalls: [], usage: { inputTokens: 0, outputTokens: 1 }, model: req.model, latencyMs: 0, finishReason: 'stop' }),
  };
  const worker = await createParWorker({ connection: native, namespace: 'default', taskQueue: 'bench', activities: instantModel, maxConcurrentActivityTaskExecutions: 200 });
  const running = worker.run();
  const svc = new FlowService(client, 'bench');
  console.log(`flow engine benchmark: ${os.cpus().length} cores, Temporal dev server in memory, worker in this process`);

  const perNode: number[] = [];
  const perRun: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const { runId } = await svc.start(chain);
    const r = await svc.result(runId);
    perRun.push(performance.now() - t0);
    if (i >= 3) perNode.push(...r.trail.filter((t) => t.type === 'generate').map((t) => t.durationMs ?? 0));
  }
  const perRunPerNode = perRun.slice(3).map((ms) => ms / NODES);
  console.log(`overhead per node (workflow task + activity round trip, instant model), from the node trail: ${describeMs(perNode)}`);
  console.log(`  end to end, run time / ${NODES} nodes: ${describeMs(perRunPerNode)}`);

  // Baseline: the same number of activity round trips from a bare workflow, on the same server.
  const bare = await Worker.create({ connection: native, taskQueue: 'bench-bare', workflowsPath: require.resolve('./fixtures/baseline-workflow'), activities: { ping: async () => 1 } });
  const bareRunning = bare.run();
  const perBare: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    await client.workflow.execute('bareActivityLoop', { taskQueue: 'bench-bare', workflowId: `bare-${i}-${Date.now()}`, args: [NODES] });
    if (i >= 3) perBare.push((performance.now() - t0) / NODES);
  }
  bare.shutdown();
  await bareRunning;
  const ratio = percentile(perRunPerNode, 50) / percentile(perBare, 50);
  console.log(`  bare workflow + instant activity, per round trip: ${describeMs(perBare)}; engine / bare (p50): ${ratio.toFixed(2)}x`);

  const t1 = performance.now();
  await pool(Array.from({ length: STARTS }, (_, i) => i), 20, async () => void (await svc.start(approval)));
  const startsPerSec = STARTS / ((performance.now() - t1) / 1000);
  console.log(`flows started per second (20 concurrent clients, ${STARTS} starts): ${startsPerSec.toFixed(0)}/s`);

  // Park runs on approvals, then resume a sample of them.
  const parked: string[] = [];
  const before = process.memoryUsage().rss;
  await pool(Array.from({ length: WAITING }, (_, i) => i), 20, async () => void parked.push((await svc.start(approval)).runId));
  for (const id of [parked[0], parked[parked.length - 1]]) {
    for (;;) {
      const s = await client.workflow.getHandle(id).query(runStateQuery).catch(() => undefined);
      if (s?.status === 'waiting_approval') break;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  await new Promise((r) => setTimeout(r, 3000));
  global.gc?.();
  const after = process.memoryUsage().rss;
  console.log(`worker process RSS with ${WAITING} (+${STARTS}) runs waiting on approvals: ${(after / 2 ** 20).toFixed(0)} MiB (${((after - before) / 2 ** 20).toFixed(0)} MiB more than before parking them)`);

  const resume: number[] = [];
  for (const id of parked.slice(0, Math.min(100, parked.length))) {
    const t = performance.now();
    await svc.decide(id, { decision: 'approve', by: 'bench' });
    await svc.result(id);
    resume.push(performance.now() - t);
  }
  console.log(`resume latency, approval sent -> run completed: ${describeMs(resume, [50, 99])}`);

  worker.shutdown();
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
