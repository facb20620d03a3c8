// Concurrent writers on one PostgreSQL database, from separate processes (each its own pool):
// two saves of one topic at the same moment leave one entry; two processes creating keys never
// collide, and one name is given to one of them only.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { createDefaultEmbedder } from '../../activities/embeddings';
import { createMemoryServices, type MemoryServices } from '../../activities/memory/services';
import { QdrantVectorStore } from '../../activities/vectors/qdrant-store';
import { ApiKeyStore } from '../../client/api/auth/key-store';
import { freshPostgresUrl } from '../helpers/postgres';
import { startTestQdrant, type TestQdrant } from '../helpers/qdrant';

interface Reply {
  id: number;
  ok: boolean;
  result?: { id: string; key?: string; name?: string };
  error?: { name: string; message: string };
}

class Writer {
  private readonly pending = new Map<number, (r: Reply) => void>();
  private next = 0;
  readonly ready: Promise<void>;
  constructor(readonly child: ChildProcessWithoutNullStreams) {
    const lines = readline.createInterface({ input: child.stdout });
    let markReady!: () => void;
    this.ready = new Promise((resolve, reject) => {
      markReady = resolve;
      child.once('exit', (code) => reject(new Error(`writer exited with ${code} before it was ready`)));
    });
    lines.on('line', (line) => {
      if (line === 'ready') return markReady();
      const reply = JSON.parse(line) as Reply;
      this.pending.get(reply.id)?.(reply);
    });
  }
  send(cmd: Record<string, unknown>): Promise<Reply> {
    const id = this.next++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.child.stdin.write(`${JSON.stringify({ ...cmd, id })}\n`);
    });
  }
}

let url: string;
let qdrant: TestQdrant;
let writers: Writer[];
const stderr: string[] = [];

beforeAll(async () => {
  [url, qdrant] = await Promise.all([freshPostgresUrl('concurrency'), startTestQdrant()]);
  const env = { ...process.env, PAR_DATABASE_URL: url, QDRANT_URL: qdrant.url, PAR_DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'par-writers-')) };
  writers = [0, 1].map(() => {
    const child = spawn(process.execPath, [path.join(__dirname, '../../bin/run-ts.js'), path.join(__dirname, 'helpers/store-writer.ts')], { env, stdio: 'pipe' });
    child.stderr.on('data', (d: Buffer) => stderr.push(d.toString()));
    return new Writer(child);
  });
  await Promise.all(writers.map((w) => w.ready)).catch((err: Error) => {
    throw new Error(`${err.message}\n${stderr.join('')}`);
  });
});

afterAll(async () => {
  for (const w of writers ?? []) w.child.kill('SIGTERM');
  await qdrant?.close();
});

/** Sends one command to every writer in the same tick. */
const together = (cmd: Record<string, unknown>) => Promise.all(writers.map((w) => w.send(cmd)));

test('two processes saving the same topic at the same moment leave one entry (each round)', async () => {
  const topics = [
    'The customer prefers invoices in euros.',
    'Deploys happen on Tuesdays after the standup.',
    'The on-call phone number is in the ops wiki.',
    'Support tickets are answered within four hours.',
    'The staging database is reset every night.',
  ];
  const tenant = `race-${process.pid}`;
  for (const content of topics) {
    const replies = await together({ op: 'save', tenant, content, scope: 'shared' });
    expect(replies.map((r) => r.error)).toEqual([undefined, undefined]);
    // Both saves report the one entry they ended up in.
    expect(replies[0].result!.id).toBe(replies[1].result!.id);
  }
  let memory: MemoryServices | undefined;
  try {
    memory = await createMemoryServices({ database: { kind: 'postgres', url }, embedder: await createDefaultEmbedder(), vectorStore: new QdrantVectorStore({ url: qdrant.url }) });
    const entries = await memory.vault.list({ tenant });
    expect(entries.map((e) => e.content).sort()).toEqual([...topics].sort());
  } finally {
    await memory?.close();
  }
});

test('two processes creating keys at once: distinct ids, every key verifies, a contested name goes to exactly one', async () => {
  const created: Reply[] = [];
  for (let round = 0; round < 10; round++) created.push(...(await together({ op: 'createKey', name: `agent-${round}-${process.pid}` })));
  // Same name from both in each round: one wins, the other is told the name is taken.
  const wins = created.filter((r) => r.ok);
  const taken = created.filter((r) => !r.ok);
  expect(wins).toHaveLength(10);
  expect(taken.map((r) => r.error!.name)).toEqual(Array(10).fill('KeyNameTakenError'));
  const distinct = await Promise.all(writers.flatMap((w, i) => Array.from({ length: 15 }, (_, j) => w.send({ op: 'createKey', name: `bulk-${i}-${j}-${process.pid}` }))));
  expect(distinct.every((r) => r.ok)).toBe(true);
  const keys = await ApiKeyStore.open({ kind: 'postgres', url });
  try {
    const all = [...wins, ...distinct];
    expect(new Set(all.map((r) => r.result!.id)).size).toBe(all.length);
    for (const r of all) expect(await keys.verify(r.result!.key!)).toMatchObject({ principal: { keyId: r.result!.id } });
    expect(await keys.list()).toHaveLength(all.length);
  } finally {
    await keys.close();
  }
});
