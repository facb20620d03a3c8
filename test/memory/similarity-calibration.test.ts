import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LOCAL_MODELS, LocalOnnxEmbedder, cosineScale, type CosinePairing } from '../../activities/embeddings';
import { CosineScaleError, ScaledCosine } from '../../activities/embeddings/cosine-scale';
import { DEFAULT_MEMORY_CONFIG } from '../../activities/memory/config';
import { createMemoryServices, type MemoryServices } from '../../activities/memory/services';
import { EmbeddedVectorStore } from '../../activities/vectors';

// Similarity thresholds are written on all-MiniLM-L6-v2's cosine scale; every other local model's
// cosine is mapped onto it (activities/embeddings/cosine-scale.ts, knots in local-models.ts).

const PAIRINGS: CosinePairing[] = ['query', 'document', 'symmetric'];
const grid = Array.from({ length: 401 }, (_v, i) => -1 + i / 200);

describe('cosine scales', () => {
  test.each(Object.keys(LOCAL_MODELS))('%s: every pairing maps -1..1 onto -1..1, strictly increasing, and back', (id) => {
    for (const pairing of PAIRINGS) {
      const scale = cosineScale(LOCAL_MODELS[id]!.name, pairing);
      const mapped = grid.map((c) => scale.toReference(c));
      mapped.slice(1).forEach((y, i) => expect(y).toBeGreaterThan(mapped[i]!));
      expect(scale.toReference(-1)).toBe(-1);
      expect(scale.toReference(1)).toBe(1);
      for (const c of grid) expect(scale.fromReference(scale.toReference(c))).toBeCloseTo(c, 9);
    }
  });

  test('the reference model and models PAR has no map for (OpenAI) keep their cosine as it is', () => {
    for (const model of ['local:all-MiniLM-L6-v2', 'openai:text-embedding-3-small'])
      for (const pairing of PAIRINGS) for (const c of [-0.2, 0.1, 0.3, 0.35, 0.85]) expect(cosineScale(model, pairing).toReference(c)).toBe(c);
  });

  test("under e5-small-v2 the thresholds sit where e5's compressed cosines put them", () => {
    // e5 gives unrelated texts 0.7 and more: a raw 0.35 would let everything through.
    const query = cosineScale('local:e5-small-v2', 'query');
    expect(query.fromReference(DEFAULT_MEMORY_CONFIG.facts.minSimilarity)).toBeGreaterThan(0.78);
    expect(query.fromReference(DEFAULT_MEMORY_CONFIG.conversation.minSimilarity)).toBeGreaterThan(0.77);
    expect(query.toReference(0.72)).toBeLessThan(DEFAULT_MEMORY_CONFIG.vault.minSimilarity);
    expect(cosineScale('local:e5-small-v2', 'document').fromReference(DEFAULT_MEMORY_CONFIG.reasoning.mergeSimilarity)).toBeGreaterThan(0.93);
  });

  test('knots that are not increasing, or not inside (-1, 1), are refused, naming the knot', () => {
    expect(() => new ScaledCosine([[0.5, 0.2], [0.4, 0.3]])).toThrow(CosineScaleError);
    expect(() => new ScaledCosine([[0.5, 0.2], [0.6, 0.2]])).toThrow(/knot 2/);
    expect(() => new ScaledCosine([[1.2, 0.5]])).toThrow(CosineScaleError);
    expect(() => new ScaledCosine([[0.5, Number.NaN]])).toThrow(CosineScaleError);
  });
});

// The same memory behaviour under the default model and under the reference model.
describe.each(['e5-small-v2', 'all-MiniLM-L6-v2'])('memory thresholds with %s', (id) => {
  let s: MemoryServices;
  let dir: string;
  let embedder: LocalOnnxEmbedder;
  const tenant = 'calibration';

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'par-calibration-'));
    embedder = await LocalOnnxEmbedder.create(LOCAL_MODELS[id]);
    s = await createMemoryServices({ embedder, vectorStore: new EmbeddedVectorStore(path.join(dir, 'vectors.sqlite')), dbFile: path.join(dir, 'memory.sqlite') });
  });

  afterAll(async () => {
    await s?.close();
    await embedder?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('a fact about the question is loaded before a run; an unrelated one is not', async () => {
    await s.facts.put({ tenant, namespace: 'profile', key: 'home_city', value: 'Ada lives in Lisbon, Portugal' });
    await s.facts.put({ tenant, namespace: 'hobbies', key: 'telescope', value: 'an 8-inch Dobsonian telescope for stargazing' });
    const found = await s.facts.similar(tenant, 'Which city does Ada live in?', 5, DEFAULT_MEMORY_CONFIG.facts.minSimilarity);
    expect(found.map((f) => f.key)).toEqual(['home_city']);
    expect(found[0]!.similarity).toBeGreaterThanOrEqual(DEFAULT_MEMORY_CONFIG.facts.minSimilarity);
  });

  test('conversation search drops messages about something else', async () => {
    // Two sessions: a message is indexed with its neighbours, so one session would join them.
    await s.conversations.index({ tenant, sessionId: 'travel', messages: [{ role: 'user', content: 'My flight to Tokyo leaves on March 3rd from Heathrow.', index: 0 }] });
    await s.conversations.index({ tenant, sessionId: 'baking', messages: [{ role: 'user', content: 'Can you recommend a sourdough starter recipe with rye flour?', index: 0 }] });
    const { hits } = await s.conversations.search({ tenant, query: 'When does my flight to Japan depart?' });
    expect(hits.map((h) => h.sessionId)).toEqual(['travel']);
  });

  test('the Memory Vault merges a paraphrase and keeps another person apart', async () => {
    const first = await s.vault.save({ tenant, content: 'The user is vegetarian.' });
    await expect(s.vault.planSave({ tenant, content: 'The user is a vegetarian and eats no meat at all.' })).resolves.toMatchObject({ action: 'update', targetId: first.entry.id });
    await s.vault.save({ tenant, content: 'Ben is allergic to shellfish.' });
    await expect(s.vault.planSave({ tenant, content: 'Chloe is allergic to shellfish.' })).resolves.toMatchObject({ action: 'add' });
  });

  test('the ReasoningBank merges a near-duplicate strategy only', async () => {
    const base = { title: 'Retry flaky HTTP calls', description: 'Outbound calls fail now and then', content: 'Wrap outbound HTTP calls in a retry with exponential backoff and jitter.', taskSignature: 'call an external API' };
    const a = await s.reasoning.add(tenant, { ...base, runId: 'r1' });
    const b = await s.reasoning.add(tenant, { ...base, runId: 'r2' });
    expect(b).toEqual({ id: a.id, merged: true });
    const c = await s.reasoning.add(tenant, { title: 'Summarise long documents', description: 'Reports are too long to read whole', content: 'Split the document into sections and summarise each before the whole.', taskSignature: 'summarise a report', runId: 'r3' });
    expect(c.merged).toBe(false);
  });
});
