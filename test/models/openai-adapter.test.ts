import { ModelRouter } from '../../activities/models/router';
import type { ModelMessage } from '../../activities/contracts';
import { failure, user } from './helpers/model-calls';
import { startLocalProviders, type LocalProviders } from './helpers/providers';
import { modelPortConformance } from './model-port-conformance';
import { OpenAICompatibleModel } from '../../activities/models/openai-adapter';

let p: LocalProviders;
beforeAll(async () => {
  p = await startLocalProviders();
});
afterAll(async () => p?.close());
beforeEach(() => p.reset());

describe('the OpenAI adapter passes the model-port conformance suite', () => {
  modelPortConformance(() => ({
    model: 'gpt-4.1-mini',
    server: p.openai,
    open: (o = {}) => new OpenAICompatibleModel({ provider: 'openai', apiKey: o.apiKey ?? p.openai.apiKey, baseURL: o.baseURL ?? `${p.openai.url}/v1`, maxTokensField: 'max_completion_tokens' }),
    wireTools: (tools) => tools.map((t) => ({ type: 'function', function: t })),
    maxTokensField: 'max_completion_tokens',
    streamRequest: { stream_options: { include_usage: true } },
  }));
});

describe('OpenAI chat completions through the real openai client', () => {
  test('a JSON completion returns text, usage and latency, and sends temperature 0 and the bare model name', async () => {
    p.openai.enqueue({ text: 'Paris is the capital.', usage: { inputTokens: 21, outputTokens: 6 } });
    const result = await p.router().generate({ model: 'openai:gpt-4.1-mini', messages: user('Capital of France?'), temperature: 0, maxTokens: 50 });
    expect(result).toMatchObject({ text: 'Paris is the capital.', model: 'openai:gpt-4.1-mini', finishReason: 'stop', usage: { inputTokens: 21, outputTokens: 6 }, toolCalls: [] });
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
    const body = p.openai.requests[0]!.body;
    expect(body.model).toBe('gpt-4.1-mini');
    expect(body).toHaveProperty('temperature', 0);
    expect(body.max_completion_tokens).toBe(50);
    expect(body.stream).toBeFalsy();
  });

  test('a history with tool calls and results goes out in the OpenAI wire shape', async () => {
    const messages: ModelMessage[] = [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'weather in Oslo?' },
      { role: 'assistant', content: '', toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: { city: 'Oslo' } }] },
      { role: 'tool', toolCallId: 'call_1', content: '{"tempC": 4}' },
    ];
    await p.router().generate({ model: 'openai:gpt-4.1-mini', messages });
    expect(p.openai.requests[0]!.body.messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'weather in Oslo?' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } }] },
      { role: 'tool', tool_call_id: 'call_1', content: '{"tempC": 4}' },
    ]);
  });

  test('retrieved context is rendered into the last user message through the template', async () => {
    await p.router().generate(
      { model: 'openai:gpt-4.1-mini', messages: [{ role: 'user', content: 'first' }, { role: 'assistant', content: 'ok' }, { role: 'user', content: 'When do refunds happen?' }], context: [{ vault: 'support', text: 'Refunds are paid within 30 days.' }] },
      { promptTemplate: 'CTX<{context}> Q<{content}>' },
    );
    const sent = p.openai.requests[0]!.body.messages as { content: string }[];
    expect(sent[0]!.content).toBe('first');
    expect(sent[2]!.content).toBe('CTX<[1] (support) Refunds are paid within 30 days.> Q<When do refunds happen?>');
  });

  test('Gemini and Grok go to their own OpenAI-compatible endpoints with their own keys', async () => {
    p.gemini.enqueue({ text: 'from gemini' });
    p.grok.enqueue({ text: 'from grok' });
    const router = p.router();
    await expect(router.generate({ model: 'gemini:gemini-2.5-flash', messages: user('hi'), maxTokens: 9 })).resolves.toMatchObject({ text: 'from gemini', model: 'gemini:gemini-2.5-flash' });
    await expect(router.generate({ model: 'grok:grok-4', messages: user('hi') })).resolves.toMatchObject({ text: 'from grok', model: 'grok:grok-4' });
    expect(p.gemini.requests[0]!.headers.authorization).toBe('Bearer gemini-test-key');
    expect(p.gemini.requests[0]!.body).toMatchObject({ model: 'gemini-2.5-flash', max_tokens: 9 });
    expect(p.grok.requests[0]!.headers.authorization).toBe('Bearer xai-test-key');
    expect(p.openai.requests).toHaveLength(0);
  });
});

describe('the router over the adapters', () => {
  test('a handler for chunks alone makes the call stream, and the router\'s first-token timeout applies to it', async () => {
    p.openai.enqueue({ chunks: ['a ', 'b'], usage: { inputTokens: 3, outputTokens: 4 } });
    const seen: string[] = [];
    const result = await p.router().generate({ model: 'openai:gpt-4.1-mini', messages: user('hi'), temperature: 0 }, { onChunk: (t) => void (t && seen.push(t)) });
    expect(seen).toEqual(['a ', 'b']);
    expect(result).toMatchObject({ text: 'a b', model: 'openai:gpt-4.1-mini', usage: { inputTokens: 3, outputTokens: 4 } });
    expect(p.openai.requests[0]!.body).toMatchObject({ stream: true, stream_options: { include_usage: true }, temperature: 0 });
    p.openai.enqueue({ delayMs: 400, text: 'late' });
    const err = await failure(p.router({ firstTokenTimeoutMs: 100 }).generate({ model: 'openai:gpt-4.1-mini', messages: user('hi') }, { stream: true }));
    expect(err).toMatchObject({ code: 'first_token_timeout', retryable: true });
  });

  test('a missing key is a non-retryable error naming the variable, and nothing is sent', async () => {
    const router = new ModelRouter({ env: { ...p.env, XAI_API_KEY: '' } });
    const err = await failure(router.generate({ model: 'grok:grok-4', messages: user('hi') }));
    expect(err).toMatchObject({ code: 'missing_api_key', retryable: false });
    expect(err.message).toContain('XAI_API_KEY');
    expect(p.grok.requests).toHaveLength(0);
  });

  test('bad requests are refused before any call, naming the field', async () => {
    const router = p.router();
    await expect(router.generate({ model: 'openai:gpt-4.1-mini', messages: user('hi'), temperature: 3 })).rejects.toThrow(/temperature must be a number from 0 to 2/);
    await expect(router.generate({ model: 'openai:gpt-4.1-mini', messages: [{ role: 'tool', content: 'x' }] })).rejects.toThrow(/messages\[0\] is a tool result without toolCallId/);
    await expect(router.generate({ model: 'gpt-4.1-mini', messages: user('hi') })).rejects.toThrow(/must be "provider:model"/);
    await expect(router.generate({ model: 'mistral:large', messages: user('hi') })).rejects.toThrow(/unknown model provider "mistral"/);
    expect(p.openai.requests).toHaveLength(0);
  });
});

describe('decisions with a language model', () => {
  test('a JSON reply becomes a typed decision; the request is one non-streamed call at temperature 0', async () => {
    p.openai.enqueue({ text: 'Sure: {"answer": 3, "reason": "three guests named"}' });
    const result = await p.router().decide({ model: 'openai:gpt-4.1-mini', kind: 'number', instruction: 'How many guests?', message: 'Me, Ann and Bo.' });
    expect(result).toMatchObject({ kind: 'number', answer: 3, reason: 'three guests named', model: 'openai:gpt-4.1-mini' });
    expect(p.openai.requests[0]!.body).toMatchObject({ temperature: 0 });
    expect(p.openai.requests[0]!.body.stream).toBeFalsy();
  });

  test('a reply that is not the asked shape is a non-retryable bad_response', async () => {
    p.openai.enqueue({ text: 'I think so.' }, { text: '{"answer": "maybe"}' });
    const router = p.router();
    const noJson = await failure(router.decide({ model: 'openai:gpt-4.1-mini', kind: 'recognize', instruction: 'Agree?', message: 'ok' }));
    expect(noJson).toMatchObject({ code: 'bad_response', retryable: false });
    const notOption = await failure(router.decide({ model: 'openai:gpt-4.1-mini', kind: 'choose', instruction: 'Pick', message: 'x', options: ['a', 'b'] }));
    expect(notOption.message).toContain('not one of the options');
  });
});
