// The rerank stage (activities/rerank): pair tokenization, configuration, the local cross-encoder
// adapter and the stage in vault, conversation and Memory Vault search. No trained cross-encoder
// is installable here, so these run a model with a cross-encoder's inputs and output whose score
// is word overlap (fixtures/rerank/make-overlap-cross-encoder.py): its scores can be worked out by
// hand, and they are wrong if the pairs' token types, the padding or the batching are. The last
// test runs a real ms-marco cross-encoder when PAR_TEST_RERANK_MODEL names one.
import fs from 'node:fs';
import path from 'node:path';
import { findLocalModelFiles, LOCAL_MODELS } from '../../activities/embeddings';
import { WordPieceTokenizer } from '../../activities/embeddings/wordpiece';
import { createMemoryServices, type MemoryServices } from '../../activities/memory/services';
import { LocalCrossEncoder, RerankerConfigError, rerankerConfig, RerankStage, sharedRerankStage } from '../../activities/rerank';
import { EmbeddedVectorStore } from '../../activities/vectors/embedded-store';
import { localEmbedder, serviceIn, tempDir } from './service-fixture';

const tokenizerFile = findLocalModelFiles(LOCAL_MODELS['e5-small-v2']).tokenizer;
const tokenizer = WordPieceTokenizer.fromTokenizerJson(tokenizerFile);

/** A cross-encoder folder as Hugging Face publishes one: model.onnx beside tokenizer.json. */
function overlapModelDir(): string {
  const dir = tempDir('par-rerank-');
  fs.copyFileSync(path.join(__dirname, '..', 'fixtures', 'rerank', 'overlap-cross-encoder.onnx'), path.join(dir, 'model.onnx'));
  fs.copyFileSync(tokenizerFile, path.join(dir, 'tokenizer.json'));
  return dir;
}

/** What the overlap model scores: passage tokens found in the query, less 0.01 per passage token. */
function overlap(query: string, passage: string): number {
  const q = new Set(tokenizer.encode(query, 512).ids.slice(1, -1));
  const p = tokenizer.encode(passage, 512).ids.slice(1, -1);
  return p.filter((id) => q.has(id)).length - 0.01 * p.length;
}

const modelDir = overlapModelDir();
let encoder: LocalCrossEncoder;
beforeAll(async () => {
  encoder = await LocalCrossEncoder.create({ ...rerankerConfig({ PAR_RERANK_MODEL: modelDir })!, name: 'overlap' }, { PAR_EMBEDDING_SESSIONS: '2' });
});
afterAll(() => encoder?.close());

test('a pair is [CLS] a [SEP] b [SEP] with token types 0 then 1, and too long a pair loses the end of its longer text', () => {
  const { ids, typeIds } = tokenizer.encodePair('red cat', 'green dog', 512);
  const cls = tokenizer.clsId;
  const sep = tokenizer.sepId;
  expect(ids).toEqual([cls, ...tokenizer.encode('red cat', 512).ids.slice(1, -1), sep, ...tokenizer.encode('green dog', 512).ids.slice(1, -1), sep]);
  expect(typeIds).toEqual([0, 0, 0, 0, 1, 1, 1]);
  const long = Array.from({ length: 40 }, (_, i) => `word${i}`).join(' ');
  const cut = tokenizer.encodePair('red cat', long, 16);
  expect(cut.ids).toHaveLength(16);
  // The short query stays whole; the passage gives up its end.
  expect(cut.ids.slice(0, 4)).toEqual([cls, ...tokenizer.encode('red cat', 512).ids.slice(1, -1), sep]);
  expect(cut.ids.at(-1)).toBe(sep);
  expect(cut.typeIds.filter((t) => t === 1)).toHaveLength(12);
});

test('the local cross-encoder scores each pair, alone or padded among fifty spread over two threads', async () => {
  const query = 'red cat green dog';
  const passages = ['green dog', 'blue sky', 'a red cat and a green dog', 'cat'];
  const scores = await encoder.score(query, passages);
  passages.forEach((p, i) => expect(scores[i]).toBeCloseTo(overlap(query, p), 4));
  expect(scores[2]).toBeCloseTo(4 - 0.07, 4);
  expect(scores[1]).toBeCloseTo(-0.02, 4);

  const many = Array.from({ length: 50 }, (_, i) => `${'green dog '.repeat(i % 7)}blue sky number ${i}`);
  const before = encoder.stats.calls;
  const batch = await encoder.score(query, many);
  many.forEach((p, i) => expect(batch[i]).toBeCloseTo(overlap(query, p), 4));
  // Both idle threads took a share of the fifty.
  expect(encoder.stats.calls - before).toBeGreaterThanOrEqual(2);
  expect(await encoder.score(query, [])).toEqual([]);
});

test('PAR_RERANK_MODEL and PAR_RERANK_CANDIDATES are checked by name', async () => {
  expect(rerankerConfig({})).toBeUndefined();
  await expect(sharedRerankStage({})).resolves.toBeUndefined();
  const config = rerankerConfig({ PAR_RERANK_MODEL: modelDir })!;
  expect(config).toMatchObject({ model: path.join(modelDir, 'model.onnx'), tokenizer: path.join(modelDir, 'tokenizer.json'), candidates: 20, name: path.basename(modelDir) });
  // The .onnx file itself, with tokenizer.json beside it.
  expect(rerankerConfig({ PAR_RERANK_MODEL: path.join(modelDir, 'model.onnx'), PAR_RERANK_CANDIDATES: '5' })).toMatchObject({ candidates: 5, name: path.basename(modelDir) });
  expect(() => rerankerConfig({ PAR_RERANK_MODEL: path.join(modelDir, 'nowhere') })).toThrow(`PAR_RERANK_MODEL=${path.join(modelDir, 'nowhere')} does not exist`);
  const empty = tempDir('par-rerank-empty-');
  expect(() => rerankerConfig({ PAR_RERANK_MODEL: empty })).toThrow(new RerankerConfigError(`PAR_RERANK_MODEL=${empty} has no model.onnx (nor onnx/model.onnx)`));
  fs.mkdirSync(path.join(empty, 'onnx'));
  fs.copyFileSync(path.join(modelDir, 'model.onnx'), path.join(empty, 'onnx', 'model.onnx'));
  expect(() => rerankerConfig({ PAR_RERANK_MODEL: empty })).toThrow(`PAR_RERANK_MODEL=${empty} has no tokenizer.json beside the model`);
  for (const bad of ['0', '201', 'many', '2.5']) {
    expect(() => rerankerConfig({ PAR_RERANK_MODEL: modelDir, PAR_RERANK_CANDIDATES: bad })).toThrow(`PAR_RERANK_CANDIDATES must be an integer from 1 to 200, got ${bad}`);
  }
  // A file that is not a model fails at load, naming it.
  const notModel = tempDir('par-rerank-bad-');
  fs.writeFileSync(path.join(notModel, 'model.onnx'), 'not a model');
  fs.copyFileSync(tokenizerFile, path.join(notModel, 'tokenizer.json'));
  await expect(sharedRerankStage({ PAR_RERANK_MODEL: notModel, PAR_EMBEDDING_SESSIONS: '1' })).rejects.toThrow(`could not load the local reranking model ${path.join(notModel, 'model.onnx')}`);
});

const ITEMS = [
  'The cat sleeps on the red sofa all afternoon.',
  'Our dog barks at the postman every morning.',
  'A red cat and a green dog share one bowl.',
  'Green paint covers the old garden fence.',
  'The vet checked the cat and the dog on Tuesday.',
  'Red wine stains are hard to remove from carpets.',
  'The dog park opens at seven.',
  'Cats and dogs can live together peacefully.',
];

test('vault search: the stage reorders the store\'s best candidates, fetches enough for a small n, and can be skipped', async () => {
  const stage = new RerankStage(encoder, 6);
  const svc = await serviceIn(tempDir('par-rerank-vault-'), { rerank: stage });
  await svc.putItems('pets', ITEMS.map((text, i) => ({ id: `i${i}`, text, metadata: {} })));
  const query = 'red cat green dog';

  const plain = await svc.getSimilar('pets', query, { n: 8, rerank: false });
  expect(plain.every((h) => h.rerankScore === undefined)).toBe(true);
  const head = plain.slice(0, 6);
  const expected = [...head].sort((a, b) => overlap(query, b.text) - overlap(query, a.text)).map((h) => h.id);
  // The fixture is chosen so the stage changes the order; otherwise this test would prove nothing.
  expect(expected).not.toEqual(head.map((h) => h.id));

  const reranked = await svc.getSimilar('pets', query, { n: 8 });
  expect(reranked.map((h) => h.id)).toEqual([...expected, ...plain.slice(6).map((h) => h.id)]);
  reranked.slice(0, 6).forEach((h) => expect(h.rerankScore).toBeCloseTo(overlap(query, h.text), 4));
  expect(reranked.slice(6).every((h) => h.rerankScore === undefined)).toBe(true);
  // Cosine scores stay as they were.
  expect(reranked.find((h) => h.id === 'i2')!.score).toBeCloseTo(plain.find((h) => h.id === 'i2')!.score, 6);

  // n = 1 still reranks the best six: the winner may come from below the store's first place.
  expect((await svc.getSimilar('pets', query, { n: 1 })).map((h) => h.id)).toEqual([expected[0]]);
  const many = await svc.getSimilarFromVaults(query, ['pets'], { n: 2 });
  expect(many.items.map((h) => h.id)).toEqual(expected.slice(0, 2));
  // With minimums, the minimums pick the items and the stage orders them.
  const quota = await svc.getSimilarFromVaults(query, { pets: 3 }, { n: 3 });
  expect(quota.items.map((h) => h.rerankScore)).toEqual([...quota.items.map((h) => h.rerankScore)].sort((a, b) => b! - a!));
});

describe('memory search', () => {
  let memory: MemoryServices;
  beforeAll(async () => {
    const dir = tempDir('par-rerank-memory-');
    memory = await createMemoryServices({ dbFile: path.join(dir, 'memory.sqlite'), embedder: await localEmbedder(), vectorStore: new EmbeddedVectorStore(path.join(dir, 'vectors.sqlite')), rerank: new RerankStage(encoder, 20) });
  });
  afterAll(() => memory?.close());
  const query = 'red cat green dog';

  test('conversation memory returns the messages in the cross-encoder\'s order', async () => {
    await memory.conversations.index({ tenant: 't', sessionId: 's1', messages: ITEMS.map((content, i) => ({ role: i % 2 ? 'assistant' : 'user', content })) });
    const { hits } = await memory.conversations.search({ tenant: 't', query, limit: 4, minSimilarity: -1 });
    expect(hits).toHaveLength(4);
    const scores = hits.map((h) => h.rerankScore!);
    hits.forEach((h) => expect(h.rerankScore).toBeCloseTo(overlap(query, h.text), 4));
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    const best = Math.max(...ITEMS.map((t) => overlap(query, t)));
    expect(scores[0]).toBeCloseTo(best, 4);
    const plain = await memory.conversations.search({ tenant: 't', query, limit: 4, minSimilarity: -1, rerank: false });
    expect(plain.hits.every((h) => h.rerankScore === undefined)).toBe(true);
  });

  test('Memory Vault search returns the entries in the cross-encoder\'s order', async () => {
    for (const content of ITEMS) await memory.vault.save({ tenant: 't', content, scope: 'pets' });
    const { entries } = await memory.vault.search({ tenant: 't', query, limit: 3, minSimilarity: -1 });
    expect(entries).toHaveLength(3);
    entries.forEach((e) => expect(e.rerankScore).toBeCloseTo(overlap(query, e.content), 4));
    expect(entries[0]!.rerankScore).toBeCloseTo(Math.max(...entries.map((e) => e.rerankScore!)), 6);
    expect(entries.map((e) => e.rerankScore)).toEqual([...entries.map((e) => e.rerankScore)].sort((a, b) => b! - a!));
  });
});

// A real cross-encoder (e.g. cross-encoder/ms-marco-MiniLM-L-6-v2 with onnx/model.onnx and
// tokenizer.json), which only an outside download provides.
const real = process.env.PAR_TEST_RERANK_MODEL;
if (!real) console.warn('rerank.test.ts: skipped the real cross-encoder test: set PAR_TEST_RERANK_MODEL to a cross-encoder folder (model.onnx or onnx/model.onnx, tokenizer.json)');
(real ? test : test.skip)('a real ms-marco cross-encoder ranks the passage that answers above the ones that only share words', async () => {
  const stage = await sharedRerankStage({ PAR_RERANK_MODEL: real });
  const scores = await stage!.reranker.score('How many people live in Berlin?', [
    'Berlin is well known for its museums and its people.',
    'Berlin has a population of about 3.7 million registered inhabitants.',
    'Paris is the capital of France.',
  ]);
  expect(scores[1]).toBeGreaterThan(scores[0]!);
  expect(scores[0]).toBeGreaterThan(scores[2]!);
});
