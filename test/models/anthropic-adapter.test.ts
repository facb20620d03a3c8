import type { ModelMessage } from '../../activities/contracts';
import { ModelRouter } from '../../activities/models/router';
import { failure, user } from './helpers/model-calls';
import { startLocalProviders, type LocalProviders } from './helpers/providers';

let p: LocalProviders;
beforeAll(async () => {
  p = await startLocalProviders();
});
afterAll(async () => p?.close());
beforeEach(() => p.reset());

const MODEL = 'anthropic:claude-sonnet-4-6';
describe('Anthropic messages through the real @anthropic-ai/sdk client', () => {
  test('a JSON message returns text and usage; system turns become the system prompt; temperature 0 and max_tokens are sent', async () => {
    p.anthropic.enqueue({ text: 'Bonjour.', usage: { inputTokens: 12, outputTokens: 3 } });
    const result = await p.router().generate({ model: MODEL, messages: [{ role: 'system', content: 'Answer in French.' }, ...user('Hello')], temperature: 0 });
    expect(result).toMatchObject({ text: 'Bonjour.', model: MODEL, usage: { inputTokens: 12, outputTokens: 3 }, finishReason: 'stop', toolCalls: [] });
    const req = p.anthropic.requests[0]!;
    expect(req.headers['x-api-key']).toBe('sk-ant-test');
    // The API version that still accepts temperature; the SDK's default refuses it.
    expect(req.headers['anthropic-version']).toBe('2023-06-01');
    expect(req.body).toMatchObject({ model: 'claude-sonnet-4-6', system: 'Answer in French.', temperature: 0, max_tokens: 4096 });
    expect(req.body.messages).toEqual([{ role: 'user', content: [{ type: 'text', text: 'Hello' }] }]);
  });

  test('streaming delivers text deltas as they arrive, with usage from message_start and message_delta', async () => {
    // The server holds the rest of the stream until the first delta has reached the caller.
    let firstDeltaArrived!: () => void;
    const holdAfterFirstChunk = new Promise<void>((r) => (firstDeltaArrived = r));
    p.anthropic.enqueue({ chunks: ['One ', 'two ', 'three'], holdAfterFirstChunk, usage: { inputTokens: 8, outputTokens: 3 } });
    const seen: string[] = [];
    const onChunk = (t: string) => {
      if (!t) return;
      seen.push(t);
      firstDeltaArrived();
    };
    const result = await p.router().generate({ model: MODEL, messages: user('count'), temperature: 0, maxTokens: 20 }, { onChunk });
    expect(seen).toEqual(['One ', 'two ', 'three']);
    expect(p.anthropic.holdsTimedOut).toBe(0);
    expect(result).toMatchObject({ text: 'One two three', usage: { inputTokens: 8, outputTokens: 3 }, finishReason: 'stop' });
    expect(p.anthropic.requests[0]!.body).toMatchObject({ stream: true, max_tokens: 20, temperature: 0 });
  });

  test.each([false, true])('tool_use blocks become normalised tool calls (stream=%s)', async (stream) => {
    p.anthropic.enqueue({ text: 'Let me check.', toolCalls: [{ id: 'toolu_1', name: 'get_weather', arguments: { city: 'Oslo', days: [1, 2] } }] });
    const tools = [{ name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } }];
    const result = await p.router().generate({ model: MODEL, messages: user('weather?'), tools }, { stream });
    expect(result).toMatchObject({ text: 'Let me check.', finishReason: 'tool_calls', toolCalls: [{ id: 'toolu_1', name: 'get_weather', arguments: { city: 'Oslo', days: [1, 2] } }] });
    expect(p.anthropic.requests[0]!.body.tools).toEqual([{ name: 'get_weather', description: 'Weather', input_schema: tools[0]!.parameters }]);
  });

  test('max_tokens stop is reported as finishReason "length"', async () => {
    p.anthropic.enqueue({ text: 'cut', finishReason: 'length' });
    await expect(p.router().generate({ model: MODEL, messages: user('long') }, { stream: true })).resolves.toMatchObject({ finishReason: 'length' });
  });
});

describe('one shared, provider-neutral history across a model switch', () => {
  test('an OpenAI tool call and its result continue on Anthropic as tool_use / tool_result blocks', async () => {
    const router = p.router();
    const history: ModelMessage[] = [{ role: 'system', content: 'You are terse.' }, { role: 'user', content: 'Weather in Oslo?' }];
    p.openai.enqueue({ toolCalls: [{ id: 'call_9', name: 'get_weather', arguments: { city: 'Oslo' } }] });
    const first = await router.generate({ model: 'openai:gpt-4.1-mini', messages: history }, { stream: true });
    history.push({ role: 'assistant', content: first.text, toolCalls: first.toolCalls });
    history.push({ role: 'tool', toolCallId: 'call_9', content: '4 degrees' });
    p.anthropic.enqueue({ text: 'It is 4 degrees in Oslo.' });
    const second = await router.generate({ model: MODEL, messages: history }, { stream: true });
    history.push({ role: 'assistant', content: second.text });
    history.push({ role: 'user', content: 'Thanks' });
    p.gemini.enqueue({ text: 'You are welcome.' });
    await router.generate({ model: 'gemini:gemini-2.5-flash', messages: history });

    expect(p.anthropic.requests[0]!.body.system).toBe('You are terse.');
    expect(p.anthropic.requests[0]!.body.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Weather in Oslo?' }] },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'call_9', name: 'get_weather', input: { city: 'Oslo' } }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'call_9', content: '4 degrees' }] },
    ]);
    const geminiMessages = p.gemini.requests[0]!.body.messages as { role: string; content: unknown }[];
    expect(geminiMessages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'tool', 'assistant', 'user']);
    expect(geminiMessages[4]!.content).toBe('It is 4 degrees in Oslo.');
  });
});

describe('Anthropic errors are typed and classed for the retry policy (SDK retries off)', () => {
  test('429 with Retry-After is retryable with the delay, after exactly one request', async () => {
    p.anthropic.enqueue({ status: 429, headers: { 'retry-after': '3' } });
    const err = await failure(p.router().generate({ model: MODEL, messages: user('hi') }));
    expect(err).toMatchObject({ code: 'rate_limited', retryable: true, status: 429, retryAfterMs: 3000 });
    expect(p.anthropic.requests).toHaveLength(1);
  });

  test.each([
    [500, 'server_error', true],
    [529, 'server_error', true],
    [400, 'bad_request', false],
    [413, 'context_overflow', false],
  ])('HTTP %i is %s (retryable: %s)', async (status, code, retryable) => {
    p.anthropic.enqueue({ status });
    const err = await failure(p.router().generate({ model: MODEL, messages: user('hi') }, { stream: true }));
    expect(err).toMatchObject({ code, retryable, status });
  });

  test('with the SDK default API version (2026-10-21) temperature is refused: a non-retryable bad_request', async () => {
    const router = new ModelRouter({ env: { ...p.env, PAR_ANTHROPIC_API_VERSION: '2026-10-21' } });
    const err = await failure(router.generate({ model: MODEL, messages: user('hi'), temperature: 0 }));
    expect(err).toMatchObject({ code: 'bad_request', retryable: false, status: 400 });
    expect(err.message).toContain('temperature');
  });

  test('a wrong key is a non-retryable authentication error', async () => {
    const router = new ModelRouter({ env: { ...p.env, ANTHROPIC_API_KEY: 'sk-ant-wrong' } });
    const err = await failure(router.generate({ model: MODEL, messages: user('hi') }));
    expect(err).toMatchObject({ code: 'authentication', retryable: false, status: 401 });
  });

  test('a missing key names ANTHROPIC_API_KEY', async () => {
    const router = new ModelRouter({ env: { OPENAI_API_KEY: 'x' } });
    const err = await failure(router.generate({ model: MODEL, messages: user('hi') }));
    expect(err).toMatchObject({ code: 'missing_api_key', retryable: false });
    expect(err.message).toContain('ANTHROPIC_API_KEY');
  });

  test('an overloaded error event mid-stream is a retryable stream_error', async () => {
    p.anthropic.enqueue({ chunks: ['partial'], failMidStream: true });
    const err = await failure(p.router().generate({ model: MODEL, messages: user('hi') }, { stream: true }));
    expect(err).toMatchObject({ code: 'stream_error', retryable: true });
  });

  test('a slow first event past the limit is a retryable first_token_timeout', async () => {
    p.anthropic.enqueue({ delayMs: 400, text: 'late' });
    const err = await failure(p.router({ firstTokenTimeoutMs: 100 }).generate({ model: MODEL, messages: user('hi') }, { stream: true }));
    expect(err).toMatchObject({ code: 'first_token_timeout', retryable: true });
  });
});
