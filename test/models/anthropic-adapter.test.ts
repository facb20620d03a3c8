import type { ModelMessage } from '../../activities/contracts';
import { ModelRouter } from '../../activities/models/router';
import { failure, user } from './helpers/model-calls';
import { startLocalProviders, type LocalProviders } from './helpers/providers';
import { modelPortConformance } from './model-port-conformance';
import { AnthropicModel } from '../../activities/models/anthropic-adapter';

let p: LocalProviders;
beforeAll(async () => {
  p = await startLocalProviders();
});
afterAll(async () => p?.close());
beforeEach(() => p.reset());

const MODEL = 'anthropic:claude-sonnet-4-6';
describe('the Anthropic adapter passes the model-port conformance suite', () => {
  modelPortConformance(() => ({
    model: 'claude-sonnet-4-6',
    server: p.anthropic,
    open: (o = {}) => new AnthropicModel({ apiKey: o.apiKey ?? p.anthropic.apiKey, baseURL: o.baseURL ?? p.anthropic.url }),
    wireTools: (tools) => tools.map((t) => ({ name: t.name, description: t.description, input_schema: t.parameters })),
    maxTokensField: 'max_tokens',
    streamRequest: {},
  }));
});

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

describe('Anthropic setup errors', () => {
  test('with the SDK default API version (2026-10-21) temperature is refused: a non-retryable bad_request', async () => {
    const router = new ModelRouter({ env: { ...p.env, PAR_ANTHROPIC_API_VERSION: '2026-10-21' } });
    const err = await failure(router.generate({ model: MODEL, messages: user('hi'), temperature: 0 }));
    expect(err).toMatchObject({ code: 'bad_request', retryable: false, status: 400 });
    expect(err.message).toContain('temperature');
  });

  test('a missing key names ANTHROPIC_API_KEY', async () => {
    const router = new ModelRouter({ env: { OPENAI_API_KEY: 'x' } });
    const err = await failure(router.generate({ model: MODEL, messages: user('hi') }));
    expect(err).toMatchObject({ code: 'missing_api_key', retryable: false });
    expect(err.message).toContain('ANTHROPIC_API_KEY');
  });
});
