/**
 * The OpenAI embedder through the real `openai` SDK against a local server on 127.0.0.1 that
 * speaks the embeddings wire protocol; and against the real API when OPENAI_API_KEY is set.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createDefaultEmbedder, EmbedderConfigError, OpenAiEmbedder } from '../../activities/embeddings';

let server: http.Server;
let url: string;
const bodies: Record<string, unknown>[] = [];
const auth: (string | undefined)[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/embeddings') {
        res.writeHead(404).end();
        return;
      }
      const body = JSON.parse(raw) as { input: string[]; model: string };
      bodies.push(body);
      auth.push(req.headers.authorization);
      // Vectors that are not unit length, returned out of order: the adapter must fix both.
      const data = body.input.map((text, index) => ({ object: 'embedding', index, embedding: Array.from({ length: 1536 }, (_, d) => (d === text.length % 1536 ? 3 : d === 0 ? 4 : 0)) }));
      data.reverse();
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ object: 'list', data, model: body.model, usage: { prompt_tokens: 3, total_tokens: 3 } }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

test('sends text-embedding-3-small requests, maps results by index, normalizes, and never sends empty strings', async () => {
  const e = new OpenAiEmbedder({ apiKey: 'sk-test', baseURL: url });
  expect(e.model).toBe('openai:text-embedding-3-small');
  expect(e.dimension).toBe(1536);
  const [a, empty, b] = await e.embed(['abc', '  ', 'abcdefg']);
  expect(bodies[bodies.length - 1]).toMatchObject({ model: 'text-embedding-3-small', input: ['abc', 'abcdefg'], encoding_format: 'float' });
  expect(auth[auth.length - 1]).toBe('Bearer sk-test');
  expect(a![3]).toBeCloseTo(0.6, 5);
  expect(a![0]).toBeCloseTo(0.8, 5);
  expect(b![7]).toBeCloseTo(0.6, 5);
  expect(Array.from(empty!).every((x) => x === 0)).toBe(true);
});

test('createDefaultEmbedder picks OpenAI only when asked, and then needs the key', async () => {
  await expect(createDefaultEmbedder({ PAR_EMBEDDER: 'openai' })).rejects.toBeInstanceOf(EmbedderConfigError);
  await expect(createDefaultEmbedder({ PAR_EMBEDDER: 'cohere' })).rejects.toThrow(/not an embedder/);
  const e = await createDefaultEmbedder({ PAR_EMBEDDER: 'openai', OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: url });
  expect(e.model).toBe('openai:text-embedding-3-small');
  const before = bodies.length;
  await e.embed(['same', 'same', 'other']);
  await e.embed(['same']);
  expect(bodies.length - before).toBe(1); // cached and de-duplicated
  expect(bodies[bodies.length - 1]!.input).toEqual(['same', 'other']);
});

const key = process.env.OPENAI_API_KEY;
(key ? describe : describe.skip)(key ? 'live OpenAI embeddings' : 'live OpenAI embeddings (skipped: OPENAI_API_KEY not set)', () => {
  test('real vectors: 1536-d, unit length, similar texts closer', async () => {
    const e = new OpenAiEmbedder({ apiKey: key! });
    const [cat, kitten, tax] = await e.embed(['a cat sleeping', 'a kitten napping', 'filing a tax return']);
    const dot = (x: Float32Array, y: Float32Array) => x.reduce((s, v, i) => s + v * y[i]!, 0);
    expect(cat!.length).toBe(1536);
    expect(dot(cat!, cat!)).toBeCloseTo(1, 3);
    expect(dot(cat!, kitten!)).toBeGreaterThan(dot(cat!, tax!));
  });
});
if (!key) console.log('live OpenAI embeddings skipped: OPENAI_API_KEY not set');
