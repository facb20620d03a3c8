/**
 * LoCoMo dialog-turn retrieval through the real VaultService (local embedder, embedded store):
 * every turn of a conversation is an item of that conversation's vault, each question is searched
 * in its vault, and recall@k is the share of its evidence turns in the top k, averaged over the
 * questions. One row per stage combination, one table per LoCoMo category, with the LoCoMo
 * paper's DRAGON retriever for comparison (R@5 56.7, R@10 66.2, R@25 76.7).
 *
 * The `memory*` methods go through the product's conversation memory engine (ConversationMemory:
 * index the sessions' turns, search with the question), as an agent's `search_memory` does;
 * `memory` is its default (each turn embedded with its neighbours, conversation-indexing.ts).
 * The other methods store each turn as a vault item (the vault service).
 *
 * The data set is read in place (CC BY-NC 4.0, evaluation only; never copied into the repo):
 *   node bin/run-ts.js bench/locomo-retrieval.ts [--data ../shared/data/locomo/locomo10.json]
 *        [--conversations 2] [--questions-per-conversation N] [--methods vector,hybrid,...]
 *
 * With PAR_RERANK_MODEL set to a cross-encoder's folder, the methods `hybrid-rerank` and
 * `memory-rerank` (the rerank stage over the best 20, PAR_RERANK_CANDIDATES) run too.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createDefaultEmbedder } from '../activities/embeddings';
import { EmbeddedVectorStore } from '../activities/vectors/embedded-store';
import { createMemoryServices } from '../activities/memory/services';
import { sharedRerankStage, type RerankStage } from '../activities/rerank';
import { VaultService } from '../activities/vaults/service';
import { locomoFile } from './lib/locomo-file';
import { stringFlag } from './lib/stats';
import { flag } from './vault-bench-data';
import { embeddedVaultService } from './lib/embedded-vault';

interface Turn {
  speaker: string;
  dia_id: string;
  text: string;
  blip_caption?: string;
}
interface Qa {
  question: string;
  evidence?: string[];
  category: number;
}
interface Sample {
  sample_id: string;
  qa: Qa[];
  conversation: Record<string, unknown>;
}

// Category numbers as released with the data set.
const CATEGORY: Record<number, string> = { 1: 'multi-hop', 2: 'temporal', 3: 'open-domain', 4: 'single-hop', 5: 'adversarial' };
const KS = [5, 10, 25] as const;
const DRAGON = { 5: 56.7, 10: 66.2, 25: 76.7 };

interface Method {
  name: string;
  /** Ranking: vector only, or the product default (vector fused with BM25). */
  hybrid: boolean;
  /** Turns indexed with their neighbours: how many turns before and after go into an item's text. */
  window: number;
  /** Through the conversation memory engine (its `neighbours` setting is `window`), not vault items. */
  memory?: boolean;
  /** The cross-encoder that PAR_RERANK_MODEL names rescores the best candidates (activities/rerank). */
  rerank?: boolean;
}

const METHODS: Record<string, Method> = {
  vector: { name: 'vault: vector only', hybrid: false, window: 0 },
  hybrid: { name: 'vault: vector + BM25 (RRF)', hybrid: true, window: 0 },
  'vector-window': { name: 'vault: vector, turns with neighbours', hybrid: false, window: 1 },
  'hybrid-window': { name: 'vault: vector + BM25, with neighbours', hybrid: true, window: 1 },
  'memory-turn': { name: 'memory: vector + BM25, single turns', hybrid: true, window: 0, memory: true },
  memory: { name: 'memory: default (turns alone + with neighbours)', hybrid: true, window: 1, memory: true },
  'hybrid-rerank': { name: 'vault: vector + BM25, cross-encoder', hybrid: true, window: 0, rerank: true },
  'memory-rerank': { name: 'memory: default, cross-encoder', hybrid: true, window: 1, memory: true, rerank: true },
};

/** The rerank stage a method uses: the configured cross-encoder, or none. */
async function rerankOf(method: Method): Promise<RerankStage | undefined> {
  if (!method.rerank) return undefined;
  const stage = await sharedRerankStage();
  if (!stage) throw new Error(`the method "${method.name}" needs a cross-encoder: set PAR_RERANK_MODEL to its folder (model.onnx, tokenizer.json)`);
  return stage;
}

/** One way of storing a conversation's turns and ranking them for a question. */
interface Retriever {
  ingest(conversation: string, turns: LocomoTurn[]): Promise<void>;
  search(conversation: string, question: string, n: number): Promise<string[]>;
  close(): Promise<void>;
}

async function vaultRetriever(method: Method, dir: string, mi: number): Promise<Retriever> {
  const svc = await embeddedVaultService(dir, { embedder: await createDefaultEmbedder(), name: String(mi), rerank: await rerankOf(method) });
  const vaultOf = (c: string) => `locomo-${c}`.replace(/[^A-Za-z0-9._-]/g, '_');
  return {
    async ingest(conversation, turns) {
      for (let b = 0; b < turns.length; b += 64) {
        await svc.putItems(
          vaultOf(conversation),
          turns.slice(b, b + 64).map((t, k) => ({ id: t.id, text: withNeighbours(turns, b + k, method.window), metadata: { session: t.session } })),
        );
      }
    },
    search: async (conversation, question, n) => (await svc.getSimilar(vaultOf(conversation), question, { n, hybrid: method.hybrid })).map((h) => h.id),
    close: () => svc.close(),
  };
}

/** The product path: each session's turns indexed by the conversation memory engine, as they were said. */
async function memoryRetriever(method: Method, dir: string, mi: number): Promise<Retriever> {
  const s = await createMemoryServices({
    embedder: await createDefaultEmbedder(),
    vectorStore: new EmbeddedVectorStore(path.join(dir, `vectors-${mi}.sqlite`)),
    dbFile: path.join(dir, `memory-${mi}.sqlite`),
    config: { conversation: { neighbours: method.window } },
    rerank: await rerankOf(method).then((stage) => () => stage),
  });
  const turnAt = new Map<string, string>();
  return {
    async ingest(conversation, turns) {
      const sessions = new Map<string, LocomoTurn[]>();
      for (const t of turns) sessions.set(t.session, [...(sessions.get(t.session) ?? []), t]);
      for (const [session, ts] of sessions) {
        // Both speakers are people, so every turn is a user message (with its speaker's name).
        await s.conversations.index({ tenant: conversation, sessionId: session, messages: ts.map((t) => ({ role: 'user', content: t.text })) });
        ts.forEach((t, i) => turnAt.set(`${conversation}\u0000${session}#${i}`, t.id));
      }
    },
    async search(conversation, question, n) {
      const { hits } = await s.conversations.search({ tenant: conversation, query: question, limit: n, minSimilarity: -1, hybrid: method.hybrid });
      return hits.map((h) => turnAt.get(`${conversation}\u0000${h.sessionId}#${h.messageIndex}`) ?? '?');
    },
    close: () => s.close(),
  };
}


interface LocomoTurn {
  id: string;
  text: string;
  session: string;
}

function turnsOf(sample: Sample): LocomoTurn[] {
  const out: LocomoTurn[] = [];
  for (const [key, value] of Object.entries(sample.conversation)) {
    if (!/^session_\d+$/.test(key) || !Array.isArray(value)) continue;
    for (const t of value as Turn[]) {
      const photo = t.blip_caption ? ` [shares a photo: ${t.blip_caption}]` : '';
      out.push({ id: t.dia_id, text: `${t.speaker}: ${t.text}${photo}`, session: key });
    }
  }
  return out;
}

/** A turn's text with up to `window` turns of the same session on each side. */
function withNeighbours(turns: LocomoTurn[], i: number, window: number): string {
  if (window === 0) return turns[i]!.text;
  const parts: string[] = [];
  for (let j = i - window; j <= i + window; j++) if (turns[j] && turns[j]!.session === turns[i]!.session) parts.push(turns[j]!.text);
  return parts.join('\n');
}

type Tally = Record<string, { n: number; sum: Record<number, number> }>;

function add(t: Tally, cat: string, evidence: string[], ranked: string[]): void {
  for (const c of [cat, 'all']) {
    t[c] ??= { n: 0, sum: { 5: 0, 10: 0, 25: 0 } };
    t[c]!.n++;
    for (const k of KS) {
      const top = new Set(ranked.slice(0, k));
      t[c]!.sum[k]! += evidence.filter((e) => top.has(e)).length / evidence.length;
    }
  }
}

const pct = (v: { n: number; sum: Record<number, number> } | undefined, k: number) => (v ? ((100 * v.sum[k]!) / v.n).toFixed(1) : '-');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function main(): Promise<void> {
  const file = path.resolve(stringFlag('data', locomoFile()));
  if (!fs.existsSync(file)) throw new Error(`LoCoMo data not found at ${file}: pass --data /path/to/locomo10.json`);
  const samples = (JSON.parse(fs.readFileSync(file, 'utf8')) as Sample[]).slice(0, flag('conversations', 2));
  const perConversation = flag('questions-per-conversation', 100_000);
  const methods = stringFlag('methods', `vector,hybrid,hybrid-window,memory-turn,memory${process.env.PAR_RERANK_MODEL ? ',hybrid-rerank,memory-rerank' : ''}`)
    .split(',')
    .map((m) => METHODS[m] ?? (() => { throw new Error(`unknown method ${m}: one of ${Object.keys(METHODS).join(', ')}`); })());
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'par-locomo-'));
  const probe = await createDefaultEmbedder();
  const model = probe.model;
  await probe.close?.();
  const load = os.loadavg()[0]!.toFixed(1);
  console.log(`LoCoMo dialog-turn retrieval, ${samples.length} conversations, embedder ${model}, ${os.cpus().length} CPUs, load ${load}`);

  const rows: { method: Method; tally: Tally; queryMs: number[]; itemsPerMin: number }[] = [];
  for (const [mi, method] of methods.entries()) {
    // A fresh embedder (and its cache) and store per method, so each one's ingest is measured cold.
    const retriever = method.memory ? await memoryRetriever(method, dir, mi) : await vaultRetriever(method, dir, mi);
    const tally: Tally = {};
    const queryMs: number[] = [];
    let items = 0;
    let ingestMs = 0;
    for (const s of samples) {
      const turns = turnsOf(s);
      const t0 = performance.now();
      await retriever.ingest(s.sample_id, turns);
      ingestMs += performance.now() - t0;
      items += turns.length;
      const known = new Set(turns.map((t) => t.id));
      for (const qa of s.qa.slice(0, perConversation)) {
        const evidence = (qa.evidence ?? []).filter((e) => known.has(e));
        if (evidence.length === 0) continue;
        const q0 = performance.now();
        const ranked = await retriever.search(s.sample_id, qa.question, 25);
        queryMs.push(performance.now() - q0);
        add(tally, CATEGORY[qa.category] ?? `category ${qa.category}`, evidence, ranked);
      }
      console.error(`  ${method.name}: ${s.sample_id} done`);
    }
    rows.push({ method, tally, queryMs, itemsPerMin: (items / ingestMs) * 60_000 });
    await retriever.close();
  }

  const cats = ['all', ...Object.values(CATEGORY)];
  for (const cat of cats) {
    const n = rows[0]?.tally[cat]?.n ?? 0;
    console.log(`\n${cat} (${n} questions)`);
    console.log(`${'method'.padEnd(40)} |  R@5 | R@10 | R@25 | query p50 | ingest items/min`);
    for (const r of rows) {
      console.log(
        `${r.method.name.padEnd(40)} | ${KS.map((k) => pct(r.tally[cat], k).padStart(4)).join(' | ')} | ${median(r.queryMs).toFixed(1).padStart(6)} ms | ${Math.round(r.itemsPerMin).toLocaleString('en').padStart(8)}`,
      );
    }
    if (cat === 'all') console.log(`${'DRAGON (LoCoMo paper)'.padEnd(40)} | ${KS.map((k) => DRAGON[k].toFixed(1).padStart(4)).join(' | ')} |           |`);
  }
  console.log(`\nload average at the end: ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  fs.rmSync(dir, { recursive: true, force: true });
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
