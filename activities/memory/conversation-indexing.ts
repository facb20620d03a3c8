import { MemoryInputError } from './errors';
import { nowIso, type MemoryDb } from './memory-db';

/**
 * How a conversation collection turns messages into indexed text. With `neighbours` > 0 each
 * message is embedded (and keyword-indexed) together with the messages around it, so a turn
 * such as "Yes, twice last summer!" is found by what it answers (LoCoMo R@10 56 -> 69 on
 * conversation 1, bench/locomo-retrieval.ts). The mode is recorded per collection the first time
 * the collection is used: a collection indexed before keeps its mode when the default changes, so
 * its stored vectors and the new ones never mean different things.
 *
 * With `alsoAlone`, each message is indexed twice: with its neighbours and alone, and a search
 * returns a message once, by its better-ranked entry. The window finds replies by what they answer;
 * the message alone is not diluted by its neighbours (multi-hop and temporal questions). LoCoMo R@10
 * on all ten conversations with e5-small-v2: 72.1 with windows only, 76.0 with both.
 */
export interface ConversationIndexing {
  /** Messages on each side of a message embedded with it (0: the message alone). */
  neighbours: number;
  /** Characters kept of each neighbour, from the side nearer the message. */
  neighbourChars: number;
  /** With neighbours > 0: also index each message alone (absent in modes recorded before: false). */
  alsoAlone?: boolean;
}

/** What collections indexed before the mode was recorded used: each message alone. */
export const SINGLE_MESSAGE: ConversationIndexing = { neighbours: 0, neighbourChars: 0 };

export function checkIndexing(value: ConversationIndexing): ConversationIndexing {
  if (!Number.isInteger(value.neighbours) || value.neighbours < 0 || value.neighbours > 5) throw new MemoryInputError('conversation.neighbours', 'must be an integer from 0 to 5');
  if (!Number.isInteger(value.neighbourChars) || value.neighbourChars < 0) throw new MemoryInputError('conversation.neighbourChars', 'must be a non-negative integer');
  if (value.alsoAlone !== undefined && typeof value.alsoAlone !== 'boolean') throw new MemoryInputError('conversation.alsoAlone', 'must be true or false');
  return { neighbours: value.neighbours, neighbourChars: value.neighbourChars, alsoAlone: value.neighbours > 0 && value.alsoAlone === true };
}

/**
 * The collection's recorded mode. On first use it records: the mode of an earlier embedding model's
 * conversation collection when there is one (a change of model copies that collection's texts
 * here, so they must keep meaning the same); else SINGLE_MESSAGE when the database already holds
 * conversation chunks from before modes were recorded; else `wanted`.
 */
export async function collectionIndexing(db: MemoryDb, collection: string, wanted: ConversationIndexing): Promise<ConversationIndexing> {
  const read = async () => (await db.selectFrom('memory_collection_settings').select('settings').where('collection', '=', collection).executeTakeFirst())?.settings;
  let stored = await read();
  if (stored === undefined) {
    const earlierModel = await db
      .selectFrom('memory_collection_settings')
      .select('settings')
      .where('collection', 'like', `${collection.split('__')[0]}__%`)
      .where('collection', '!=', collection)
      .orderBy('created', 'desc')
      .executeTakeFirst();
    const older = earlierModel ? undefined : await db.selectFrom('conversation_chunks').select('id').limit(1).executeTakeFirst();
    const inherited = earlierModel ? (JSON.parse(earlierModel.settings) as { indexing?: ConversationIndexing }).indexing : undefined;
    const mode = earlierModel ? checkIndexing(inherited ?? SINGLE_MESSAGE) : older ? SINGLE_MESSAGE : checkIndexing(wanted);
    await db
      .insertInto('memory_collection_settings')
      .values({ collection, settings: JSON.stringify({ indexing: mode }), created: nowIso() })
      .onConflict((oc) => oc.doNothing())
      .execute();
    stored = (await read())!;
  }
  const parsed = JSON.parse(stored) as { indexing?: ConversationIndexing };
  return checkIndexing(parsed.indexing ?? SINGLE_MESSAGE);
}

/** The text embedded for one chunk of a message: the chunk between its neighbours' nearer ends. */
export function textWithNeighbours(chunk: string, before: string[], after: string[], mode: ConversationIndexing): string {
  if (mode.neighbours === 0) return chunk;
  const cut = mode.neighbourChars;
  const head = before.slice(-mode.neighbours).map((t) => (t.length > cut ? t.slice(t.length - cut) : t));
  const tail = after.slice(0, mode.neighbours).map((t) => (t.length > cut ? t.slice(0, cut) : t));
  return [...head, chunk, ...tail].filter((t) => t.length > 0).join('\n');
}
