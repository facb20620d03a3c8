// Memory benchmark: Memory Vault search and save latency with N entries (default 10,000), and
// the recall of the conversation memory engine on LoCoMo (read in place, never copied).
//
//   node bin/run-ts.js bench/memory-search.ts [--entries 10000] [--queries 200] [--saves 100]
//                                             [--conversations 2] [--locomo PATH] [--skip-locomo]
//
// Uses the process defaults: the local all-MiniLM-L6-v2 embedder and the embedded vector store
// (Qdrant when QDRANT_URL is set), in a temporary folder.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createDefaultEmbedder } from '../activities/embeddings';
import { createMemoryServices, type MemoryServices } from '../activities/memory/services';
import { createDefaultVectorStore, EmbeddedVectorStore } from '../activities/vectors';
import { numberFlag as flag, percentile } from './lib/stats';

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? fallback : process.argv[i + 1];
}

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

async function locomoBench(s: MemoryServices, file: string, conversations: number): Promise<void> {
  if (!fs.existsSync(file)) {
    console.log(`LoCoMo: skipped (${file} not found; pass --locomo PATH)`);
    return;
  }
  const data = JSON.parse(fs.readFileSync(file, 'utf8')) as Sample[];
  const ks = [5, 8, 10, 25, 50];
  const hits = new Map(ks.map((k) => [k, 0]));
  let defaultHits = 0;
  let questions = 0;
  let turns = 0;
  const t0 = performance.now();
  let indexMs = 0;
  for (const sample of data.slice(0, conversations)) {
    const tenant = `locomo-${sample.sample_id}`;
    const where = new Map<string, string>();
    const i0 = performance.now();
    for (const [key, value] of Object.entries(sample.conversation)) {
      if (!/^session_\d+$/.test(key) || !Array.isArray(value)) continue;
      const session = value as Turn[];
      // Both LoCoMo speakers are people, so every turn is indexed as a user message, with its speaker.
      await s.conversations.index({ tenant, sessionId: key, messages: session.map((t, i) => ({ role: 'user', content: `${t.speaker}: ${t.text}`, index: i })) });
      session.forEach((t, i) => where.set(t.dia_id, `${key}#${i}`));
      turns += session.length;
    }
    indexMs += performance.now() - i0;
    for (const qa of sample.qa) {
      // Category 5 (adversarial) questions have no answer in the conversation.
      const evidence = (qa.evidence ?? []).map((d) => where.get(d)).filter((x): x is string => !!x);
      if (qa.category === 5 || !evidence.length) continue;
      questions++;
      const { hits: found } = await s.conversations.search({ tenant, query: qa.question, limit: 50, minSimilarity: -1 });
      const ranked = found.map((h) => `${h.sessionId}#${h.messageIndex}`);
      for (const k of ks) hits.set(k, hits.get(k)! + evidence.filter((e) => ranked.slice(0, k).includes(e)).length / evidence.length);
      const { hits: byDefault } = await s.conversations.search({ tenant, query: qa.question });
      const got = byDefault.map((h) => `${h.sessionId}#${h.messageIndex}`);
      defaultHits += evidence.filter((e) => got.includes(e)).length / evidence.length;
    }
  }
  const pct = (x: number) => `${((100 * x) / questions).toFixed(1)}`;
  console.log(`LoCoMo (${conversations} of ${data.length} conversations, ${turns} turns, ${questions} questions with evidence, categories 1-4):`);
  console.log(`  indexed in ${(indexMs / 1000).toFixed(1)} s; total ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  console.log(`  turn recall  ${ks.map((k) => `R@${k} ${pct(hits.get(k)!)}`).join('  ')}  (%)`);
  console.log(`  with the engine defaults (top 8, similarity >= 0.3): recall ${pct(defaultHits)}%`);
  console.log('  LoCoMo paper, DRAGON over dialog turns: R@5 56.7  R@10 66.2  R@25 76.7  R@50 82.7');
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
  try {
    if (entries > 0) await vaultBench(s, entries, queries, saves);
    if (!process.argv.includes('--skip-locomo')) await locomoBench(s, option('locomo', path.resolve(__dirname, '../../shared/data/locomo/locomo10.json')), conversations);
  } finally {
    await s.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
