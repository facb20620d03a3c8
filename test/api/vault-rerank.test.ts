// The rerank stage through the HTTP API: a server with a cross-encoder (PAR_RERANK_MODEL, here the
// word-overlap model of test/vaults/rerank.test.ts) returns its order and scores, and a request
// with `rerank: false` gets the store's order.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findLocalModelFiles, LOCAL_MODELS } from '../../activities/embeddings';
import { createVaultService, type VaultService } from '../../activities/vaults';
import { startTestApi, type TestApi } from './helpers/api';

let api: TestApi;
let vaults: VaultService;

beforeAll(async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'par-api-rerank-'));
  const model = fs.mkdtempSync(path.join(os.tmpdir(), 'par-api-rerank-model-'));
  fs.copyFileSync(path.join(__dirname, '..', 'fixtures', 'rerank', 'overlap-cross-encoder.onnx'), path.join(model, 'model.onnx'));
  fs.copyFileSync(findLocalModelFiles(LOCAL_MODELS['e5-small-v2']).tokenizer, path.join(model, 'tokenizer.json'));
  vaults = await createVaultService({ env: { ...process.env, PAR_DATA_DIR: dataDir, QDRANT_URL: '', PAR_RERANK_MODEL: model, PAR_RERANK_CANDIDATES: '5' } });
  api = await startTestApi({ services: { vaults }, dataDir });
});
afterAll(async () => {
  await api.close();
  await vaults.close();
});

test('vault and cross-vault search come in the cross-encoder\'s order with rerankScore; rerank: false keeps the store\'s', async () => {
  const { client } = await api.clientWith({ vaults: { pets: 'write' } });
  const texts = ['Cats and dogs can live together peacefully.', 'The dog park opens at seven.', 'A red cat and a green dog share one bowl.', 'Green paint covers the old fence.'];
  for (const text of texts) await client.addItem('pets', text);
  const query = 'red cat green dog';
  const reranked = await client.search('pets', query, { n: 4 });
  expect(reranked.items[0]!.text).toBe(texts[2]);
  const scores = reranked.items.map((i) => i.rerankScore!);
  expect(scores.every((s) => typeof s === 'number')).toBe(true);
  expect(scores).toEqual([...scores].sort((a, b) => b - a));
  // The overlap model's score: four query words in the passage, less 0.01 for each of its 11 tokens.
  expect(scores[0]).toBeCloseTo(4 - 0.11, 4);

  const plain = await client.search('pets', query, { n: 4, rerank: false });
  expect(plain.items.every((i) => i.rerankScore === undefined)).toBe(true);
  expect(new Set(plain.items.map((i) => i.id))).toEqual(new Set(reranked.items.map((i) => i.id)));

  const across = await client.searchVaults(query, ['pets'], { n: 1 });
  expect(across.items.map((i) => i.text)).toEqual([texts[2]]);
  expect(across.items[0]!.rerankScore).toBeCloseTo(scores[0]!, 6);
});
