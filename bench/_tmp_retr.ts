// One-off: LoCoMo conv1 through ConversationMemory (neighbours 1) with e5-small-v2 int8 from Maven Central's langchain4j jar.
import fs from 'node:fs'; import os from 'node:os'; import path from 'node:path';
import { LocalOnnxEmbedder } from '../activities/embeddings/local-onnx';
import type { Embedder } from '../activities/embeddings/port';
import { createMemoryServices } from '../activities/memory/services';
import { EmbeddedVectorStore } from '../activities/vectors';
async function main() {
  const which = process.argv[2]!;
  const spec = which === 'e5' ? { id: 'e5', name: 'local:e5', dimension: 384, maxTokens: 512, pooling: 'mean' as const } : { id: 'bge', name: 'local:bge', dimension: 384, maxTokens: 512, pooling: 'cls' as const };
  const raw = await LocalOnnxEmbedder.create(spec, which === 'e5' ? { model: '/tmp/e5/e5-small-v2-q.onnx', tokenizer: '/tmp/e5/e5-small-v2-q-tokenizer.json' } : { model: '/tmp/bge/bge-small-en-v1.5-q.onnx', tokenizer: '/tmp/bge/bge-small-en-v1.5-q-tokenizer.json' });
  const qp = which === 'e5' ? 'query: ' : which === 'bge-instr' ? 'Represent this sentence for searching relevant passages: ' : '';
  const dp = which === 'e5' ? 'passage: ' : '';
  const e: Embedder = { model: 'x', dimension: 384, embed: (t) => raw.embed(t.map((x) => (x.startsWith('Q::') ? qp + x.slice(3) : dp + x))) };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'e5-'));
  const s = await createMemoryServices({ embedder: e, vectorStore: new EmbeddedVectorStore(path.join(dir, 'v.sqlite')), dbFile: path.join(dir, 'm.sqlite') });
  let N = 0, R = 0;
  for (const d of JSON.parse(fs.readFileSync('/work/shared/data/locomo/locomo10.json', 'utf8'))) {
  const where = new Map<string, string>();
  for (const [k, v] of Object.entries(d.conversation)) {
    if (!/^session_\d+$/.test(k) || !Array.isArray(v)) continue;
    await s.conversations.index({ tenant: d.sample_id, sessionId: k, messages: (v as any[]).map((t) => ({ role: 'user' as const, content: `${t.speaker}: ${t.text}${t.blip_caption ? ` [shares a photo: ${t.blip_caption}]` : ''}` })) });
    (v as any[]).forEach((t, i) => where.set(`${k}#${i}`, t.dia_id));
  }
  let n = 0, r10 = 0;
  for (const qa of d.qa) {
    const ev = (qa.evidence ?? []).filter((x: string) => [...where.values()].includes(x)); if (!ev.length) continue;
    const { hits } = await s.conversations.search({ tenant: d.sample_id, query: `Q::${qa.question}`, limit: 10, minSimilarity: -1 });
    const top = new Set(hits.map((h) => where.get(`${h.sessionId}#${h.messageIndex}`)));
    n++; r10 += ev.filter((x: string) => top.has(x)).length / ev.length;
  }
  console.log(`${process.argv.slice(2).join(' ')} ${d.sample_id} R@10 ${(100 * r10 / n).toFixed(1)} over ${n} questions`); N += n; R += r10; }
  console.log(`${which} ALL R@10 ${(100 * R / N).toFixed(1)} over ${N}`);
  await s.close(); await raw.close(); fs.rmSync(dir, { recursive: true, force: true });
}
main();
