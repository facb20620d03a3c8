// Memory benchmark: Memory Vault search and save latency with N entries (default 10,000), and
// the recall of the conversation memory engine on LoCoMo (read in place, never copied).
//
//   node bin/run-ts.js bench/memory-search.ts [--entries 10000] [--queries 200] [--saves 100]
//                                             [--conversations 2] [--locomo PATH] [--skip-locomo] [--skip-merge]
//                                             [--fit-merge] [--show-merge-errors (dev half only)]
//
// Also the same-topic merge decision on the labelled pairs in test/data/memory-merge-pairs.json
// (precision, recall, F1 of "update the existing entry"), against the old fixed-cosine rule.
//
// Uses the process defaults: the local embedder (PAR_LOCAL_EMBEDDING_MODEL, default e5-small-v2) and the embedded vector store
// (Qdrant when QDRANT_URL is set), in a temporary folder.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cosineScale, createDefaultEmbedder } from '../activities/embeddings';
import { FEATURES, FEATURE_SIGNS, pairFeatures, sameTopic } from '../activities/memory/same-topic';
import { wordnet } from '../activities/memory/wordnet';
import { fitLogistic, prf } from './lib/logistic';
import { createMemoryServices, type MemoryServices } from '../activities/memory/services';
import { statementSimilarities } from '../activities/memory/vector-space';
import type { Embedder } from '../activities/embeddings/port';
import { createDefaultVectorStore, EmbeddedVectorStore } from '../activities/vectors';
import { locomoFile } from './lib/locomo-file';
import { numberFlag as flag, percentile, stringFlag } from './lib/stats';


function summary(ms: number[]): string {
  const s = [...ms].sort((a, b) => a - b);
  return `p50 ${percentile(s, 50).toFixed(1)} ms, p95 ${percentile(s, 95).toFixed(1)} ms, max ${s[s.length - 1].toFixed(1)} ms (n=${s.length})`;
}

// Distinct, realistic short facts: people x attributes x values (no two entries share all three).
const PEOPLE = ['Ada', 'Ben', 'Chloe', 'Dmitri', 'Elena', 'Farid', 'Grace', 'Hiro', 'Ines', 'Jonas', 'Kemi', 'Liam', 'Maya', 'Noor', 'Omar', 'Priya', 'Quinn', 'Rosa', 'Sven', 'Tariq'];
const FACTS: [string, string[]][] = [
  ['prefers', ['dark mode', 'light mode', 'tea over coffee', 'window seats', 'morning meetings', 'async updates', 'vim keybindings', 'metric units', 'short emails', 'video calls']],
  ['is allergic to', ['peanuts', 'shellfish', 'pollen', 'penicillin', 'cats', 'gluten', 'latex', 'dust mites', 'bee stings', 'soy']],
  ['works on', ['the billing service', 'the mobile app', 'data pipelines', 'the search index', 'security reviews', 'the design system', 'customer onboarding', 'the API gateway', 'ML ranking', 'the status page']],
  ['lives in', ['Lisbon', 'Berlin', 'Nairobi', 'Osaka', 'Toronto', 'Lima', 'Oslo', 'Pune', 'Austin', 'Cork']],
  ['is learning', ['Spanish', 'the cello', 'Rust', 'pottery', 'sailing', 'chess openings', 'Japanese', 'woodworking', 'statistics', 'salsa dancing']],
  ['has a budget of', ['$500', '$1,200', '$5,000', '$250', '$40,000', '$75', '$3,300', '$900', '$12,000', '$18,500']],
];
const WHEN = ['since January', 'since last spring', 'for two years', 'this quarter', 'since the offsite', 'as of March', 'for the Q3 project', 'at home', 'at work', 'on weekends', 'when travelling', 'for now', 'after the move', 'since 2021', 'during sprints', 'most days', 'on Fridays', 'in winter', 'for the launch', 'until June', 'per the last review', 'according to HR', 'per their manager', 'by their own account', 'as noted in onboarding', 'per the kickoff', 'per the survey', 'per their profile', 'in the last retro', 'as of this week', 'per the 1:1 notes', 'per the trip form', 'in the wiki', 'as of the audit', 'per the handover', 'per the RSVP', 'per the intake form', 'since the reorg', 'as of today', 'in the CRM', 'per support ticket', 'per the email', 'per the chat', 'in standup', 'per the roadmap', 'per the contract', 'in the spreadsheet', 'per the calendar', 'per the doc', 'on record', 'per the form', 'per a colleague', 'per the call', 'per the memo', 'per the brief', 'in their bio', 'per the notes', 'per the tracker', 'per the log', 'per the plan', 'per the summary', 'per the audit trail', 'in the ticket', 'per the thread', 'per the minutes', 'per the agenda', 'per the checklist', 'per the report', 'per the review', 'per the deck', 'per the invoice', 'per the receipt', 'per the quote', 'per the order', 'per the booking', 'per the itinerary', 'per the policy', 'per the FAQ', 'per the guide', 'per the manual', 'per the spec', 'per the RFC', 'per the ADR', 'per the PR', 'per the issue', 'per the commit', 'per the release notes', 'per the changelog'];

function corpus(n: number): string[] {
  const out: string[] = [];
  for (let w = 0; out.length < n && w < WHEN.length; w++)
    for (const [verb, values] of FACTS)
      for (const value of values)
        for (const person of PEOPLE) {
          if (out.length >= n) return out;
          out.push(`${person} ${verb} ${value} ${WHEN[w]}.`);
        }
  if (out.length < n) throw new Error(`the generator makes at most ${out.length} distinct entries`);
  return out;
}

async function vaultBench(s: MemoryServices, entries: number, queries: number, saves: number): Promise<void> {
  const tenant = 'bench';
  const texts = corpus(entries + saves);
  const t0 = performance.now();
  await s.vault.importEntries({ tenant, contents: texts.slice(0, entries) }, 128);
  console.log(`loaded ${entries} entries (embedded + stored) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const questions = Array.from({ length: queries }, (_, i) => {
    const [verb, values] = FACTS[i % FACTS.length];
    return `What does ${PEOPLE[i % PEOPLE.length]} say about ${verb.replace('is ', '').replace('has a ', '')} ${values[(i * 7) % values.length]}? (${i})`;
  });
  await s.vault.search({ tenant, query: 'warm-up query' });
  const searchMs: number[] = [];
  const embedMs: number[] = [];
  for (const q of questions) {
    const e0 = performance.now();
    await s.embedder.embed([`${q} [embed only]`]);
    embedMs.push(performance.now() - e0);
    const t = performance.now();
    const r = await s.vault.search({ tenant, query: q });
    searchMs.push(performance.now() - t);
    if (!r.entries.length) throw new Error(`no result for "${q}"`);
  }
  console.log(`vault search, ${entries} entries, query embedding included: ${summary(searchMs)}`);
  console.log(`  query embedding alone (measured separately):         ${summary(embedMs)}`);
  console.log(`  Mem0 paper (LoCoMo): p50 148 ms, p95 200 ms -> p50 ratio ${(percentile([...searchMs].sort((a, b) => a - b), 50) / 148).toFixed(2)}x of Mem0's time`);

  const saveMs: number[] = [];
  let merged = 0;
  for (const text of texts.slice(entries, entries + saves)) {
    const t = performance.now();
    const { plan } = await s.vault.save({ tenant, content: text });
    saveMs.push(performance.now() - t);
    if (plan.action === 'update') merged++;
  }
  console.log(`vault save (same-topic check + write), ${entries} entries: ${summary(saveMs)}; ${merged}/${saves} merged into an existing entry`);
}

interface Turn {
  speaker: string;
  dia_id: string;
  text: string;
}

interface Sample {
  sample_id: string;
  conversation: Record<string, unknown>;
  qa: { question: string; evidence?: string[]; category: number }[];
}

function dot(a: Float32Array, b: Float32Array): number {
  let x = 0;
  for (let i = 0; i < a.length; i++) x += a[i]! * b[i]!;
  return x;
}

/**
 * The same-topic merge decision on the labelled pairs: the old rules, the shipped rule (its weights
 * were fitted on the dev half only, so the test half is unseen), and 5-fold cross-validations of
 * the fitting itself, on the dev half alone (what features are chosen by) and on all pairs.
 * `--fit-merge` prints weights fitted on the dev half (sign-constrained), for same-topic.ts.
 */
async function mergeBench(embedder: Embedder): Promise<void> {
  const read = (name: string) => (JSON.parse(fs.readFileSync(path.resolve(__dirname, '../test/data', name), 'utf8')) as { pairs: { a: string; b: string; same: boolean }[] }).pairs;
  const labelled = read('memory-merge-pairs.json');
  const holdout = read('memory-merge-holdout.json');
  const pairs = [...labelled, ...holdout];
  // As the Memory Vault decides: the new statement (b) searches as a query for the stored entry (a),
  // then the two are compared as statements (statementSimilarities), on the reference scale
  // (cosine-scale.ts). The raw search cosine is shown for the first rule.
  const stored = await embedder.embed(pairs.map((p) => p.a), 'document');
  const added = await embedder.embed(pairs.map((p) => p.b), 'query');
  const raw = pairs.map((_p, i) => dot(stored[i]!, added[i]!));
  const cos: number[] = [];
  for (const [i, p] of pairs.entries()) cos.push((await statementSimilarities(embedder, p.b, [p.a], [cosineScale(embedder.model, 'query').toReference(raw[i]!)]))[0]!);
  const load0 = performance.now();
  const indexMb = wordnet().reduce((n, file) => n + file.text.length, 0) / 1e6;
  const loadMs = performance.now() - load0;
  const f0 = performance.now();
  const features = pairs.map((p, i) => pairFeatures(p.a, p.b, cos[i]!));
  const pairUs = ((performance.now() - f0) * 1000) / pairs.length;
  const w0 = performance.now();
  pairs.forEach((p, i) => sameTopic(p.a, p.b, cos[i]!));
  const warmUs = ((performance.now() - w0) * 1000) / pairs.length;
  const rows = features.map((f) => FEATURES.map((k) => f[k]));
  const signs = FEATURES.map((k) => FEATURE_SIGNS[k]);
  const truth = pairs.map((p) => p.same);
  // The labelled set: dev = even positions, test = odd (the file interleaves kinds, so both halves
  // hold every kind). The held-out set was written after the features and weights were chosen.
  const isLabelled = pairs.map((_p, i) => i < labelled.length);
  const dev = pairs.map((_p, i) => i < labelled.length && i % 2 === 0);
  const test = pairs.map((_p, i) => i < labelled.length && i % 2 === 1);
  const isHoldout = isLabelled.map((l) => !l);
  const count = (keep: boolean[]) => `${keep.filter(Boolean).length} (${truth.filter((t, i) => t && keep[i]).length} same topic)`;
  console.log(`\nsame-topic merge: ${count(isLabelled)} labelled pairs (dev half ${count(dev)}, test half ${count(test)}); ${count(isHoldout)} held-out pairs:`);
  console.log(`WordNet synonyms: index loaded once in ${loadMs.toFixed(0)} ms (${indexMb.toFixed(1)} MB of text); then ${pairUs.toFixed(0)} µs per decision with new words, ${warmUs.toFixed(0)} µs with words seen before`);
  console.log('decision                                  | split   |  n  | precision | recall |   F1');
  const line = (name: string, split: string, keep: boolean[], decide: (i: number) => boolean) => {
    const idx = pairs.map((_p, i) => i).filter((i) => keep[i]);
    const r = prf(idx.map(decide), idx.map((i) => truth[i]!));
    console.log(`${name.padEnd(41)} | ${split.padEnd(7)} | ${String(idx.length).padStart(3)} | ${r.precision.toFixed(3).padStart(9)} | ${r.recall.toFixed(3).padStart(6)} | ${r.f1.toFixed(3)}`);
  };
  line('cosine >= 0.8 (first rule)', 'all', isLabelled, (i) => cos[i]! >= 0.8);
  if (raw.some((c, i) => c !== cos[i])) line('raw cosine >= 0.8 (no scale)', 'all', isLabelled, (i) => raw[i]! >= 0.8);
  line('names + update words + cosine 0.7 (before)', 'all', isLabelled, (i) => { const f = features[i]!; return !f.namesConflict && ((f.update === 1 && cos[i]! >= 0.5) || cos[i]! >= 0.7); });
  const score = (m: { bias: number; weights: number[] }, i: number) => rows[i]!.reduce((sum, v, j) => sum + v * m.weights[j]!, m.bias) > 0;
  const fit = (keep: boolean[]) => {
    const idx = pairs.map((_p, i) => i).filter((i) => keep[i]);
    return fitLogistic(idx.map((i) => rows[i]!), idx.map((i) => truth[i]!), { signs });
  };
  // Weights fitted on the dev half alone, so the test half is unseen by them.
  const devFit = fit(dev);
  line('same features, fitted on the dev half', 'test', test, (i) => score(devFit, i));
  // Cross-validation of the fitting: each fold decided by weights fitted on the other four.
  const folds = 5;
  const crossValidate = (keep: boolean[]) => {
    const idx = pairs.map((_p, i) => i).filter((i) => keep[i]);
    const out = new Array<boolean>(pairs.length);
    for (let k = 0; k < folds; k++) {
      const m = fit(pairs.map((_p, i) => keep[i]! && idx.indexOf(i) % folds !== k));
      idx.forEach((i, n) => { if (n % folds === k) out[i] = score(m, i); });
    }
    return out;
  };
  const cv = crossValidate(isLabelled);
  line(`same features, ${folds}-fold cross-validation`, 'all', isLabelled, (i) => cv[i]!);
  // What ships (same-topic.ts): weights fitted on all labelled pairs; the held-out set is unseen.
  line('same-topic.ts (shipped, fitted on all)', 'all', isLabelled, (i) => sameTopic(pairs[i]!.a, pairs[i]!.b, cos[i]!).same);
  line('same-topic.ts (shipped, fitted on all)', 'holdout', isHoldout, (i) => sameTopic(pairs[i]!.a, pairs[i]!.b, cos[i]!).same);
  if (process.argv.includes('--fit-merge')) {
    const m = fit(isLabelled);
    console.log(`weights fitted on all labelled pairs: bias ${m.bias.toFixed(3)}, ${FEATURES.map((k, j) => `${k}: ${m.weights[j]!.toFixed(3)}`).join(', ')}`);
  }
  // Dev half only: the test half's and the held-out set's errors are not for designing features.
  if (process.argv.includes('--show-merge-errors'))
    pairs.forEach((p, i) => { if (!dev[i]) return; const d = sameTopic(p.a, p.b, cos[i]!); if (d.same !== p.same) console.log(`  ${p.same ? 'missed' : 'wrong merge'}: "${p.a}" / "${p.b}" (${d.reason})`); });
}

const CATEGORY: Record<number, string> = { 1: 'multi-hop', 2: 'temporal', 3: 'open-domain', 4: 'single-hop' };

/** Conversation memory recall on LoCoMo, per stage combination (fresh services each, the same store kind). */
async function locomoBench(makeServices: (neighbours: number) => Promise<MemoryServices>, file: string, conversations: number): Promise<void> {
  if (!fs.existsSync(file)) {
    console.log(`LoCoMo: skipped (${file} not found; pass --locomo PATH)`);
    return;
  }
  const data = JSON.parse(fs.readFileSync(file, 'utf8')) as Sample[];
  const ks = [5, 10, 25];
  // `neighbours` is the engine's own setting (conversation.neighbours): the turns go in as said.
  const methods: { name: string; neighbours: number; hybrid: boolean }[] = [
    { name: 'vector only, single turns', neighbours: 0, hybrid: false },
    { name: 'vector + BM25, single turns', neighbours: 0, hybrid: true },
    { name: 'vector + BM25, neighbours (default)', neighbours: 1, hybrid: true },
  ];
  const rows: { name: string; recall: Map<string, Map<number, number>>; n: Map<string, number>; p50: number; perMin: number }[] = [];
  for (const m of methods) {
    const s = await makeServices(m.neighbours);
    const recall = new Map<string, Map<number, number>>();
    const n = new Map<string, number>();
    const queryMs: number[] = [];
    let turns = 0;
    let indexMs = 0;
    for (const sample of data.slice(0, conversations)) {
      const tenant = `locomo-${sample.sample_id}`;
      const where = new Map<string, string>();
      const i0 = performance.now();
      for (const [key, value] of Object.entries(sample.conversation)) {
        if (!/^session_\d+$/.test(key) || !Array.isArray(value)) continue;
        const session = value as Turn[];
        // Both speakers are people, so every turn is a user message, with its speaker.
        await s.conversations.index({ tenant, sessionId: key, messages: session.map((t, i) => ({ role: 'user', content: `${t.speaker}: ${t.text}`, index: i })) });
        session.forEach((t, i) => where.set(t.dia_id, `${key}#${i}`));
        turns += session.length;
      }
      indexMs += performance.now() - i0;
      for (const qa of sample.qa) {
        const evidence = (qa.evidence ?? []).map((d) => where.get(d)).filter((x): x is string => !!x);
        if (qa.category === 5 || !evidence.length) continue;
        const q0 = performance.now();
        const { hits } = await s.conversations.search({ tenant, query: qa.question, limit: 25, minSimilarity: -1, hybrid: m.hybrid });
        queryMs.push(performance.now() - q0);
        const ranked = hits.map((h) => `${h.sessionId}#${h.messageIndex}`);
        for (const cat of [CATEGORY[qa.category]!, 'all']) {
          n.set(cat, (n.get(cat) ?? 0) + 1);
          const r = recall.get(cat) ?? new Map<number, number>();
          for (const k of ks) r.set(k, (r.get(k) ?? 0) + evidence.filter((e) => ranked.slice(0, k).includes(e)).length / evidence.length);
          recall.set(cat, r);
        }
      }
    }
    queryMs.sort((a, b) => a - b);
    rows.push({ name: m.name, recall, n, p50: percentile(queryMs, 50), perMin: (turns / indexMs) * 60_000 });
    await s.close();
  }
  console.log(`\nLoCoMo conversation memory (${conversations} of ${data.length} conversations, categories 1-4), turn recall %:`);
  for (const cat of ['all', ...Object.values(CATEGORY)]) {
    console.log(`\n${cat} (${rows[0]?.n.get(cat) ?? 0} questions)`);
    console.log('method                               |  R@5 | R@10 | R@25 | query p50 | ingest items/min');
    for (const r of rows) {
      const q = r.n.get(cat) ?? 0;
      console.log(`${r.name.padEnd(36)} | ${ks.map((k) => (q ? ((100 * r.recall.get(cat)!.get(k)!) / q).toFixed(1) : '-').padStart(4)).join(' | ')} | ${r.p50.toFixed(1).padStart(6)} ms | ${Math.round(r.perMin).toLocaleString('en').padStart(8)}`);
    }
    if (cat === 'all') console.log(`${'DRAGON (LoCoMo paper)'.padEnd(36)} | 56.7 | 66.2 | 76.7 |           |`);
  }
}

async function main(): Promise<void> {
  const entries = flag('entries', 10_000);
  const queries = flag('queries', 200);
  const saves = flag('saves', 100);
  const conversations = flag('conversations', 2);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'par-bench-memory-'));
  const embedder = await createDefaultEmbedder();
  const vectorStore = process.env.QDRANT_URL ? await createDefaultVectorStore() : new EmbeddedVectorStore(path.join(dir, 'vectors.sqlite'));
  console.log(`memory benchmark: embedder ${embedder.model}, vector store ${vectorStore.kind}, ${os.cpus().length} CPUs, load ${os.loadavg()[0].toFixed(1)}`);
  const s = await createMemoryServices({ embedder, vectorStore, dbFile: path.join(dir, 'memory.sqlite') });
  let fresh = 0;
  const makeServices = async (neighbours: number) => {
    const n = fresh++;
    const store = process.env.QDRANT_URL ? await createDefaultVectorStore() : new EmbeddedVectorStore(path.join(dir, `locomo-vectors-${n}.sqlite`));
    return createMemoryServices({ embedder: await createDefaultEmbedder(), vectorStore: store, dbFile: path.join(dir, `locomo-memory-${n}.sqlite`), config: { conversation: { neighbours } } });
  };
  try {
    if (!process.argv.includes('--skip-merge')) await mergeBench(embedder);
    if (entries > 0) await vaultBench(s, entries, queries, saves);
    if (!process.argv.includes('--skip-locomo')) await locomoBench(makeServices, stringFlag('locomo', locomoFile()), conversations);
    console.log(`\nload average at the end: ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  } finally {
    await s.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
