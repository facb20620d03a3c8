/**
 * The one conformance suite of the model port (activities/models/port.ts): every remote adapter
 * (OpenAI chat completions, Anthropic messages) must pass all of it, against a local server
 * speaking that provider's wire protocol through the provider's real SDK.
 */
import type { ModelToolSpec } from '../../activities/contracts';
import type { ChatModel, ModelCall } from '../../activities/models/port';
import { failure, user } from './helpers/model-calls';
import type { ScriptedServer } from './helpers/scripted-server';

export interface ModelPortSubject {
  /** The provider's own model name, as the adapter receives it. */
  model: string;
  /** The running wire server the adapter talks to (reset before each test). */
  server: ScriptedServer;
  /** An adapter pointed at the server; `apiKey` or `baseURL` replace the right ones. */
  open(opts?: { apiKey?: string; baseURL?: string }): ChatModel;
  /** Tool specs as this protocol sends them. */
  wireTools(tools: ModelToolSpec[]): unknown;
  /** The body field carrying maxTokens. */
  maxTokensField: string;
  /** What else a streaming request body must hold in this protocol. */
  streamRequest: Record<string, unknown>;
}

export function modelPortConformance(subject: () => ModelPortSubject): void {
  let s: ModelPortSubject;
  beforeEach(() => {
    s = subject();
    s.server.reset();
  });
  const call = (over: Partial<ModelCall> = {}): ModelCall => ({ model: s.model, messages: user('hi'), stream: false, ...over });

  describe('replies', () => {
    test('temperature 0 is sent as 0; without a temperature none is sent, so the provider default applies', async () => {
      await s.open().generate(call({ temperature: 0 }));
      await s.open().generate(call());
      expect(s.server.requests[0]!.body).toHaveProperty('temperature', 0);
      expect(s.server.requests[1]!.body).not.toHaveProperty('temperature');
    });

    test('streaming delivers tokens as they arrive and usage at the end', async () => {
      // The server holds the rest of the stream until the first token has reached the caller.
      let firstTokenArrived!: () => void;
      const holdAfterFirstChunk = new Promise<void>((r) => (firstTokenArrived = r));
      s.server.enqueue({ chunks: ['Hel', 'lo ', 'wor', 'ld'], holdAfterFirstChunk, usage: { inputTokens: 3, outputTokens: 4 } });
      const seen: string[] = [];
      const onChunk = (text: string) => {
        if (!text) return;
        seen.push(text);
        firstTokenArrived();
      };
      const result = await s.open().generate(call({ stream: true, onChunk, temperature: 0, maxTokens: 20 }));
      expect(seen).toEqual(['Hel', 'lo ', 'wor', 'ld']);
      // The first token was handed over while the server was still holding the rest.
      expect(s.server.holdsTimedOut).toBe(0);
      expect(result).toEqual({ text: 'Hello world', toolCalls: [], usage: { inputTokens: 3, outputTokens: 4 }, finishReason: 'stop' });
      expect(s.server.requests[0]!.body).toMatchObject({ ...s.streamRequest, stream: true, temperature: 0, [s.maxTokensField]: 20 });
    });

    test.each([false, true])('tool calls are normalised (stream=%s) and tools go out in the wire shape', async (stream) => {
      s.server.enqueue({
        text: 'Let me check.',
        toolCalls: [
          { id: 'call_1', name: 'get_weather', arguments: { city: 'Oslo', days: [1, 2] } },
          { id: 'call_2', name: 'get_time', arguments: {} },
        ],
      });
      const tools = [
        { name: 'get_weather', description: 'Weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
        { name: 'get_time', description: 'Current time', parameters: { type: 'object', properties: {} } },
      ];
      const result = await s.open().generate(call({ messages: user('weather in Oslo?'), tools, stream }));
      expect(result.text).toBe('Let me check.');
      expect(result.finishReason).toBe('tool_calls');
      expect(result.toolCalls).toEqual([
        { id: 'call_1', name: 'get_weather', arguments: { city: 'Oslo', days: [1, 2] } },
        { id: 'call_2', name: 'get_time', arguments: {} },
      ]);
      expect(s.server.requests[0]!.body.tools).toEqual(s.wireTools(tools));
    });

    test.each([false, true])('a reply cut by the token limit has finishReason "length" (stream=%s)', async (stream) => {
      s.server.enqueue({ text: 'cut', finishReason: 'length' });
      await expect(s.open().generate(call({ stream }))).resolves.toMatchObject({ text: 'cut', finishReason: 'length' });
    });
  });

  describe('errors are typed and classed for the retry policy (SDK retries off)', () => {
    test('429 with Retry-After is retryable and carries the delay; the SDK made one request only', async () => {
      s.server.enqueue({ status: 429, headers: { 'retry-after': '7' } });
      const err = await failure(s.open().generate(call()));
      expect(err).toMatchObject({ code: 'rate_limited', retryable: true, status: 429, retryAfterMs: 7000 });
      expect(s.server.requests).toHaveLength(1);
    });

    test('retry-after-ms wins over Retry-After', async () => {
      s.server.enqueue({ status: 429, headers: { 'retry-after-ms': '1500', 'retry-after': '9' } });
      const err = await failure(s.open().generate(call({ stream: true })));
      expect(err.retryAfterMs).toBe(1500);
    });

    test.each([
      [500, 'server_error', true],
      [503, 'server_error', true],
      [529, 'server_error', true],
      [408, 'request_timeout', true],
      [409, 'conflict', true],
      [400, 'bad_request', false],
      [404, 'not_found', false],
      [403, 'permission_denied', false],
      [413, 'context_overflow', false],
    ])('HTTP %i is %s (retryable: %s), after exactly one request', async (status, code, retryable) => {
      s.server.enqueue({ status });
      const err = await failure(s.open().generate(call({ stream: true })));
      expect(err).toMatchObject({ code, retryable, status });
      expect(s.server.requests).toHaveLength(1);
    });

    test('a wrong key is a non-retryable authentication error', async () => {
      const err = await failure(s.open({ apiKey: 'sk-wrong' }).generate(call()));
      expect(err).toMatchObject({ code: 'authentication', retryable: false, status: 401 });
    });

    test('a dropped connection is a retryable network error', async () => {
      s.server.enqueue({ dropConnection: true });
      const err = await failure(s.open().generate(call()));
      expect(err).toMatchObject({ code: 'network', retryable: true });
    });

    test('nothing listening is a retryable network error', async () => {
      const err = await failure(s.open({ baseURL: 'http://127.0.0.1:9/v1' }).generate(call()));
      expect(err).toMatchObject({ code: 'network', retryable: true });
    });

    test('an error event in the middle of a stream is a retryable stream_error, after the tokens before it', async () => {
      s.server.enqueue({ chunks: ['partial ', 'answer'], failMidStream: true });
      const tokens: string[] = [];
      const err = await failure(s.open().generate(call({ stream: true, onChunk: (t) => void (t && tokens.push(t)) })));
      expect(err).toMatchObject({ code: 'stream_error', retryable: true });
      expect(tokens).toEqual(['partial ']);
    });

    test('a slow first token past the limit is a retryable first_token_timeout; within it the call succeeds', async () => {
      // Replies chosen by the message, not by arrival order: a call aborted before its request
      // reached the server must not leave its reply to the next call.
      s.server.respondWith((req) => (JSON.stringify(req.body.messages).includes('slow') ? { delayMs: 400, text: 'late' } : { delayMs: 300, text: 'late but fine' }));
      try {
        const err = await failure(s.open().generate(call({ messages: user('slow'), stream: true, firstTokenTimeoutMs: 100 })));
        expect(err).toMatchObject({ code: 'first_token_timeout', retryable: true });
        await expect(s.open().generate(call({ messages: user('fine'), stream: true, firstTokenTimeoutMs: 3000 }))).resolves.toMatchObject({ text: 'late but fine' });
      } finally {
        s.server.respondWith(() => ({ text: 'ok' }));
      }
    });

    test('a cancelled call is a non-retryable cancelled error', async () => {
      s.server.enqueue({ delayMs: 2000, text: 'never' });
      const ac = new AbortController();
      setTimeout(() => ac.abort(), 100);
      const err = await failure(s.open().generate(call({ stream: true, signal: ac.signal })));
      expect(err).toMatchObject({ code: 'cancelled', retryable: false });
    });
  });
}
