/**
 * Smart history search, offline method, against human rewrites (test/data/history-followups.json:
 * follow-ups from conversations in many domains, with topic switches and already-specific
 * messages). For the raw message, the method before this one (every message gets the recent
 * history's top terms) and the current method (activities/vaults/history-search.ts):
 *  - similarity: cosine between the searched text and the human rewrite (local embedder);
 *  - hit@1 / hit@5: every human rewrite is an item of one vault; a search (the product's hybrid
 *    search) hits when the follow-up's own rewrite is first / in its top 5.
 * Split by "needed context" and "already specific".
 *
 *   node bin/run-ts.js bench/history-search.ts
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ModelMessage } from '../activities/contracts';
import { createDefaultEmbedder } from '../activities/embeddings';
import { offlineSearchQuery } from '../activities/vaults/history-search';
import { VaultService } from '../activities/vaults/service';
import { embeddedVaultService } from './lib/embedded-vault';

interface FollowUp {
  history: ModelMessage[];
  message: string;
  rewrite: string;
  needsContext: boolean;
}

// The method before this one, kept here for comparison: the last 6 messages' terms by recency,
// appended to every message that has history.
const OLD_STOP = new Set(
  'a about after all am an and any are as at be because been but by can could did do does for from had has have how i if in into is it its just me more my no not now of on or our so some than that the their them then there these they this those to too up very was we were what when where which who why will with would you your yes ok okay thanks please also get like one way thing know think want need make sure really still use tell say see good great right going done fix help'.split(' '),
);
function oldMethod(message: string, history: ModelMessage[]): string {
  const recent = history.filter((m) => (m.role === 'user' || m.role === 'assistant') && m.content).slice(-6);
  if (recent.length === 0) return message;
  const own = new Set((message.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).filter((w) => w.length > 2 && !OLD_STOP.has(w)));
  const weights = new Map<string, { raw: string; w: number }>();
  recent.forEach((m, i) => {
    const age = recent.length - 1 - i;
    for (const raw of m.content.match(/[\p{L}\p{N}][\p{L}\p{N}_\-.']*[\p{L}\p{N}]|[\p{L}\p{N}]/gu) ?? []) {
      const w = raw.toLowerCase();
      if (w.length <= 2 || OLD_STOP.has(w) || own.has(w)) continue;
      const e = weights.get(w) ?? { raw, w: 0 };
      e.w += 0.6 ** age * (/\d|[A-Z]/.test(raw.slice(1)) || /^[A-Z]/.test(raw) ? 1.5 : 1);
      weights.set(w, e);
    }
  });
  const extra = Math.max(2, 8 - own.size);
  const terms = [...weights.values()].sort((a, b) => b.w - a.w).slice(0, extra).map((e) => e.raw);
  return terms.length ? `${message} ${terms.join(' ')}` : message;
}

const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i]!, 0);

async function main(): Promise<void> {
  const { followUps } = JSON.parse(fs.readFileSync(path.join(__dirname, '../test/data/history-followups.json'), 'utf8')) as { followUps: FollowUp[] };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'par-history-bench-'));
  const embedder = await createDefaultEmbedder();
  const svc = await embeddedVaultService(dir, { embedder });
  console.log(`smart history search, ${followUps.length} follow-ups (${followUps.filter((f) => f.needsContext).length} need context), embedder ${embedder.model}, load ${os.loadavg()[0]!.toFixed(1)}`);
  const rewrites = [...new Set(followUps.map((f) => f.rewrite))];
  const items = await svc.putItems('rewrites', rewrites.map((text, i) => ({ id: `r${i}`, text, metadata: {} })));
  const idOf = new Map(items.map((it) => [it.text, it.id]));
  const methods: [string, (f: FollowUp) => string][] = [
    ['raw message', (f) => f.message],
    ['before (terms appended to every message)', (f) => oldMethod(f.message, f.history)],
    ['offline method (default)', (f) => offlineSearchQuery(f.message, f.history)],
  ];
  const groups: [string, (f: FollowUp) => boolean][] = [
    ['needed context', (f) => f.needsContext],
    ['already specific', (f) => !f.needsContext],
  ];
  console.log('method                                    | group            |   n | similarity to human | hit@1 | hit@5 | unchanged');
  for (const [name, rewrite] of methods) {
    for (const [group, inGroup] of groups) {
      const set = followUps.filter(inGroup);
      let sim = 0;
      let hits = 0;
      let top1 = 0;
      let unchanged = 0;
      for (const f of set) {
        const q = rewrite(f);
        if (q === f.message.trim() || q === f.message) unchanged++;
        const [a, b] = await embedder.embed([q, f.rewrite]);
        sim += dot(a!, b!);
        const found = await svc.getSimilar('rewrites', q, { n: 5 });
        if (found.some((h) => h.id === idOf.get(f.rewrite))) hits++;
        if (found[0]?.id === idOf.get(f.rewrite)) top1++;
      }
      console.log(`${name.padEnd(41)} | ${group.padEnd(16)} | ${String(set.length).padStart(3)} | ${(sim / set.length).toFixed(3).padStart(19)} | ${((100 * top1) / set.length).toFixed(1).padStart(5)} | ${((100 * hits) / set.length).toFixed(1).padStart(5)} | ${String(unchanged).padStart(9)}`);
    }
  }
  // A few examples, for reading.
  console.log('\nexamples (message -> offline rewrite | human):');
  for (const f of followUps.filter((_, i) => i % 23 === 0)) console.log(`  ${f.message} -> ${offlineSearchQuery(f.message, f.history)} | ${f.rewrite}`);
  await svc.close();
  fs.rmSync(dir, { recursive: true, force: true });
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
