/**
 * BERT's uncased WordPiece tokenizer (the one all-MiniLM-L6-v2 was trained with): clean the text,
 * split CJK characters and punctuation apart, lowercase and strip accents, then greedy
 * longest-match-first over the vocabulary. Reads the vocabulary from a Hugging Face tokenizer.json.
 */
import fs from 'node:fs';

export interface Encoding {
  ids: number[];
}

function isControl(cp: number): boolean {
  if (cp === 0x09 || cp === 0x0a || cp === 0x0d) return false;
  const ch = String.fromCodePoint(cp);
  return /\p{Cc}|\p{Cf}/u.test(ch);
}

function isWhitespace(cp: number): boolean {
  if (cp === 0x20 || cp === 0x09 || cp === 0x0a || cp === 0x0d) return true;
  return /\p{Zs}/u.test(String.fromCodePoint(cp));
}

function isPunctuation(cp: number): boolean {
  // BERT treats every non-alphanumeric ASCII symbol as punctuation, plus Unicode P* classes.
  if ((cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126)) return true;
  return /\p{P}/u.test(String.fromCodePoint(cp));
}

function isCjk(cp: number): boolean {
  return (
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x20000 && cp <= 0x2a6df) ||
    (cp >= 0x2a700 && cp <= 0x2b73f) ||
    (cp >= 0x2b740 && cp <= 0x2b81f) ||
    (cp >= 0x2b820 && cp <= 0x2ceaf) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0x2f800 && cp <= 0x2fa1f)
  );
}

/** Splits text into BERT "basic" tokens: normalized words and single punctuation marks. */
export function basicTokens(text: string): string[] {
  const out: string[] = [];
  let word = '';
  const flush = () => {
    if (word) out.push(word);
    word = '';
  };
  const normalized = text.toLowerCase().normalize('NFD');
  for (const ch of normalized) {
    const cp = ch.codePointAt(0)!;
    if (cp === 0 || cp === 0xfffd || isControl(cp)) continue;
    if (/\p{Mn}/u.test(ch)) continue; // accent marks left by NFD
    if (isWhitespace(cp)) {
      flush();
    } else if (isCjk(cp) || isPunctuation(cp)) {
      flush();
      out.push(ch);
    } else {
      word += ch;
    }
  }
  flush();
  return out;
}

export class WordPieceTokenizer {
  readonly clsId: number;
  readonly sepId: number;
  readonly unkId: number;
  private readonly maxWordChars = 100;

  constructor(private readonly vocab: Map<string, number>) {
    const need = (t: string) => {
      const id = vocab.get(t);
      if (id === undefined) throw new Error(`tokenizer vocabulary lacks ${t}`);
      return id;
    };
    this.clsId = need('[CLS]');
    this.sepId = need('[SEP]');
    this.unkId = need('[UNK]');
  }

  static fromTokenizerJson(file: string): WordPieceTokenizer {
    const json = JSON.parse(fs.readFileSync(file, 'utf8')) as { model?: { type?: string; vocab?: Record<string, number> } };
    if (json.model?.type !== 'WordPiece' || !json.model.vocab) throw new Error(`${file} is not a WordPiece tokenizer.json`);
    return new WordPieceTokenizer(new Map(Object.entries(json.model.vocab)));
  }

  private wordPieces(word: string, out: number[]): void {
    const chars = Array.from(word);
    if (chars.length > this.maxWordChars) {
      out.push(this.unkId);
      return;
    }
    const pieces: number[] = [];
    let start = 0;
    while (start < chars.length) {
      let end = chars.length;
      let found: number | undefined;
      while (start < end) {
        const sub = (start > 0 ? '##' : '') + chars.slice(start, end).join('');
        found = this.vocab.get(sub);
        if (found !== undefined) break;
        end--;
      }
      if (found === undefined) {
        out.push(this.unkId);
        return;
      }
      pieces.push(found);
      start = end;
    }
    out.push(...pieces);
  }

  /** The word pieces of text, stopping once there are at least `limit`. */
  private pieces(text: string, limit: number): number[] {
    const ids: number[] = [];
    for (const word of basicTokens(text)) {
      this.wordPieces(word, ids);
      if (ids.length >= limit) break;
    }
    return ids;
  }

  /** [CLS] tokens [SEP], truncated to maxLength ids in all. */
  encode(text: string, maxLength: number): Encoding {
    const ids = this.pieces(text, maxLength - 2).slice(0, maxLength - 2);
    return { ids: [this.clsId, ...ids, this.sepId] };
  }

  /**
   * A cross-encoder's input: [CLS] a [SEP] b [SEP], token types 0 up to the first [SEP] and 1
   * after it, at most maxLength ids in all. Too long a pair loses tokens from the end of whichever
   * text is longer at each step (Hugging Face's "longest_first"), so a short query stays whole.
   */
  encodePair(a: string, b: string, maxLength: number): Encoding & { typeIds: number[] } {
    const room = maxLength - 3;
    const first = this.pieces(a, room);
    const second = this.pieces(b, room);
    while (first.length + second.length > room) (first.length > second.length ? first : second).pop();
    const ids = [this.clsId, ...first, this.sepId, ...second, this.sepId];
    return { ids, typeIds: ids.map((_, i) => (i <= first.length + 1 ? 0 : 1)) };
  }
}
