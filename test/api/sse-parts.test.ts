// The SSE pieces on their own: the client's parser against awkward chunking, and the relay's
// behaviour when the bus fails or goes quiet.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { MemoryStreamBus, type AbortableStreamBus, type StreamEnvelope } from '../../activities/streams';
import { relayChannel, SseWriter } from '../../client/api/sse';
import { parseSse, type SseMessage } from '../../client/sdk';

function streamOf(chunks: string[]): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const c of chunks) controller.enqueue(enc.encode(c));
      controller.close();
    },
  });
}

test('parser: events split anywhere, CRLF, multi-line data, comments', async () => {
  const text = 'id: 1\r\nevent: token\r\ndata: {"a":\r\ndata: 1}\r\n\r\n: keep-alive\n\nid: 2\nevent: done\ndata: {}\n\n';
  const comments: string[] = [];
  for (const size of [1, 3, 7, text.length]) {
    const chunks: string[] = [];
    for (let i = 0; i < text.length; i += size) chunks.push(text.slice(i, i + size));
    const got: SseMessage[] = [];
    for await (const m of parseSse(streamOf(chunks), (c) => comments.push(c))) got.push(m);
    expect(got).toEqual([
      { id: '1', event: 'token', data: '{"a":\n1}' },
      { id: '2', event: 'done', data: '{}' },
    ]);
  }
  expect(comments).toEqual(['keep-alive', 'keep-alive', 'keep-alive', 'keep-alive']);
});

async function relayOnce(bus: AbortableStreamBus, opts: { keepAliveMs: number; idleTimeoutMs: number }): Promise<{ body: string; outcome: string }> {
  let outcome = '';
  const server = http.createServer(async (_req, res) => {
    const sse = new SseWriter(res, opts.keepAliveMs);
    outcome = await relayChannel(bus, 'ch', 0, sse, new AbortController().signal, opts);
    sse.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  const body = await res.text();
  await new Promise((r) => server.close(r));
  return { body, outcome };
}

test('relay: a failing bus ends the stream with stream_unavailable', async () => {
  const broken: AbortableStreamBus = {
    publish: async () => undefined,
    close: async () => undefined,
    // eslint-disable-next-line require-yield
    async *subscribe(): AsyncIterable<StreamEnvelope> {
      throw new Error('connection refused');
    },
  };
  const { body, outcome } = await relayOnce(broken, { keepAliveMs: 1000, idleTimeoutMs: 5000 });
  expect(outcome).toBe('stalled');
  expect(body).toMatch(/event: error\ndata: .*"code":"stream_unavailable".*connection refused/);
});

test('relay: a quiet channel gets keep-alives, then stream_stalled naming the last id', async () => {
  const bus = new MemoryStreamBus();
  await bus.publish('ch', { type: 'token', text: 'a' });
  // Quiet for 1.5 s with a keep-alive due every 50 ms: at least 3 even if the machine stalls a while.
  const { body, outcome } = await relayOnce(bus, { keepAliveMs: 50, idleTimeoutMs: 1500 });
  expect(outcome).toBe('stalled');
  expect(body.match(/: keep-alive/g)!.length).toBeGreaterThanOrEqual(3);
  expect(body).toMatch(/id: 1\nevent: token/);
  expect(body).toMatch(/"code":"stream_stalled".*Last-Event-ID: 1/);
  await bus.close();
});
