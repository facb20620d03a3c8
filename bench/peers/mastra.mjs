// Mastra: a 10-step sequential workflow with LibSQL storage (a snapshot per step).
// Run by bench/flow-engine.ts from the peers folder (bench/peers/setup.sh): node mastra.mjs RUNS
import fs from 'node:fs';
import { Mastra } from '@mastra/core/mastra';
import { createStep, createWorkflow } from '@mastra/core/workflows';
import { LibSQLStore } from '@mastra/libsql';
import { z } from 'zod';

const RUNS = Number(process.argv[2] ?? 20);
const STEPS = 10;
const db = new URL('./mastra-bench.sqlite', import.meta.url).pathname;
for (const f of [db, `${db}-wal`, `${db}-shm`]) fs.rmSync(f, { force: true });
const schema = z.object({ n: z.number() });
let wf = createWorkflow({ id: 'ten', inputSchema: schema, outputSchema: schema });
for (let i = 0; i < STEPS; i++) wf = wf.then(createStep({ id: `s${i}`, inputSchema: schema, outputSchema: schema, execute: async ({ inputData }) => ({ n: inputData.n + 1 }) }));
wf.commit();
const mastra = new Mastra({ workflows: { ten: wf }, storage: new LibSQLStore({ id: 'bench', url: `file:${db}` }), logger: false });
const workflow = mastra.getWorkflow('ten');

const once = async () => {
  const run = await workflow.createRun();
  const r = await run.start({ inputData: { n: 0 } });
  if (r.status !== 'success' || r.result.n !== STEPS) throw new Error(`run ended ${r.status}: ${JSON.stringify(r.result ?? r.error)}`);
};
for (let i = 0; i < 3; i++) await once();
const times = [];
for (let i = 0; i < RUNS; i++) {
  const t = performance.now();
  await once();
  times.push(performance.now() - t);
}
times.sort((a, b) => a - b);
const p50 = times[Math.ceil(times.length / 2) - 1];
const t0 = performance.now();
const total = RUNS * 5;
let next = 0;
await Promise.all(Array.from({ length: 20 }, async () => { while (next++ < total) await once(); }));
const perSec = total / ((performance.now() - t0) / 1000);
console.log(`Mastra ${JSON.parse(fs.readFileSync(new URL('./node_modules/@mastra/core/package.json', import.meta.url))).version} + LibSQLStore, 10 steps: ${(p50 / STEPS).toFixed(2)} ms per step (run p50 ${p50.toFixed(1)} ms, n=${RUNS}); ${perSec.toFixed(0)} runs/s with 20 concurrent`);
process.exit(0);
