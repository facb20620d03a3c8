import { chunkText, sentenceSpans } from '../../activities/vaults/chunking';

/**
 * The chunks' ranges, joined without their overlaps, rebuild the input exactly; the only gaps
 * allowed are runs of whitespace (a whitespace-only stretch makes no chunk of its own).
 */
function rebuild(text: string, chunks: { start: number; end: number }[]): string {
  let out = '';
  let at = 0;
  for (const c of chunks) {
    if (c.start > at) {
      expect(text.slice(at, c.start).trim()).toBe('');
      out += text.slice(at, c.start);
      at = c.start;
    }
    if (c.end > at) {
      out += text.slice(at, c.end);
      at = c.end;
    }
  }
  return out;
}

function randomText(seed: number, sentences: number): string {
  let s = seed;
  const rnd = (n: number) => (s = (s * 1103515245 + 12345) % 2 ** 31) % n;
  const words = ['alpha', 'beta', 'gamma', 'Dr.', 'e.g.', 'x', 'supercalifragilistic'.repeat(1 + rnd(3)), '3.14', '"quoted"', 'end'];
  const parts: string[] = [];
  for (let i = 0; i < sentences; i++) {
    const len = 1 + rnd(40);
    parts.push(Array.from({ length: len }, () => words[rnd(words.length)]).join(' ') + ['.', '!', '?', '', '\n\n', '...'][rnd(6)]);
  }
  return parts.join(rnd(2) ? ' ' : '\n');
}

test('short text is one chunk, trimmed', () => {
  expect(chunkText('  Hello there. How are you?  ')).toEqual([{ text: 'Hello there. How are you?', start: 0, end: 29 }]);
});

test('chunks end on sentence boundaries and respect the size', () => {
  const sentence = 'This sentence has exactly forty-four chars. ';
  const text = sentence.repeat(30);
  const chunks = chunkText(text, { maxChars: 200, overlapChars: 50 });
  for (const c of chunks) {
    expect(c.end - c.start).toBeLessThanOrEqual(200);
    expect(c.text.endsWith('chars.')).toBe(true);
    expect(c.text.startsWith('This')).toBe(true);
  }
  expect(rebuild(text, chunks)).toBe(text);
});

test('consecutive chunks overlap by whole sentences up to the overlap size', () => {
  const text = Array.from({ length: 12 }, (_, i) => `Sentence number ${i} is here.`).join(' ');
  const chunks = chunkText(text, { maxChars: 90, overlapChars: 40 });
  expect(chunks.length).toBeGreaterThan(2);
  for (let i = 1; i < chunks.length; i++) {
    const prev = chunks[i - 1]!;
    const cur = chunks[i]!;
    expect(cur.start).toBeLessThan(prev.end);
    expect(prev.end - cur.start).toBeLessThanOrEqual(40);
  }
});

test('a short final fragment is kept (the seed dropped it)', () => {
  const text = `${'A long sentence that fills most of a chunk by itself, really. '.repeat(3)}Ok.`;
  const chunks = chunkText(text, { maxChars: 130, overlapChars: 0 });
  expect(chunks[chunks.length - 1]!.text.endsWith('Ok.')).toBe(true);
  expect(rebuild(text, chunks)).toBe(text);
});

test('an over-long sentence is cut at word boundaries, and a word longer than a chunk is cut hard', () => {
  const text = `${'word '.repeat(100)}${'z'.repeat(250)} tail`;
  const chunks = chunkText(text, { maxChars: 100, overlapChars: 10 });
  for (const c of chunks) expect(c.end - c.start).toBeLessThanOrEqual(100);
  expect(rebuild(text, chunks)).toBe(text);
  expect(chunks.filter((c) => /^w/.test(c.text)).every((c) => /^(word ?)+$/.test(c.text))).toBe(true);
});

test('no text is ever lost, on many random documents and sizes', () => {
  for (let seed = 1; seed <= 60; seed++) {
    const text = randomText(seed, 5 + (seed % 40));
    const maxChars = 20 + ((seed * 37) % 400);
    const overlapChars = (seed * 13) % Math.floor(maxChars / 2);
    const chunks = chunkText(text, { maxChars, overlapChars });
    expect(chunks[0]!.start).toBe(0);
    expect(chunks[chunks.length - 1]!.end).toBeGreaterThanOrEqual(text.trimEnd().length);
    expect(rebuild(text, chunks).trimEnd()).toBe(text.trimEnd());
    for (const c of chunks) {
      expect(c.end - c.start).toBeLessThanOrEqual(maxChars);
      expect(c.text).toBe(text.slice(c.start, c.end).trim());
    }
  }
});

test('sentence spans tile the text', () => {
  const text = 'One. Two!  Three?\nFour\n\nFive... "Six." Seven';
  const spans = sentenceSpans(text, 1000);
  expect(spans.map(([a, b]) => text.slice(a, b)).join('')).toBe(text);
  expect(spans.length).toBeGreaterThanOrEqual(6);
});

test('bad sizes are refused with the field named', () => {
  expect(() => chunkText('x', { maxChars: 0 })).toThrow(/maxChars/);
  expect(() => chunkText('x', { maxChars: 10, overlapChars: 10 })).toThrow(/overlapChars/);
});
