// Chat and chat streams through the API, over the real chat library, vault service and model
// router (a local OpenAI-protocol server on loopback, and the offline local:extractive model).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createChat, vaultServiceRetriever, vaultServiceSettings } from '../../activities/chat';
import { ModelRouter } from '../../activities/models/router';
import { MemoryStreamBus, type StreamEnvelope } from '../../activities/streams';
import { offlineSearchQuery } from '../../activities/vaults/history-search';
import { createVaultService, type VaultService } from '../../activities/vaults';
import { ParApiError, type StreamedEvent } from '../../client/sdk';
import { OpenAIWireServer } from '../models/helpers/openai-wire-server';
import { startTestApi, type TestApi } from './helpers/api';

let api: TestApi;
let vaults: VaultService;
let model: OpenAIWireServer;
const bus = new MemoryStreamBus();
const abandonMs = process.env.PAR_STREAM_ABANDON_MS;

beforeAll(async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'par-api-chat-'));
  vaults = await createVaultService({ env: { ...process.env, PAR_DATA_DIR: dataDir, QDRANT_URL: '' } });
  model = await new OpenAIWireServer('sk-test').start();
  const env = { ...process.env, OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: `${model.url}/v1` };
  const chat = createChat({
    router: new ModelRouter({ env }),
    retriever: vaultServiceRetriever(async () => vaults),
    vaultSettings: vaultServiceSettings(async () => vaults),
    offlineRewrite: offlineSearchQuery,
    attempts: 1,
    env,
  });
  // Long enough for a client that dropped to reconnect on a loaded machine before its stream is
  // given up; the abandoned stream below is made to outlast it by far.
  process.env.PAR_STREAM_ABANDON_MS = '5000';
  api = await startTestApi({ services: { chat, vaults, bus }, dataDir, sse: { keepAliveMs: 150, idleTimeoutMs: 10_000 } });
  await vaults.add('handbook', 'Refunds are paid within 14 days of receiving the return.');
  await vaults.add('handbook', 'The office cat is called Miso.');
});
afterAll(async () => {
  if (abandonMs === undefined) delete process.env.PAR_STREAM_ABANDON_MS;
  else process.env.PAR_STREAM_ABANDON_MS = abandonMs;
  await api?.close();
  await bus.close();
  await model?.close();
  await vaults?.close();
});

const text = (events: StreamedEvent[]) => events.filter((e) => e.type === 'token').map((e) => (e as { text: string }).text).join('');

test('POST /v1/chat answers from the vault context', async () => {
  const c = (await api.clientWith({ vaults: { handbook: 'read' } })).client;
  const res = (await c.chat({ message: 'How long do refunds take?', vault: 'handbook', model: 'local:extractive', n: 1 })) as {
    response: string;
    context: { text: string }[];
    model: string;
  };
  expect(res.response).toMatch(/14 days/);
  expect(res.context).toHaveLength(1);
  expect(res.model).toBe('local:extractive');
});

test('POST /v1/chat/stream: tokens, context, usage and done, in order with ids', async () => {
  const c = (await api.clientWith({ vaults: { handbook: 'read' } })).client;
  model.enqueue({ text: 'Refunds take fourteen days.', chunkDelayMs: 20 });
  const events: StreamedEvent[] = [];
  for await (const e of c.chatStream({ message: 'How long do refunds take?', vault: 'handbook', model: 'openai:gpt-test' })) events.push(e);
  expect(text(events)).toBe('Refunds take fourteen days.');
  const kinds = events.map((e) => e.type);
  expect(kinds.slice(-3)).toEqual(['context', 'usage', 'done']);
  expect((events.find((e) => e.type === 'context') as { items: { text: string }[] }).items[0].text).toMatch(/14 days/);
  expect(events.map((e) => e.id)).toEqual(events.map((_, i) => i + 1));
  // The model saw the retrieved context.
  expect(JSON.stringify(model.requests.at(-1)!.body)).toMatch(/14 days/);
});

test('slow first tokens get keep-alive comments; provider errors become an error event', async () => {
  const c = (await api.clientWith({ vaults: {} })).client;
  // Keep-alives come every 150 ms: a first byte after 2 s leaves room for many, even on a busy machine.
  model.enqueue({ text: 'late answer', delayMs: 2000 });
  let keepAlives = 0;
  const events: StreamedEvent[] = [];
  for await (const e of c.chatStream({ message: 'hi', model: 'openai:gpt-test' }, { onKeepAlive: () => keepAlives++ })) events.push(e);
  expect(keepAlives).toBeGreaterThanOrEqual(2);
  expect(text(events)).toBe('late answer');

  model.enqueue({ status: 400, errorMessage: 'bad things in the prompt' });
  const failed: StreamedEvent[] = [];
  for await (const e of c.chatStream({ message: 'hi', model: 'openai:gpt-test' })) failed.push(e);
  expect(failed).toEqual([expect.objectContaining({ type: 'error', code: 'bad_request', retryable: false })]);
});

test('a client that disconnects can resume with Last-Event-ID; an abandoned stream is stopped', async () => {
  const { client: c, keyId, key } = await api.clientWith({ vaults: {} });
  const words = Array.from({ length: 12 }, (_, i) => `t${i}`).join(' ');
  model.enqueue({ text: words, chunkDelayMs: 40 });
  const res = await fetch(`${api.url}/v1/chat/stream`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ message: 'count', model: 'openai:gpt-test' }),
  });
  const channel = res.headers.get('x-par-stream')!;
  expect(channel).toMatch(new RegExp(`^chat:${keyId}:`));
  // Read a little, then drop the connection.
  const reader = res.body!.getReader();
  let seen = '';
  while (!/id: 3\n/.test(seen)) seen += new TextDecoder().decode((await reader.read()).value);
  await reader.cancel();
  const resumed: StreamedEvent[] = [];
  for await (const e of c.resumeStream(channel, 3)) resumed.push(e);
  expect(resumed[0].id).toBe(4);
  expect(resumed.at(-1)).toMatchObject({ type: 'done', text: words });

  // Another key cannot read the stream.
  const other = (await api.clientWith({ vaults: {} })).client;
  const it = other.resumeStream(channel, 0)[Symbol.asyncIterator]();
  const err = await it.next().then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ParApiError);
  expect((err as ParApiError).status).toBe(403);

  // Nobody reading for longer than the abandon delay: the model call is stopped and the channel ends in error.
  // The model sends one token, then would wait longer than the test may run: only abandoning ends this stream.
  model.enqueue({ chunks: ['s0 ', 's1'], chunkDelayMs: 600_000 });
  const hangUpsBefore = model.abortedByClient;
  const ac = new AbortController();
  const stream = c.chatStream({ message: 'long', model: 'openai:gpt-test' }, { signal: ac.signal, maxReconnects: 0 });
  for await (const e of stream) {
    if (e.type === 'token') {
      ac.abort();
      break;
    }
  }
  const last = await lastEventOfNewestChatChannel(keyId);
  expect(last.event).toMatchObject({ type: 'error', code: 'abandoned' });
  // The model call itself was stopped: the provider saw the client hang up.
  await until(() => model.abortedByClient > hangUpsBefore);
});

async function until(pred: () => boolean, timeoutMs = 60_000): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; !pred(); ) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function lastEventOfNewestChatChannel(keyId: string): Promise<StreamEnvelope> {
  const deadline = Date.now() + 60_000;
  const channels = (bus as unknown as { channels: Map<string, unknown> }).channels;
  const mine = [...channels.keys()].filter((c) => c.startsWith(`chat:${keyId}:`));
  const channel = mine.at(-1)!;
  for (;;) {
    const events: StreamEnvelope[] = [];
    const ac = new AbortController();
    const t = setTimeout(() => ac.abort(), 200);
    for await (const e of bus.subscribe(channel, 0, ac.signal)) events.push(e);
    clearTimeout(t);
    const last = events.at(-1)!;
    if (last.event.type === 'error' || last.event.type === 'done' || Date.now() > deadline) return last;
  }
}

test("chat context only from vaults the key may read", async () => {
  const c = (await api.clientWith({ vaults: { other: 'read' } })).client;
  const err = await c.chat({ message: 'cat?', vault: 'handbook', model: 'local:extractive' }).then(() => undefined, (e: unknown) => e);
  expect((err as ParApiError).status).toBe(403);
  const it = c.chatStream({ message: 'cat?', vaults: { other: 1, handbook: 1 } })[Symbol.asyncIterator]();
  const err2 = await it.next().then(() => undefined, (e: unknown) => e);
  expect((err2 as ParApiError).code).toBe('forbidden');
});
