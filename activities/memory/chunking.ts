// Splits long messages for the conversation memory engine. Pure: no Node APIs.

/**
 * Cuts text into chunks of about `size` characters, each starting `overlap` characters before the
 * previous one ended, breaking at whitespace when one is near so words stay whole. Every character
 * of the input is in at least one chunk. Text of `size` characters or fewer is one chunk.
 */
export function chunkText(text: string, size: number, overlap: number): string[] {
  if (size < 1) throw new Error(`chunk size must be positive, got ${size}`);
  const step = Math.max(1, Math.min(overlap, size - 1));
  const s = text.trim();
  if (s.length <= size) return s ? [s] : [];
  const chunks: string[] = [];
  let start = 0;
  while (start < s.length) {
    let end = Math.min(start + size, s.length);
    if (end < s.length) {
      // Break at the last whitespace in the final 40% of the window, if there is one.
      const floor = start + Math.floor(size * 0.6);
      for (let i = end; i > floor; i--) {
        if (/\s/.test(s[i])) {
          end = i;
          break;
        }
      }
    }
    chunks.push(s.slice(start, end).trim());
    if (end >= s.length) break;
    let next = end - step;
    // Start the next chunk at a word boundary inside the overlap, when there is one.
    for (let i = next; i < end; i++) {
      if (/\s/.test(s[i])) {
        next = i + 1;
        break;
      }
    }
    start = Math.max(next, start + 1);
  }
  return chunks.filter(Boolean);
}
