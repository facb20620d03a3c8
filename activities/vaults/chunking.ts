/**
 * Sentence-aware chunking with overlap that never loses text: sentences (and over-long sentences
 * cut at word boundaries) tile the input, chunks are runs of whole sentences up to maxChars, and
 * each chunk after the first starts with the last sentences of the one before (up to
 * overlapChars). Consecutive chunks therefore touch or overlap, so every character of the input
 * lies in some chunk. (The seed dropped a short final fragment; here it joins the last chunk.)
 */
export interface Chunk {
  text: string;
  /** Offsets into the original text: [start, end). */
  start: number;
  end: number;
}

export interface ChunkOptions {
  maxChars?: number;
  overlapChars?: number;
}

export const DEFAULT_CHUNK_CHARS = 1000;
export const DEFAULT_OVERLAP_CHARS = 150;

// A sentence ends at terminal punctuation (plus closing quotes or brackets) followed by
// whitespace, or at a line break.
const SENTENCE_END = /[.!?\u3002\uff01\uff1f]+["'\u201d\u2019)\]]*\s+|\n+\s*/g;

/** [start, end) pieces that tile text, each at most maxChars long. */
export function sentenceSpans(text: string, maxChars: number): [number, number][] {
  const spans: [number, number][] = [];
  let start = 0;
  const push = (end: number) => {
    // Split an over-long sentence at the last whitespace that fits, or hard when there is none.
    while (end - start > maxChars) {
      const window = text.slice(start, start + maxChars);
      const ws = Math.max(window.lastIndexOf(' '), window.lastIndexOf('\n'), window.lastIndexOf('\t'));
      const cut = ws > 0 ? start + ws + 1 : start + maxChars;
      spans.push([start, cut]);
      start = cut;
    }
    if (end > start) spans.push([start, end]);
    start = end;
  };
  for (const m of text.matchAll(SENTENCE_END)) push(m.index! + m[0].length);
  push(text.length);
  return spans;
}

export function chunkText(text: string, opts: ChunkOptions = {}): Chunk[] {
  const maxChars = opts.maxChars ?? DEFAULT_CHUNK_CHARS;
  const overlapChars = opts.overlapChars ?? DEFAULT_OVERLAP_CHARS;
  if (!Number.isInteger(maxChars) || maxChars < 1) throw new RangeError(`maxChars must be a positive integer, got ${maxChars}`);
  if (!Number.isInteger(overlapChars) || overlapChars < 0 || overlapChars >= maxChars) {
    throw new RangeError(`overlapChars must be an integer from 0 to maxChars-1, got ${overlapChars}`);
  }
  const spans = sentenceSpans(text, maxChars);
  const chunks: Chunk[] = [];
  let first = 0;
  while (first < spans.length) {
    let last = first;
    while (last + 1 < spans.length && spans[last + 1]![1] - spans[first]![0] <= maxChars) last++;
    const start = spans[first]![0];
    const end = spans[last]![1];
    const body = text.slice(start, end);
    if (body.trim() !== '') chunks.push({ text: body.trim(), start, end });
    if (last === spans.length - 1) break;
    // Overlap: step back over whole sentences of this chunk, but always move forward and leave
    // room for the next sentence.
    let next = last + 1;
    const nextLen = spans[last + 1]![1] - spans[last + 1]![0];
    while (
      next - 1 > first &&
      spans[last]![1] - spans[next - 1]![0] <= overlapChars &&
      spans[last + 1]![1] - spans[next - 1]![0] <= maxChars &&
      nextLen < maxChars
    ) {
      next--;
    }
    first = next;
  }
  return chunks;
}
