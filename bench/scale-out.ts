// Scale-out benchmark (issue 12): the topology of test/integration/scale-out.test.ts, measured.
// One Temporal dev server, PostgreSQL, the real Qdrant and Redis; then 1 worker + 1 API, then
// 3 workers + 2 APIs, each process its own empty PAR_DATA_DIR. Prints flow starts/s and run
// throughput, vault searches/s and memory-search p50/p95 through the APIs, and the load average.
//   node bin/run-ts.js bench/scale-out.ts [--runs 60] [--searches 200] [--concurrency 8]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { loadToolPaths } from '../workers/config';
import { workflowBundleFile } from '../workers/workflow-bundle';
import { freePort, startDevServer } from '../scripts/temporal-dev-server';
import { startPostgres } from '../scripts/postgres-server';
import { findQdrantBinary, installedQdrant, startQdrant } from '../scripts/qdrant-server';
import { startLocalRedis } from '../activities/streams/local-redis';
import { runPar } from '../test/helpers/cli';
import { freePorts, startParProcess, type ParProcess } from '../test/helpers/processes';
import { numberFlag, percentile } from './lib/stats';

const RUNS = numberFlag('runs', 60);
const SEARCHES = numberFlag('searches', 200);
const CONCURRENCY = numberFlag('concurrency', 8);
const noop = () => undefined;
const quiet = { trace: noop, debug: noop, info: noop, log: noop, warn: noop, error: console.error } as never;
const log = (line: string) => console.error(`[scale-out] ${line}`);

const flow = {
  id: 'bench_scale_out',
  version: '1',
  nodes: [
    { id: 'start', type: 'start', outputs: { next: 'note' } },
    { id: 'note', type: 'store', params: { op: 'set', namespace: 'bench-scale-out', key: 'k-{message}', value: '{message}' }, outputs: { next: 'reply' } },
    { id: 'reply', type: 'respond', params: { text: 'done {message}' } },
  ],
};

/** Runs `task(i)` for i < n with at most `concurrency` at once; returns each call's milliseconds. */
async function timed(n: number, concurrency: number, task: (i: number) => Promise<unknown>): Promise<{ ms: number[]; wallMs: number }> {
  const ms: number[] = [];
  let next = 0;
  const began = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        const i = next++;
        const t = performance.now();
        await task(i);
        ms.push(performance.now() - t);
      }
    }),
  );
  return { ms, wallMs: performance.now() - began };
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'par-bench-scale-out-'));
  const { file: qdrantPacked, looked } = findQdrantBinary();
  if (!qdrantPacked) throw new Error(`this benchmark needs the real Qdrant binary (looked at ${looked.join(', ')}; or set PAR_QDRANT_BINARY)`);
  log('starting Temporal, PostgreSQL, Qdrant and Redis...');
  const [temporal, postgres, qdrant, redis] = await Promise.all([
    (async () => startDevServer({ cli: loadToolPaths().temporalCli, port: await freePort(), headless: true, fastSqlite: true, logFile: path.join(dir, 'temporal.log') }))(),
    startPostgres({ logFile: path.join(dir, 'postgres.log') }),
    startQdrant(installedQdrant(qdrantPacked), { logFile: path.join(dir, 'qdrant.log') }),
    (async () => startLocalRedis({ port: await freePort(), dir: path.join(dir, 'redis'), timeoutMs: 60_000 }))(),
  ]);
  const bundlePath = await workflowBundleFile({ tracing: false, logger: quiet }, dir);
  const connection = await Connection.connect({ address: temporal.address });
  const client = new Client({ connection });
  const procs: ParProcess[] = [];
  try {
    const shared = {
      PAR_TEMPORAL_ADDRESS: temporal.address,
      PAR_DATABASE_URL: postgres.url,
      PAR_DATABASE_AUTO_MIGRATE: 'false',
      QDRANT_URL: qdrant.url,
      PAR_REDIS_URL: redis.url,
    };
    const ownDir = (name: string) => fs.mkdtempSync(path.join(dir, `${name}-`));
    const ops = { ...shared, PAR_DATA_DIR: ownDir('ops') };
    const migrated = await runPar(['db', 'migrate'], ops);
    if (migrated.code !== 0) throw new Error(`par db migrate failed: ${migrated.stderr}`);
    const created = await runPar(['keys', 'create', '--grant', '*:admin', '--flow', '*', '--name', 'bench', '--json'], ops);
    if (created.code !== 0) throw new Error(`par keys create failed: ${created.stderr}`);
    const key = JSON.parse(created.stdout).key as string;

    const rows: string[] = [];
    for (const [workerCount, apiCount] of [[1, 1], [3, 2]] as const) {
      const taskQueue = `bench-scale-out-${workerCount}w-${Date.now()}`;
      log(`starting ${workerCount} worker(s) and ${apiCount} API(s)...`);
      const ports = await freePorts(apiCount);
      const started = await Promise.all([
        ...Array.from({ length: workerCount }, (_, i) =>
          startParProcess(`worker${i + 1}`, 'workers/main.ts', { ...shared, PAR_TASK_QUEUE: taskQueue, PAR_WORKFLOW_BUNDLE: bundlePath, PAR_DATA_DIR: ownDir(`w${i}`) }, /\[worker\] polling task queue/),
        ),
        ...ports.map((port, i) => startParProcess(`api${i + 1}`, 'client/api/main.ts', { ...shared, PAR_TASK_QUEUE: taskQueue, PAR_API_PORT: String(port), PAR_DATA_DIR: ownDir(`a${i}`) }, /\[api\] listening on/)),
      ]);
      procs.push(...started);
      const apis = started.filter((p) => p.url);
      const call = async (i: number, method: string, route: string, body?: unknown) => {
        const res = await fetch(`${apis[i % apis.length].url}${route}`, { method, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
        if (!res.ok) throw new Error(`${method} ${route}: ${res.status} ${await res.text()}`);
        return res.json() as Promise<Record<string, any>>;
      };
      const tag = `${workerCount}w${apiCount}a`;
      const vault = `benchscale${tag}`;
      const tenant = `bench-scale-${tag}`;
      // Data to search (through the APIs, round robin) and a warm-up of every path.
      await timed(100, CONCURRENCY, (i) => call(i, 'POST', `/v1/vaults/${vault}/items`, { text: `Policy ${i}: requests of type ${i % 17} are answered within ${i % 9} days by team ${i % 5}.` }));
      await timed(50, CONCURRENCY, (i) => call(i, 'POST', `/v1/memories/${tenant}`, { content: `Customer ${i} prefers delivery on day ${i % 7} and pays by method ${i % 4}.` }));
      await timed(CONCURRENCY * 2, CONCURRENCY, async (i) => {
        const run = await call(i, 'POST', `/v1/flows/${flow.id}/runs`, { definition: flow, message: `warm${i}` });
        await client.workflow.getHandle(run.runId).result();
      });

      // Flow runs: starts through the APIs, completion seen from Temporal.
      // Each run's latency: from asking the API to start it until Temporal reports it completed.
      const runLatency: number[] = [];
      const completions: Promise<void>[] = [];
      const began = performance.now();
      const starts = await timed(RUNS, CONCURRENCY, async (i) => {
        const asked = performance.now();
        const { runId } = await call(i, 'POST', `/v1/flows/${flow.id}/runs`, { definition: flow, message: `m${i}` });
        completions.push(client.workflow.getHandle(runId).result().then(() => void runLatency.push(performance.now() - asked)));
      });
      await Promise.all(completions);
      const runsWallS = (performance.now() - began) / 1000;
      const vaultSearch = await timed(SEARCHES, CONCURRENCY, (i) => call(i, 'POST', `/v1/vaults/${vault}/search`, { query: `how fast are requests of type ${i % 17} answered`, n: 5 }));
      const memorySearch = await timed(SEARCHES, CONCURRENCY, (i) => call(i, 'POST', `/v1/memories/${tenant}/search`, { query: `when does customer ${i % 50} want delivery`, limit: 5 }));
      const load = os.loadavg()[0];
      rows.push(
        `| ${workerCount} worker${workerCount > 1 ? 's' : ''} + ${apiCount} API${apiCount > 1 ? 's' : ''} | ${(RUNS / (starts.wallMs / 1000)).toFixed(1)} | ${percentile(starts.ms, 50).toFixed(0)} / ${percentile(starts.ms, 99).toFixed(0)} | ${(RUNS / runsWallS).toFixed(1)} | ${percentile(runLatency, 50).toFixed(0)} / ${percentile(runLatency, 99).toFixed(0)} | ${(SEARCHES / (vaultSearch.wallMs / 1000)).toFixed(1)} | ${percentile(vaultSearch.ms, 50).toFixed(0)} / ${percentile(vaultSearch.ms, 95).toFixed(0)} | ${percentile(memorySearch.ms, 50).toFixed(0)} / ${percentile(memorySearch.ms, 95).toFixed(0)} | ${load.toFixed(2)} |`,
      );
      log(rows.at(-1)!);
      await Promise.all(started.map((p) => p.stop()));
    }
    console.log(`scale-out benchmark: ${RUNS} runs and ${SEARCHES} searches of each kind, ${CONCURRENCY} at a time, on ${os.cpus().length} cores`);
    console.log('| topology | flow starts/s | start p50 / p99 ms | runs completed/s | run latency p50 / p99 ms | vault searches/s | vault search p50 / p95 ms | memory search p50 / p95 ms | load avg (1 min) |');
    console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const r of rows) console.log(r);
  } finally {
    await Promise.all(procs.map((p) => p.stop()));
    await connection.close();
    await Promise.allSettled([temporal.stop(), postgres.stop(), qdrant.stop(), redis.stop()]);
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(`[scale-out] failed: ${(err as Error).stack ?? err}`);
    process.exit(1);
  },
);
