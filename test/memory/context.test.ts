import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import type { ModelMessage } from '../../activities/contracts';
import { resolveMemoryConfig } from '../../activities/memory/config';
import { ContextStore } from '../../activities/memory/context-store';
import { windowMessages } from '../../activities/memory/context-window';
import { openStoreDatabase, type MemoryTables, type StoreDatabase } from '../../activities/db';

const sys: ModelMessage = { role: 'system', content: 'You are helpful.' };
const turns = (n: number): ModelMessage[] => Array.from({ length: n }, (_, i) => ({ role: i % 2 ? 'assistant' : 'user', content: `m${i}` }) as ModelMessage);

describe('windowMessages', () => {
  test('keeps system messages and the last maxHistory others, in order', () => {
    const history = [sys, ...turns(6)];
    expect(windowMessages(history, 3).map((m) => m.content)).toEqual(['You are helpful.', 'm3', 'm4', 'm5']);
    expect(windowMessages(history, 0)).toEqual([sys]);
    expect(windowMessages(history)).toEqual(history);
    expect(history).toHaveLength(7);
  });

  test('never starts with a tool result whose call fell outside the window', () => {
    const history: ModelMessage[] = [
      { role: 'user', content: 'weather?' },
      { role: 'assistant', content: '', toolCalls: [{ id: 'c1', name: 'weather', arguments: {} }] },
      { role: 'tool', content: 'sunny', toolCallId: 'c1' },
      { role: 'assistant', content: 'It is sunny.' },
    ];
    expect(windowMessages(history, 2).map((m) => m.content)).toEqual(['It is sunny.']);
    expect(windowMessages(history, 3).map((m) => m.role)).toEqual(['assistant', 'tool', 'assistant']);
  });

  test('rejects a negative maxHistory', () => {
    expect(() => windowMessages([], -1)).toThrow(/maxHistory/);
  });
});

describe('ContextStore', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'par-context-'));
  let db: StoreDatabase<MemoryTables>;
  let store: ContextStore;
  beforeAll(async () => {
    db = await openStoreDatabase('memory', { target: { kind: 'sqlite', file: path.join(dir, 'memory.sqlite') } });
    store = new ContextStore(db.db, resolveMemoryConfig({ context: { defaultMaxHistory: 4 } }).context);
  });
  afterAll(async () => {
    await db.release();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('keeps the whole history while load sends only maxHistory messages', async () => {
    await store.append({ tenant: 't', sessionId: 's', messages: [sys, ...turns(10)] });
    const loaded = await store.load({ tenant: 't', sessionId: 's' });
    expect(loaded.total).toBe(11);
    expect(loaded.messages.map((m) => m.content)).toEqual(['You are helpful.', 'm6', 'm7', 'm8', 'm9']);
    expect((await store.load({ tenant: 't', sessionId: 's', maxHistory: 100 })).messages).toHaveLength(11);
    expect(await store.history('t', 's')).toHaveLength(11);
  });

  test('an append retried with the same startIndex overwrites instead of duplicating; tool calls survive', async () => {
    const msgs: ModelMessage[] = [
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: '', toolCalls: [{ id: 'c', name: 'lookup', arguments: { q: 'x' } }] },
      { role: 'tool', content: 'found', toolCallId: 'c' },
    ];
    expect((await store.append({ tenant: 't', sessionId: 'retry', messages: msgs, startIndex: 0 })).total).toBe(3);
    expect((await store.append({ tenant: 't', sessionId: 'retry', messages: msgs, startIndex: 0 })).total).toBe(3);
    expect(await store.history('t', 'retry')).toEqual(msgs);
    expect(await store.load({ tenant: 'other', sessionId: 'retry' })).toEqual({ messages: [], total: 0 });
  });

  test('bad messages are refused with the field named', async () => {
    await expect(store.append({ tenant: 't', sessionId: 's', messages: [{ role: 'robot', content: 'x' } as unknown as ModelMessage] })).rejects.toThrow(/messages\[0\]\.role/);
  });
});
