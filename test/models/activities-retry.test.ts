import { randomUUID } from 'node:crypto';
import { MockActivityEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { GenerateRequest, GenerateResult } from '../../activities/contracts';
import { createModelActivities } from '../../activities/models/activities';
import { ModelRouter } from '../../activities/models/router';
import { LexicalSimilarity } from '../../activities/models/similarity';
import { MemoryStreamBus } from '../../activities/streams';
import type { StreamEvent } from '../../activities/streams/port';
import { temporalTestContext, type TemporalTestContext } from '../helpers/temporal';
import type { ModelCallOutcome } from './fixtures/model-call-workflow';
import { startLocalProviders, type LocalProviders } from './helpers/providers';

let ctx: TemporalTestContext;
let p: LocalProviders;
let bus: MemoryStreamBus;
let worker: Worker;
let running: Promise<void>;

beforeAll(async () => {
  p = await startLocalProviders();
  ctx = await temporalTestContext('model-activities');
  bus = new MemoryStreamBus();
  const activities = createModelActivities({ router: p.router(), publish: (channel, event) => bus.publish(channel, event) });
  worker = await Worker.create({
    connection: ctx.nativeConnection,
    namespace: 'default',
    taskQueue: ctx.taskQueue,
    workflowsPath: require.resolve('./fixtures/model-call-workflow'),
    activities,
    bundlerOptions: { ignoreModules: [] },
  });
  running = worker.run();
});
afterAll(async () => {
  if (worker?.getState() === 'RUNNING') worker.shutdown();
  await running;
  await ctx?.close();
  await p?.close();
  await bus?.close();
});
beforeEach(() => p.reset());

const noop = () => undefined;
const quietLogger = { trace: noop, debug: noop, info: noop, warn: noop, error: noop, log: noop };

async function waitFor(pred: () => boolean, timeoutMs = 30_000): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; !pred(); ) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

function run(call: object): Promise<ModelCallOutcome> {
  return ctx.client.workflow.execute('modelCallWorkflow', { taskQueue: ctx.taskQueue, workflowId: `model-${randomUUID()}`, args: [call] });
}

const generate = (model = 'openai:gpt-4.1-mini', extra: object = {}) => ({ generate: { model, messages: [{ role: 'user', content: 'hi' }], temperature: 0, ...extra } });

async function collect(channel: string): Promise<StreamEvent[]> {
  const events: StreamEvent[] = [];
  for await (const e of bus.subscribe(channel)) events.push(e.event);
  return events;
}

describe('model activities in a real Temporal worker: provider errors drive the retry policy', () => {
  test('429 with Retry-After: Temporal waits the given delay (not its 50 ms backoff), then succeeds', async () => {
    p.openai.enqueue({ status: 429, headers: { 'retry-after': '1' } }, { text: 'after the wait' });
    const started = Date.now();
    const outcome = await run(generate());
    expect(outcome.result).toMatchObject({ text: 'after the wait', model: 'openai:gpt-4.1-mini' });
    expect(p.openai.requests).toHaveLength(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
  });

  test('500s are retried until the provider recovers', async () => {
    p.anthropic.enqueue({ status: 500 }, { status: 503 }, { text: 'recovered' });
    const outcome = await run(generate('anthropic:claude-sonnet-4-6'));
    expect(outcome.result).toMatchObject({ text: 'recovered' });
    expect(p.anthropic.requests).toHaveLength(3);
  });

  test('a 401 (bad key) is not retried', async () => {
    p.openai.enqueue({ status: 401 });
    const outcome = await run(generate());
    expect(outcome.failure).toMatchObject({ type: 'ModelError.authentication', nonRetryable: true });
    expect(p.openai.requests).toHaveLength(1);
  });

  test('a 400 is not retried', async () => {
    p.gemini.enqueue({ status: 400, errorMessage: 'bad schema' });
    const outcome = await run(generate('gemini:gemini-2.5-flash'));
    expect(outcome.failure).toMatchObject({ type: 'ModelError.bad_request', nonRetryable: true });
    expect(outcome.failure!.message).toContain('bad schema');
    expect(p.gemini.requests).toHaveLength(1);
  });

  test('retryable failures stop at the policy maximum, and only the last attempt ends the stream in an error event', async () => {
    p.grok.respondWith(() => ({ status: 500 }));
    const channel = `test:${randomUUID()}`;
    const events = collect(channel);
    const outcome = await run(generate('grok:grok-4', { streamChannel: channel }));
    p.grok.respondWith(() => ({ text: 'ok' }));
    expect(outcome.failure).toMatchObject({ type: 'ModelError.server_error', nonRetryable: false });
    expect(p.grok.requests).toHaveLength(4);
    const restart = (attempt: number) => ({ type: 'restart', attempt, message: expect.stringContaining(`attempt ${attempt}`) });
    expect(await events).toEqual([restart(2), restart(3), restart(4), { type: 'error', code: 'server_error', message: expect.stringContaining('500'), retryable: true }]);
  });

  test('a stream that fails after some tokens is retried; a restart event tells readers to drop the partial text', async () => {
    p.openai.enqueue({ chunks: ['Refunds ', 'take '], failMidStream: true }, { chunks: ['Refunds ', 'take ', '14 days.'] });
    const channel = `test:${randomUUID()}`;
    const events = collect(channel);
    const outcome = await run(generate('openai:gpt-4.1-mini', { streamChannel: channel }));
    expect(outcome.result).toMatchObject({ text: 'Refunds take 14 days.' });
    expect(p.openai.requests).toHaveLength(2);
    const seen = await events;
    const restartAt = seen.findIndex((e) => e.type === 'restart');
    expect(seen[restartAt]).toEqual({ type: 'restart', attempt: 2, message: expect.any(String) });
    const tokens = (list: StreamEvent[]) => list.filter((e) => e.type === 'token').map((e) => (e as { text: string }).text).join('');
    // What a reader that honours restart shows is exactly the final answer.
    expect(tokens(seen.slice(0, restartAt))).toBe('Refunds ');
    expect(tokens(seen.slice(restartAt + 1))).toBe('Refunds take 14 days.');
    expect(seen.at(-1)).toEqual({ type: 'done', text: 'Refunds take 14 days.' });
  });

  test('tokens, usage and done are published to the stream channel in order', async () => {
    p.openai.enqueue({ chunks: ['The ', 'answer ', 'is 42.'], usage: { inputTokens: 9, outputTokens: 4 } });
    const channel = `test:${randomUUID()}`;
    const events = collect(channel);
    const outcome = await run(generate('openai:gpt-4.1-mini', { streamChannel: channel }));
    expect(outcome.result).toMatchObject({ text: 'The answer is 42.' });
    const seen = await events;
    expect(seen.filter((e) => e.type === 'token').map((e) => (e as { text: string }).text)).toEqual(['The ', 'answer ', 'is 42.']);
    expect(seen.slice(-2)).toEqual([
      { type: 'usage', usage: { inputTokens: 9, outputTokens: 4 }, model: 'openai:gpt-4.1-mini', latencyMs: expect.any(Number) },
      { type: 'done', text: 'The answer is 42.' },
    ]);
  });

  test('a missing key fails at once, naming the variable', async () => {
    const lonely = createModelActivities({ router: new ModelRouter({ env: {} }) });
    await expect(lonely.modelGenerate({ model: 'openai:gpt-4.1-mini', messages: [{ role: 'user', content: 'hi' }] })).rejects.toMatchObject({
      type: 'ModelError.missing_api_key',
      nonRetryable: true,
      message: expect.stringContaining('OPENAI_API_KEY'),
    });
  });

  test('modelDecide runs local:extractive with no key, and a remote model through a JSON decision', async () => {
    const local = await run({ decide: { model: 'local:extractive', kind: 'recognize', instruction: 'Did the user agree?', message: 'yes' } });
    expect(local.result).toMatchObject({ kind: 'recognize', answer: true, model: 'local:extractive' });
    p.anthropic.enqueue({ text: '{"answer": "shipping", "reason": "asks where the parcel is"}' });
    const remote = await run({ decide: { model: 'anthropic:claude-sonnet-4-6', kind: 'choose', instruction: 'Department?', message: 'where is my parcel', options: ['billing', 'shipping'] } });
    expect(remote.result).toMatchObject({ kind: 'choose', answer: 'shipping', optionIndex: 1, reason: 'asks where the parcel is' });
    expect(p.anthropic.requests[0]!.body.temperature).toBe(0);
  });
});

const hiRequest: GenerateRequest = { model: 'openai:gpt-4.1-mini', messages: [{ role: 'user', content: 'hi' }] };

describe('heartbeats', () => {
  test('modelGenerate heartbeats once per streamed chunk', async () => {
    const env = new MockActivityEnvironment(undefined, { logger: quietLogger });
    let beats = 0;
    env.on('heartbeat', () => beats++);
    p.openai.enqueue({ chunks: ['a ', 'b ', 'c ', 'd'] });
    const activities = createModelActivities({ router: p.router(), publish: async () => undefined });
    const result = (await env.run(activities.modelGenerate, hiRequest)) as GenerateResult;
    expect(result.text).toBe('a b c d');
    // role chunk + 4 text chunks + finish chunk + usage chunk
    expect(beats).toBeGreaterThanOrEqual(4);
  });

  test('a cancelled activity aborts the provider call', async () => {
    const env = new MockActivityEnvironment(undefined, { logger: quietLogger });
    // The reply would come after the test's own timeout (120 s), so only an abort can settle the call.
    p.openai.enqueue({ delayMs: 300_000, text: 'never' });
    const activities = createModelActivities({ router: p.router(), publish: async () => undefined });
    const pending = env.run(activities.modelGenerate, hiRequest);
    // Cancel once the provider has the request, so there is a call in flight to abort.
    await waitFor(() => p.openai.requests.length === 1);
    env.cancel();
    await expect(pending).rejects.toMatchObject({ type: 'ModelError.cancelled', nonRetryable: true });
    await waitFor(() => p.openai.abortedByClient === 1);
  });
});
