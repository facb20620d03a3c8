/** @jest-environment ./test/memory/native-typed-arrays-environment.js */
import { chunkText } from '../../activities/memory/chunking';
import { fuseMessages, type RankedEntry } from '../../activities/memory/conversation-ranking';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LOCAL_MODELS, LocalOnnxEmbedder } from '../../activities/embeddings';
import { createMemoryServices } from '../../activities/memory/services';
import { EmbeddedVectorStore } from '../../activities/vectors';
import { collectionName } from '../../activities/vectors/collection-name';
import { freshTenant, memoryTestServices, sharedEmbedder } from './memory-test-services';

describe('chunkText', () => {
  test('short text is one chunk; long text becomes ~size chunks that overlap and lose nothing', () => {
    expect(chunkText('  hello there  ', 400, 50)).toEqual(['hello there']);
    const words = Array.from({ length: 300 }, (_, i) => `word${i}`);
    const text = words.join(' ');
    const chunks = chunkText(text, 400, 50);
    expect(chunks.length).toBeGreaterThan(3);
    for (const c of chunks) expect(c.length).toBeLessThanOrEqual(400);
    // Every word is whole in some chunk, and consecutive chunks share text.
    for (const w of words) expect(chunks.some((c) => c.split(' ').includes(w))).toBe(true);
    for (let i = 1; i < chunks.length; i++) {
      const lastWordsOfPrev = chunks[i - 1].split(' ').slice(-3);
      expect(lastWordsOfPrev.some((w) => chunks[i].split(' ').includes(w))).toBe(true);
    }
  });

  test('text without spaces is still cut and fully covered', () => {
    const text = 'x'.repeat(1000);
    const chunks = chunkText(text, 400, 50);
    expect(chunks.map((c) => c.length)).toEqual([400, 400, 300]);
  });
});

describe('conversation memory engine', () => {
  let s: Awaited<ReturnType<typeof memoryTestServices>>;
  beforeAll(async () => {
    s = await memoryTestServices();
  });
  afterAll(async () => s?.close());

  const session = [
    { role: 'user' as const, content: 'I just adopted a golden retriever puppy named Biscuit.' },
    { role: 'assistant' as const, content: 'Congratulations on adopting your golden retriever puppy Biscuit!' },
    { role: 'user' as const, content: 'ok' },
    { role: 'user' as const, content: 'My sister lives in Lisbon and works as an architect.' },
  ];

  test('indexes user messages of 10+ characters only, and re-indexing embeds nothing new', async () => {
    const tenant = freshTenant('conv');
    const first = await s.conversations.index({ tenant, sessionId: 's1', messages: session });
    // Two messages, each stored with its neighbours and alone.
    expect(first).toEqual({ indexedChunks: 4, skippedMessages: 2 });
    const again = await s.conversations.index({ tenant, sessionId: 's1', messages: session });
    expect(again.indexedChunks).toBe(0);
  });

  test('search returns the matching message with its session and position, above 0.3 similarity', async () => {
    const tenant = freshTenant('conv-search');
    await s.conversations.index({ tenant, sessionId: 's1', messages: session });
    const { hits } = await s.conversations.search({ tenant, query: 'what is the name of my dog?' });
    expect(hits[0]).toMatchObject({ sessionId: 's1', messageIndex: 0, role: 'user' });
    expect(hits.every((h) => h.similarity >= 0.3)).toBe(true);
    // The assistant's near-identical message was not indexed.
    expect(hits.some((h) => h.role !== 'user')).toBe(false);
  });

  test('a long message is chunked, and a hit names the chunk; each message appears once', async () => {
    const tenant = freshTenant('conv-long');
    const filler = 'We talked about the weather and the traffic and nothing much else that day. '.repeat(8);
    const long = `${filler}Then I mentioned that my passport expires in November and I must renew it before the Tokyo trip. ${filler}`;
    const r = await s.conversations.index({ tenant, sessionId: 'long', messages: [{ role: 'user', content: long }] });
    expect(r.indexedChunks).toBeGreaterThan(2);
    const { hits } = await s.conversations.search({ tenant, query: 'when does my passport expire?', minSimilarity: 0 });
    expect(hits).toHaveLength(1);
    expect(hits[0].text).toContain('passport expires in November');
  });

  test('sessions can be searched alone or excluded; tenants never see each other', async () => {
    const tenant = freshTenant('conv-scope');
    const other = freshTenant('conv-other');
    await s.conversations.index({ tenant, sessionId: 'a', messages: [{ role: 'user', content: 'My favourite food is spicy ramen.' }] });
    await s.conversations.index({ tenant, sessionId: 'b', messages: [{ role: 'user', content: 'I really love eating spicy ramen noodles.' }] });
    const q = 'favourite food ramen';
    expect((await s.conversations.search({ tenant, query: q })).hits.map((h) => h.sessionId).sort()).toEqual(['a', 'b']);
    expect((await s.conversations.search({ tenant, query: q, sessionId: 'a' })).hits.map((h) => h.sessionId)).toEqual(['a']);
    expect((await s.conversations.search({ tenant, query: q, excludeSessionId: 'a' })).hits.map((h) => h.sessionId)).toEqual(['b']);
    expect((await s.conversations.search({ tenant: other, query: q, minSimilarity: -1 })).hits).toEqual([]);
    expect(await s.conversations.forgetSession(tenant, 'a')).toBe(1);
    expect((await s.conversations.search({ tenant, query: q })).hits.map((h) => h.sessionId)).toEqual(['b']);
  });
});

describe('conversation memory: turns indexed with their neighbours', () => {
  let s: Awaited<ReturnType<typeof memoryTestServices>>;
  beforeAll(async () => {
    s = await memoryTestServices();
  });
  afterAll(async () => s?.close());

  const talk = [
    { role: 'user' as const, content: 'Have you ever been to Iceland? I keep seeing photos of the glaciers.' },
    { role: 'user' as const, content: 'Yes, twice! The hot springs near the lagoon were the best part.' },
    { role: 'user' as const, content: 'Lovely. Anyway, my daughter starts school next week.' },
  ];

  test('a reply is found by what it answers, and the hit is the message itself, not its window', async () => {
    expect(await s.conversations.indexing()).toEqual({ neighbours: 1, neighbourChars: 300, alsoAlone: true });
    const tenant = freshTenant('conv-window');
    await s.conversations.index({ tenant, sessionId: 's', messages: talk });
    const { hits } = await s.conversations.search({ tenant, query: 'Has Iceland been visited, and how many times?', limit: 2 });
    const reply = hits.find((h) => h.messageIndex === 1);
    expect(reply?.text).toBe(talk[1]!.content);
  });

  test('a message indexed before its next neighbour arrived is re-embedded once it has, and its old chunk goes', async () => {
    const tenant = freshTenant('conv-grow');
    // Each message twice: with its neighbours, and alone.
    expect(await s.conversations.index({ tenant, sessionId: 's', messages: talk.slice(0, 2) })).toEqual({ indexedChunks: 4, skippedMessages: 0 });
    // Message 1 now has a neighbour after it: its window is embedded again and replaces the old
    // one (the message alone is unchanged); message 2 comes with its window and alone.
    expect(await s.conversations.index({ tenant, sessionId: 's', messages: talk })).toEqual({ indexedChunks: 3, skippedMessages: 0, replacedChunks: 1 });
    expect(await s.conversations.index({ tenant, sessionId: 's', messages: talk })).toEqual({ indexedChunks: 0, skippedMessages: 0 });
    const { hits } = await s.conversations.search({ tenant, query: 'hot springs lagoon', minSimilarity: -1, limit: 10 });
    // One hit per message, though each is stored twice.
    expect(hits.map((h) => h.messageIndex).sort()).toEqual([0, 1, 2]);
    expect(await s.vectorStore.count(collectionName(s.embedder.model, s.embedder.dimension, 'memory_conversations'), tenant)).toBe(6);
  });
});

describe('conversation memory: messages ranked by fusing four rankings', () => {
  const fusion = { k: 7, lexicalWeight: 0.75, neighbourShare: 0, neighbourReach: 1 };
  const none = () => [];

  test('a message found alone and by its window, by meaning and by keywords, outranks one first in a single ranking', () => {
    const entries: RankedEntry[] = [
      { message: 'single', alone: true, ranks: { vector: 1 } },
      { message: 'broad', alone: true, ranks: { vector: 2, lexical: 2 } },
      { message: 'broad', alone: false, ranks: { vector: 3, lexical: 1 } },
    ];
    expect(fuseMessages(entries, fusion, none).map(([m]) => m)).toEqual(['broad', 'single']);
  });

  test('a message counts once per ranking: its second chunk does not push another message down a place', () => {
    const entries: RankedEntry[] = [
      { message: 'long', alone: true, ranks: { vector: 1 } },
      { message: 'long', alone: true, ranks: { vector: 2 } },
      { message: 'other', alone: true, ranks: { vector: 3 } },
    ];
    const scores = new Map(fuseMessages(entries, fusion, none));
    expect(scores.get('long')).toBeCloseTo(1 / 8, 10);
    expect(scores.get('other')).toBeCloseTo(1 / 9, 10);
  });

  test("a candidate near a strong hit gains a share of its score; a message that is not a candidate gains nothing", () => {
    const entries: RankedEntry[] = [
      { message: 'a', alone: true, ranks: { vector: 1, lexical: 1 } },
      { message: 'c', alone: true, ranks: { vector: 2 } },
      { message: 'b', alone: true, ranks: { vector: 3 } },
    ];
    const neighbours = (m: string) => ({ a: ['b', 'x'], b: ['a', 'c'], c: ['b'] })[m] ?? [];
    expect(fuseMessages(entries, fusion, neighbours).map(([m]) => m)).toEqual(['a', 'c', 'b']);
    const shared = fuseMessages(entries, { ...fusion, neighbourShare: 0.15 }, neighbours);
    expect(shared.map(([m]) => m)).toEqual(['a', 'b', 'c']);
    expect(shared.some(([m]) => m === 'x')).toBe(false);
  });
});

describe('conversation memory: the indexing mode is recorded per collection', () => {
  const open = (dir: string, neighbours?: number) =>
    sharedEmbedder().then(async (embedder) =>
      createMemoryServices({ embedder, vectorStore: new EmbeddedVectorStore(path.join(dir, 'vectors.sqlite')), dbFile: path.join(dir, 'memory.sqlite'), config: neighbours === undefined ? {} : { conversation: { neighbours } } }),
    );
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'par-conv-mode-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('a collection first used with single messages keeps that mode when the default is neighbours', async () => {
    const first = await open(dir, 0);
    await first.conversations.index({ tenant: 't', sessionId: 's', messages: [{ role: 'user', content: 'My sister lives in Lisbon.' }, { role: 'user', content: 'She is an architect there.' }] });
    await first.close();
    const again = await open(dir);
    expect((await again.conversations.indexing()).neighbours).toBe(0);
    // Same ids as before: nothing is embedded again.
    expect((await again.conversations.index({ tenant: 't', sessionId: 's', messages: [{ role: 'user', content: 'My sister lives in Lisbon.' }, { role: 'user', content: 'She is an architect there.' }] })).indexedChunks).toBe(0);
    await again.close();
  });

  test('after a change of embedding model, the new collection keeps the mode the earlier one recorded', async () => {
    const minilm = await LocalOnnxEmbedder.create(LOCAL_MODELS['all-MiniLM-L6-v2']);
    try {
      const before = await createMemoryServices({ embedder: minilm, vectorStore: new EmbeddedVectorStore(path.join(dir, 'vectors.sqlite')), dbFile: path.join(dir, 'memory.sqlite'), config: { conversation: { alsoAlone: false } } });
      expect(await before.conversations.indexing()).toEqual({ neighbours: 1, neighbourChars: 300, alsoAlone: false });
      const after = await open(dir); // the default model, whose default mode is alsoAlone: true
      expect(after.embedder.model).not.toBe(minilm.model);
      expect(await after.conversations.indexing()).toEqual({ neighbours: 1, neighbourChars: 300, alsoAlone: false });
      await after.close();
      await before.close();
    } finally {
      await minilm.close();
    }
  });

  test('chunks indexed before modes were recorded keep the single-message mode; a fresh database gets the default', async () => {
    const old = await open(dir, 0);
    await old.conversations.index({ tenant: 't', sessionId: 's', messages: [{ role: 'user', content: 'My sister lives in Lisbon.' }] });
    await old.db.deleteFrom('memory_collection_settings').execute(); // as a data folder from before the mode was recorded
    await old.close();
    const upgraded = await open(dir);
    expect(await upgraded.conversations.indexing()).toEqual({ neighbours: 0, neighbourChars: 0, alsoAlone: false });
    await upgraded.close();
    const freshDir = fs.mkdtempSync(path.join(os.tmpdir(), 'par-conv-mode-'));
    const fresh = await open(freshDir);
    expect((await fresh.conversations.indexing()).neighbours).toBe(1);
    await fresh.close();
    fs.rmSync(freshDir, { recursive: true, force: true });
  });

  test('a bad neighbours setting is refused with the setting named', async () => {
    const bad = await open(dir, -1);
    await expect(bad.conversations.indexing()).rejects.toThrow(/conversation\.neighbours/);
    await bad.close();
  });
});
