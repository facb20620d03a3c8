// LangGraph.js: a 10-step sequential graph with the SQLite checkpointer (a checkpoint per step).
// Run by bench/flow-engine.ts from the peers folder (bench/peers/setup.sh): node langgraph.mjs RUNS
import fs from 'node:fs';
import { Annotation, END, START, StateGraph } from '@langchain/langgraph';
import { SqliteSaver } from '@langchain/langgraph-checkpoint-sqlite';

const RUNS = Number(process.argv[2] ?? 20);
const STEPS = 10;
const db = new URL('./langgraph-bench.sqlite', import.meta.url).pathname;
fs.rmSync(db, { force: true });
const State = Annotation.Root({ n: Annotation({ reducer: (_a, b) => b, default: () => 0 }) });
const g = new StateGraph(State);
for (let i = 0; i < STEPS; i++) g.addNode(`s${i}`, async (s) => ({ n: s.n + 1 }));
g.addEdge(START, 's0');
for (let i = 0; i + 1 < STEPS; i++) g.addEdge(`s${i}`, `s${i + 1}`);
g.addEdge(`s${STEPS - 1}`, END);
const app = g.compile({ checkpointer: SqliteSaver.fromConnString(db) });

let thread = 0;
const once = async () => {
  const r = await app.invoke({ n: 0 }, { configurable: { thread_id: `t${thread++}` } });
  if (r.n !== STEPS) throw new Error(`expected ${STEPS} steps, got ${r.n}`);
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
console.log(`LangGraph.js ${JSON.parse(fs.readFileSync(new URL('./node_modules/@langchain/langgraph/package.json', import.meta.url))).version} + SqliteSaver, 10 steps: ${(p50 / STEPS).toFixed(2)} ms per step (run p50 ${p50.toFixed(1)} ms, n=${RUNS}); ${perSec.toFixed(0)} runs/s with 20 concurrent`);
