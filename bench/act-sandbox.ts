// Act sandbox benchmark: what a Python act step costs on this machine.
//
//   node bin/run-ts.js bench/act-sandbox.ts [--cold 3] [--snapshot-starts 5] [--warm 20]
//                                          [--throughput 30] [--concurrency 2] [--pool 2]
//
// - cold start: a sandbox process from spawn to ready, booting Pyodide from scratch, and from the
//   pool's memory snapshot (what the pool actually does), plus the one-off snapshot cost;
// - warm run overhead: a trivial script (save["x"] = 1) on a ready sandbox from the pool, end to
//   end through the actRun activity function (request checks, channel, result), p50/p95;
// - throughput: runs per second with the pool refilling in the background, at --concurrency.
import { createActActivities } from '../activities/act/activities';
import { loadActConfig } from '../activities/act/config';
import { defaultSandboxFiles, detectSandboxIsolation, SandboxPool } from '../activities/act/pool';
import { sandboxReadableFiles } from '../activities/act/staging';
import { Sandbox } from '../activities/act/sandbox';
import { numberFlag as flag, percentile } from './lib/stats';

function summary(ms: number[]): string {
  if (!ms.length) return 'skipped';
  const s = [...ms].sort((a, b) => a - b);
  return `p50 ${percentile(s, 50).toFixed(0)} ms, p95 ${percentile(s, 95).toFixed(0)} ms, max ${s[s.length - 1].toFixed(0)} ms (n=${s.length})`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function timeStarts(n: number, make: () => Sandbox): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    const sandbox = make();
    await sandbox.ready;
    times.push(performance.now() - started);
    sandbox.kill();
  }
  return times;
}

async function main(): Promise<void> {
  const coldRuns = flag('cold', 3);
  const snapshotStarts = flag('snapshot-starts', 5);
  const warmRuns = flag('warm', 20);
  const throughputRuns = flag('throughput', 30);
  const concurrency = flag('concurrency', 2);
  const poolSize = flag('pool', 2);
  const config = { ...loadActConfig({ PAR_ACT_POOL_SIZE: String(poolSize) }) };
  const files = sandboxReadableFiles(defaultSandboxFiles());
  const isolation = detectSandboxIsolation(files);
  console.log(`act sandbox benchmark: node ${process.version}, pool ${poolSize}, isolation: ${isolation.description}`);
  if (isolation.mode !== 'namespaces') console.log(`  (namespaces unavailable: ${isolation.unavailableReason})`);
  const sandboxOptions = { isolation, memoryMb: config.defaults.memoryMb, runtimeAllowanceMb: config.runtimeAllowanceMb, startTimeoutMs: config.startTimeoutMs };

  const cold = await timeStarts(coldRuns, () => new Sandbox({ ...sandboxOptions, files }));
  console.log(`cold start, Pyodide from scratch:     ${summary(cold)}`);

  const snapshotStarted = performance.now();
  const pool = new SandboxPool(config);
  const prepared = await pool.prepare();
  const snapshotMs = performance.now() - snapshotStarted;
  if (prepared.files.snapshot) {
    console.log(`snapshot made once per worker:        ${snapshotMs.toFixed(0)} ms`);
    const fromSnapshot = await timeStarts(snapshotStarts, () => new Sandbox({ ...sandboxOptions, files: prepared.files }));
    console.log(`cold start, from the snapshot:        ${summary(fromSnapshot)}`);
  } else {
    console.log('snapshot unavailable: sandboxes start cold');
  }

  const { actRun } = createActActivities({ config, pool, host: { search: async () => [], chat: async () => '' } });
  let n = 0;
  const trivial = () => actRun({ code: 'save["x"] = 1', variables: { a: 1 }, message: 'm', history: [], runId: `bench-${++n}` });
  await pool.warmUp();

  const warm: number[] = [];
  const inside: number[] = [];
  for (let i = 0; i < warmRuns; i++) {
    while (pool.stats().ready < 1) await sleep(10); // measure a ready sandbox, not its start
    const started = performance.now();
    const result = await trivial();
    if (!result.ok) throw new Error(`trivial script failed: ${JSON.stringify(result.error)}`);
    warm.push(performance.now() - started);
    inside.push(result.durationMs);
  }
  console.log(`warm run, trivial script (actRun):    ${summary(warm)}`);
  console.log(`  of which in the sandbox (job->result): ${summary(inside)}`);

  if (throughputRuns > 0) {
    await pool.warmUp();
    let next = 0;
    const latencies: number[] = [];
    const started = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next++ < throughputRuns) {
          const t = performance.now();
          const result = await trivial();
          if (!result.ok) throw new Error(`trivial script failed: ${JSON.stringify(result.error)}`);
          latencies.push(performance.now() - t);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    console.log(`throughput, ${throughputRuns} runs at concurrency ${concurrency}: ${(throughputRuns / seconds).toFixed(2)} runs/s (${seconds.toFixed(1)} s); latency ${summary(latencies)}`);
    console.log('  (every run gets a fresh sandbox, so throughput is bound by sandbox starts on the machine\'s cores)');
  }
  await pool.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
