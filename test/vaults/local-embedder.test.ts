import fs from 'node:fs';
import path from 'node:path';
import { CachedEmbedder, DEFAULT_LOCAL_MODEL, LOCAL_MODELS, LocalOnnxEmbedder } from '../../activities/embeddings';
import type { Embedder } from '../../activities/embeddings/port';

// Token ids and vectors computed by Hugging Face `tokenizers` + Python onnxruntime on the same
// tokenizer.json and model.onnx (see the fixture's "source"): our WordPiece port and pooling must match.
const reference = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'minilm-reference.json'), 'utf8')) as {
  cases: { text: string; ids: number[]; vector: number[] }[];
};

let local: LocalOnnxEmbedder;
beforeAll(async () => {
  local = await LocalOnnxEmbedder.create(LOCAL_MODELS['all-MiniLM-L6-v2']);
});

const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
};

test.each(reference.cases.map((c) => [c.text, c]))('tokenizes %j exactly as Hugging Face tokenizers does', (_t, c) => {
  expect(local.tokenize(c.text)).toEqual(c.ids);
});

test('vectors match the reference pipeline, are unit length and 384-d, alone or padded in a batch', async () => {
  const texts = reference.cases.map((c) => c.text);
  const batch = await local.embed(texts);
  const single = await local.embed([texts[1]!]);
  reference.cases.forEach((c, i) => {
    expect(batch[i]!.length).toBe(384);
    expect(dot(batch[i]!, c.vector)).toBeGreaterThan(0.9999);
    expect(Math.abs(dot(batch[i]!, batch[i]!) - 1)).toBeLessThan(1e-4);
  });
  expect(dot(single[0]!, batch[1]!)).toBeGreaterThan(0.9999);
  expect(local.model).toBe('local:all-MiniLM-L6-v2');
});

test('concurrent requests share inference calls and each gets its own vector', async () => {
  const texts = Array.from({ length: 50 }, (_, i) => `question number ${i} about refunds`);
  const alone = await local.embed(texts);
  const before = { ...local.stats };
  // Fifty callers at once, one text each (as fifty API clients would embed their queries).
  const together = await Promise.all(texts.map((t) => local.embed([t]).then((v) => v[0]!)));
  const calls = local.stats.calls - before.calls;
  expect(local.stats.texts - before.texts).toBe(50);
  expect(calls).toBeLessThan(10);
  together.forEach((v, i) => expect(dot(v, alone[i]!)).toBeGreaterThan(0.9999));
});

test('a lone query starts at once; while another thread is busy, a few queries wait briefly to go together', async () => {
  const two = await LocalOnnxEmbedder.create(LOCAL_MODELS['all-MiniLM-L6-v2'], undefined, { PAR_EMBEDDING_SESSIONS: '2' });
  try {
    // Idle embedder: the call goes to a thread before embed() even returns.
    const lone = two.embed(['a lone query']);
    expect(two.stats.calls).toBe(1);
    await lone;
    // One thread busy with a long batch; three single queries arrive: the free thread waits for
    // company (up to a few ms) and takes all three in one call instead of the first one alone.
    const busy = two.embed(Array.from({ length: 32 }, (_, i) => `a long text number ${i} `.repeat(20)));
    const before = two.stats.calls;
    const few = Promise.all(['first', 'second', 'third'].map((t) => two.embed([t])));
    expect(two.stats.calls).toBe(before);
    await few;
    expect(two.stats.calls).toBe(before + 1);
    expect(two.stats.texts).toBe(1 + 32 + 3);
    await busy;
  } finally {
    await two.close();
  }
});

test('one session or several give the same vectors; a bad session count is refused by name', async () => {
  const texts = Array.from({ length: 40 }, (_, i) => `session test ${i}: the invoice was paid`);
  const spec = LOCAL_MODELS['all-MiniLM-L6-v2'];
  const one = await LocalOnnxEmbedder.create(spec, undefined, { PAR_EMBEDDING_SESSIONS: '1' });
  const three = await LocalOnnxEmbedder.create(spec, undefined, { PAR_EMBEDDING_SESSIONS: '3' });
  try {
    // Concurrent callers spread over the three threads (each call a batch of its own).
    const [a, b] = await Promise.all([one.embed(texts), Promise.all(texts.map((t) => three.embed([t]).then((v) => v[0]!)))]);
    b.forEach((v, i) => expect(dot(v, a[i]!)).toBeGreaterThan(0.999));
    expect(three.stats.calls).toBeGreaterThan(1);
  } finally {
    await one.close();
    await three.close();
  }
  await expect(LocalOnnxEmbedder.create(spec, undefined, { PAR_EMBEDDING_SESSIONS: 'two' })).rejects.toThrow('PAR_EMBEDDING_SESSIONS must be a positive integer, got two');
});

/** Nice values of this process's threads (Linux: /proc/self/task/<tid>/stat, field 19). */
function threadNices(): Map<number, number> {
  const out = new Map<number, number>();
  for (const tid of fs.readdirSync('/proc/self/task')) {
    try {
      const stat = fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      out.set(Number(tid), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]));
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return out;
}

(process.platform === 'linux' ? test : test.skip)('model threads run PAR_EMBEDDING_NICE steps below the event loop’s priority; a bad value is refused by name', async () => {
  const spec = LOCAL_MODELS['all-MiniLM-L6-v2'];
  const two = await LocalOnnxEmbedder.create(spec, undefined, { PAR_EMBEDDING_SESSIONS: '2', PAR_EMBEDDING_NICE: '7' });
  try {
    await two.embed(['priority test']);
    const nices = threadNices();
    // One per session (onnxruntime may start an idle helper thread of its own beside them).
    expect([...nices.values()].filter((n) => n === 7).length).toBeGreaterThanOrEqual(2);
    expect(nices.get(process.pid)).toBe(0); // the event loop's own thread keeps its priority
  } finally {
    await two.close();
  }
  const off = await LocalOnnxEmbedder.create(spec, undefined, { PAR_EMBEDDING_SESSIONS: '1', PAR_EMBEDDING_THREADS: '1', PAR_EMBEDDING_NICE: '0' });
  try {
    const before = [...threadNices().values()].filter((n) => n !== 0).length;
    expect(await off.embed(['priority off'])).toHaveLength(1);
    expect([...threadNices().values()].filter((n) => n !== 0).length).toBe(before);
  } finally {
    await off.close();
  }
  for (const bad of ['-5', '20', 'low', '2.5']) {
    await expect(LocalOnnxEmbedder.create(spec, undefined, { PAR_EMBEDDING_NICE: bad })).rejects.toThrow(`PAR_EMBEDDING_NICE must be an integer from 0 (the event loop's priority) to 19 (steps below it), got ${bad}`);
  }
});

test('similar meanings score higher than unrelated ones', async () => {
  const [cat, kitten, revenue] = await local.embed(['The cat sat on the mat.', 'A kitten is resting on a rug.', 'Quarterly revenue grew by 12 percent.']);
  expect(dot(cat!, kitten!)).toBeGreaterThan(dot(cat!, revenue!) + 0.3);
});

test('long text is truncated to 256 tokens instead of failing', async () => {
  const long = 'word '.repeat(2000);
  expect(local.tokenize(long)).toHaveLength(256);
  const [v] = await local.embed([long]);
  expect(v!.length).toBe(384);
});

test('the cache embeds each distinct text once and batches misses', async () => {
  const calls: string[][] = [];
  const inner: Embedder = {
    model: 'test:counting',
    dimension: 2,
    async embed(texts) {
      calls.push(texts);
      return texts.map((t) => Float32Array.from([t.length, 1]));
    },
  };
  const cached = new CachedEmbedder(inner, { cacheSize: 3, batchSize: 2 });
  const out = await cached.embed(['a', 'bb', 'a', 'ccc']);
  expect(out.map((v) => v[0])).toEqual([1, 2, 1, 3]);
  expect(calls).toEqual([['a', 'bb'], ['ccc']]);
  await cached.embed(['bb', 'a']);
  expect(calls).toHaveLength(2);
  await cached.embed(['dddd', 'eeeee']); // evicts the least recently used ("ccc", then "bb")
  await cached.embed(['ccc']);
  expect(calls[calls.length - 1]).toEqual(['ccc']);
});

test('a wrong-sized vector from an adapter is an error, not stored garbage', async () => {
  const bad: Embedder = { model: 'test:bad', dimension: 3, embed: async (t) => t.map(() => new Float32Array(2)) };
  await expect(new CachedEmbedder(bad).embed(['x'])).rejects.toThrow(/2-d vector, expected 3/);
});

test('after close, embedding is a clear error instead of a hang', async () => {
  const e = await LocalOnnxEmbedder.create();
  await e.close();
  await expect(e.embed(['x'])).rejects.toThrow(/closed|stopped/);
});

describe('e5-small-v2, the default local model', () => {
  const e5ref = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'e5-reference.json'), 'utf8')) as {
    cases: { text: string; purpose: 'query' | 'document'; ids: number[]; vector: number[] }[];
  };
  let e5: LocalOnnxEmbedder;
  beforeAll(async () => {
    e5 = await LocalOnnxEmbedder.create(LOCAL_MODELS['e5-small-v2']);
  });
  afterAll(() => e5.close());

  test('is the default, and matches the reference pipeline for queries and passages alike', async () => {
    expect(DEFAULT_LOCAL_MODEL).toBe('e5-small-v2');
    expect(e5.model).toBe('local:e5-small-v2');
    for (const purpose of ['query', 'document'] as const) {
      const cases = e5ref.cases.filter((c) => c.purpose === purpose);
      const prefix = purpose === 'query' ? 'query: ' : 'passage: ';
      cases.forEach((c) => expect(e5.tokenize(prefix + c.text)).toEqual(c.ids));
      for (const c of cases) {
        const [alone] = await e5.embed([c.text], purpose);
        expect(alone!.length).toBe(384);
        expect(dot(alone!, c.vector)).toBeGreaterThan(0.9999);
      }
      // In a padded batch the vectors move a little: this int8 model quantizes its activations
      // with one scale per batch (dynamic quantization), so a text's companions shift it slightly.
      const batch = await e5.embed(cases.map((c) => c.text), purpose);
      cases.forEach((c, i) => expect(dot(batch[i]!, c.vector)).toBeGreaterThan(0.99));
    }
  });

  test('a query and a passage of the same text are different vectors, cached apart', async () => {
    const cached = new CachedEmbedder(e5, { shared: true });
    const [q] = await cached.embed(['refund policy'], 'query');
    const [d] = await cached.embed(['refund policy']);
    expect(dot(q!, d!)).toBeLessThan(0.999);
    expect((await cached.embed(['refund policy'], 'query'))[0]).toBe(q);
    expect(cached.hits).toBe(1);
  });

  test('a query ranks the passage that answers it above unrelated ones', async () => {
    const [q] = await e5.embed(['what is the capital of France?'], 'query');
    const [answer, ...others] = await e5.embed(['Paris is the capital and largest city of France.', 'Quarterly revenue grew by 12 percent.', 'The cat sat on the mat.']);
    for (const o of others) expect(dot(q!, answer!)).toBeGreaterThan(dot(q!, o!) + 0.05);
  });
});
