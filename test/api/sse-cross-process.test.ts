// Tokens from a model activity on a worker PROCESS reach the API's SSE client through Redis;
// killing the worker mid-stream ends the client's stream with an error, never a silent hang.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { RedisStreamBus } from '../../activities/streams';
import { FlowService } from '../../client/services/flows';
import { ParClient, type StreamedEvent } from '../../client/sdk';
import { readTestEnv } from '../helpers/test-env';
import { OpenAIWireServer } from '../models/helpers/openai-wire-server';
import { startTestApi, type TestApi } from './helpers/api';
import { startTestRedis, type TestRedis } from './helpers/redis';

// redis-server comes from the set-up step (scripts/system-packages.json); without it this fails, saying so.
describe('SSE across processes (API here, worker in a child process, Redis between)', () => {
  let redis: TestRedis;
  let model: OpenAIWireServer;
  let api: TestApi;
  let api2: TestApi;
  let apiQuick: TestApi;
  let bus2: RedisStreamBus;
  let bus: RedisStreamBus;
  let connection: Connection;
  let worker: ChildProcess | undefined;
  const taskQueue = `api-sse-${process.pid}-${Date.now()}`;

  function startWorker(): Promise<ChildProcess> {
    const env = readTestEnv();
    const proc = spawn(process.execPath, [path.join(__dirname, '../../bin/run-ts.js'), path.join(__dirname, 'fixtures/stream-worker.ts')], {
      env: {
        ...process.env,
        PAR_REDIS_URL: redis.url,
        OPENAI_API_KEY: 'sk-test',
        OPENAI_BASE_URL: `${model.url}/v1`,
        STREAM_WORKER_TEMPORAL: env.temporalAddress,
        STREAM_WORKER_QUEUE: taskQueue,
        STREAM_WORKER_BUNDLE: env.bundlePath,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    return new Promise((resolve, reject) => {
      proc.stdout!.on('data', (d: Buffer) => {
        if (d.toString().includes('worker ready')) resolve(proc);
      });
      proc.once('exit', (code) => reject(new Error(`worker exited (${code}) before it was ready: ${err}`)));
    });
  }

  beforeAll(async () => {
    redis = await startTestRedis();
    model = await new OpenAIWireServer('sk-test').start();
    bus = new RedisStreamBus(redis.url);
    connection = await Connection.connect({ address: readTestEnv().temporalAddress });
    const flows = new FlowService(new Client({ connection, namespace: 'default' }), taskQueue);
    // A quiet stream ends only after a minute here: a worker process that is slow to send its first
    // token on a busy machine must not look like a dead one.
    api = await startTestApi({ services: { flows, bus }, sse: { keepAliveMs: 300, idleTimeoutMs: 60_000 } });
    // A second API process's worth of state: its own Redis connections, the same key store.
    bus2 = new RedisStreamBus(redis.url);
    api2 = await startTestApi({ services: { flows, bus: bus2 }, dataDir: api.dataDir, sse: { keepAliveMs: 300, idleTimeoutMs: 60_000 } });
    // And one that gives up on a quiet stream soon, for the test that kills the worker.
    apiQuick = await startTestApi({ services: { flows, bus }, dataDir: api.dataDir, sse: { keepAliveMs: 300, idleTimeoutMs: 5000 } });
    worker = await startWorker();
  });
  afterAll(async () => {
    if (worker && worker.exitCode === null && worker.signalCode === null) worker.kill('SIGKILL');
    await apiQuick?.close();
    await api2?.close();
    await api?.close();
    await bus2?.close();
    await bus?.close();
    await connection?.close();
    await model?.close();
    await redis?.stop();
  });

  const flow = {
    id: 'api_stream_xproc',
    version: '1',
    defaults: { model: 'openai:gpt-test' },
    nodes: [
      { id: 'start', type: 'start', outputs: { next: 'answer' } },
      { id: 'answer', type: 'respond', params: { prompt: 'Answer.' }, outputs: { next: 'done' } },
      { id: 'done', type: 'end' },
    ],
  };

  test('tokens published by the worker process arrive in order, then done', async () => {
    model.enqueue({ text: 'alpha beta gamma delta', chunkDelayMs: 50 });
    const c = (await api.clientWith({ flows: [flow.id] })).client;
    const run = await c.startRun(flow.id, { definition: flow, message: 'go' });
    const events: StreamedEvent[] = [];
    for await (const e of c.runEvents(run.runId)) events.push(e);
    expect(events.filter((e) => e.type === 'token').map((e) => (e as { text: string }).text).join('')).toBe('alpha beta gamma delta');
    expect(events.at(-1)).toMatchObject({ type: 'done', text: 'alpha beta gamma delta' });
  });

  test('a client that drops can resume on another API instance with Last-Event-ID', async () => {
    model.enqueue({ text: 'one two three four five six seven eight', chunkDelayMs: 60 });
    const { key } = await api.clientWith({ flows: [flow.id] });
    const first = new ParClient({ baseUrl: api.url, apiKey: key });
    const second = new ParClient({ baseUrl: api2.url, apiKey: key });
    const run = await first.startRun(flow.id, { definition: flow, message: 'go' });
    const seen: StreamedEvent[] = [];
    for await (const e of first.runEvents(run.runId)) {
      seen.push(e);
      if (seen.length === 2) break;
    }
    const rest: StreamedEvent[] = [];
    for await (const e of second.runEvents(run.runId, seen[1].id)) rest.push(e);
    expect(rest[0].id).toBe(3);
    const all = [...seen, ...rest];
    expect(all.filter((e) => e.type === 'token').map((e) => (e as { text: string }).text).join('')).toBe('one two three four five six seven eight');
    expect(rest.at(-1)).toMatchObject({ type: 'done' });
  });

  test('killing the worker mid-stream ends the stream with a retryable error, not a hang', async () => {
    // 200 tokens take 16 s to stream: the kill after the third always comes long before the end.
    const words = Array.from({ length: 200 }, (_, i) => `w${i}`).join(' ');
    model.enqueue({ text: words, chunkDelayMs: 80 });
    const { key } = await api.clientWith({ flows: [flow.id] });
    const c = new ParClient({ baseUrl: api.url, apiKey: key });
    const run = await c.startRun(flow.id, { definition: flow, message: 'go' });
    // Wait for the stream to be flowing (through the patient API), then follow it where quiet ends it.
    for await (const e of c.runEvents(run.runId)) if (e.type === 'token') break;
    const quick = new ParClient({ baseUrl: apiQuick.url, apiKey: key });
    const events: StreamedEvent[] = [];
    let keepAlives = 0;
    for await (const e of quick.runEvents(run.runId, 0, { onKeepAlive: () => keepAlives++ })) {
      events.push(e);
      if (events.filter((x) => x.type === 'token').length === 3) worker!.kill('SIGKILL');
    }
    const tokens = events.filter((e) => e.type === 'token').map((e) => (e as { text: string }).text).join('');
    expect(words.startsWith(tokens)).toBe(true);
    // The worker was killed mid-stream, at the third token.
    expect(events.filter((e) => e.type === 'token').length).toBeGreaterThanOrEqual(3);
    expect(tokens.length).toBeLessThan(words.length);
    expect(events.at(-1)).toMatchObject({ type: 'error', code: 'stream_stalled', retryable: true });
    expect(keepAlives).toBeGreaterThan(0);
    await connection.workflowService.terminateWorkflowExecution({ namespace: 'default', workflowExecution: { workflowId: run.runId }, reason: 'test done' });
  });
});
