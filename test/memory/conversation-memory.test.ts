/** @jest-environment ./test/memory/native-typed-arrays-environment.js */
import { chunkText } from '../../activities/memory/chunking';
import { freshTenant, memoryTestServices } from './memory-test-services';

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
    expect(first).toEqual({ indexedChunks: 2, skippedMessages: 2 });
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
