/**
 * How a search over a conversation collection that indexes each message twice (alone and with its
 * neighbours, conversation-indexing.ts `alsoAlone`) ranks messages. The store's hybrid query gives
 * each entry its place in the vector and in the BM25 ranking (VectorHit.ranks). Fusing entries and
 * then keeping a message's better entry lets one strong entry decide; here each of the four
 * rankings (vector or BM25, of the messages alone or of the windows) is first cut to one place per
 * message, and a message scores the sum of weight / (k + place) over the four, so a message found
 * both alone and by its window, or by meaning and by keywords, rises. A message then gains a share
 * of the score of each candidate near it in its session (up to `neighbourReach` messages away): the
 * turns of one exchange support each other.
 *
 * Measured on LoCoMo (all ten conversations, e5-small-v2; parameters picked on conversations 1-5):
 * R@10 76.1 with entries fused (RRF k 60) -> 79.1 with these four rankings -> 81.2 with the
 * neighbours' share (docs/memory.md).
 */

export interface RankedEntry {
  /** The message the entry belongs to. */
  message: string;
  /** The entry indexes the message alone (else with its neighbours). */
  alone: boolean;
  /** 1-based places in the store's vector and BM25 rankings (absent: not in that ranking). */
  ranks: { vector?: number; lexical?: number };
}

export interface MessageFusion {
  /** RRF's k: small, so the first places count most. */
  k: number;
  /** The BM25 rankings' weight against the vector ones (1). */
  lexicalWeight: number;
  /** Share of a nearby candidate message's score a message gains. */
  neighbourShare: number;
  /** How many messages away (each side, same session) a candidate still counts as nearby. */
  neighbourReach: number;
}

/**
 * Scores per message, best first. `neighbours` names the messages near one (same session, up to
 * `neighbourReach` positions away); only those among the entries' messages gain from it.
 */
export function fuseMessages(entries: RankedEntry[], fusion: MessageFusion, neighbours: (message: string) => string[]): [string, number][] {
  const score = new Map<string, number>();
  for (const alone of [true, false]) {
    for (const signal of ['vector', 'lexical'] as const) {
      const weight = signal === 'lexical' ? fusion.lexicalWeight : 1;
      const ranked = entries.filter((e) => e.alone === alone && e.ranks[signal] !== undefined).sort((a, b) => a.ranks[signal]! - b.ranks[signal]!);
      const placed = new Set<string>();
      for (const e of ranked) {
        if (placed.has(e.message)) continue;
        placed.add(e.message);
        score.set(e.message, (score.get(e.message) ?? 0) + weight / (fusion.k + placed.size));
      }
    }
  }
  const out = new Map(score);
  if (fusion.neighbourShare > 0) {
    for (const [message, s] of score) {
      for (const n of neighbours(message)) if (score.has(n)) out.set(n, out.get(n)! + fusion.neighbourShare * s);
    }
  }
  return [...out].sort((a, b) => b[1] - a[1]);
}
