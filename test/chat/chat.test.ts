import type { ModelMessage, VaultSearchRequest, VaultSearchResult } from '../../activities/contracts';
import { createChat, type ChatEvent, type Retriever } from '../../activities/chat';
import { ModelError } from '../../activities/models/errors';
import { ModelRouter } from '../../activities/models/router';
import { EXTRACTIVE_DISCLOSURE } from '../../activities/models/extractive-model';
import { offlineSearchQuery } from '../../activities/vaults/history-search';
import { startLocalProviders, type LocalProviders } from '../models/helpers/providers';

let p: LocalProviders;
beforeAll(async () => {
  p = await startLocalProviders();
});
afterAll(async () => p?.close());
beforeEach(() => p.reset());

const DOCS = [
  { id: 'd1', vault: 'support', text: 'Refunds are paid within 30 days of the return.', score: 0.9 },
  { id: 'd2', vault: 'support', text: 'Standard shipping takes 5 to 7 business days.', score: 0.4 },
];

/** A retriever over a fixed list that records what chat asked for. */
function recordingRetriever(items = DOCS): { retriever: Retriever; calls: VaultSearchRequest[] } {
  const calls: VaultSearchRequest[] = [];
  const retriever = async (req: VaultSearchRequest): Promise<VaultSearchResult> => {
    calls.push(req);
    return { items: items.slice(0, req.n ?? 4).map((i) => ({ ...i, metadata: {}, created: '', updated: '' })), searchQuery: req.query };
  };
  return { retriever, calls };
}

function chatWith(extra: Partial<Parameters<typeof createChat>[0]> = {}) {
  const { retriever, calls } = recordingRetriever();
  const settings: Record<string, { personality?: string; promptTemplate?: string }> = {};
  const chat = createChat({
    router: p.router(),
    retriever,
    vaultSettings: async (v) => settings[v] ?? {},
    offlineRewrite: offlineSearchQuery,
    maxRetryDelayMs: 50,
    env: {},
    ...extra,
  });
  return { chat, calls, settings };
}

async function events(stream: AsyncIterable<ChatEvent>): Promise<ChatEvent[]> {
  const out: ChatEvent[] = [];
  for await (const e of stream) out.push(e);
  return out;
}

describe('getChat', () => {
  test('retrieves n context items from the vault, renders them into the prompt and answers at temperature 0', async () => {
    const { chat, calls } = chatWith();
    p.openai.enqueue({ text: 'Within 30 days.' });
    const response = await chat.getChat('When are refunds paid?', { vault: 'support', model: 'openai:gpt-4.1-mini', nContext: 1 });
    expect(response).toBe('Within 30 days.');
    expect(calls).toEqual([{ vault: 'support', query: 'When are refunds paid?', n: 1, filter: undefined }]);
    const body = p.openai.requests[0]!.body as { temperature: number; messages: { role: string; content: string }[] };
    expect(body.temperature).toBe(0);
    const last = body.messages[body.messages.length - 1]!;
    expect(last.content).toContain('Refunds are paid within 30 days of the return.');
    expect(last.content).toContain('When are refunds paid?');
    expect(last.content).not.toContain('Standard shipping');
  });

  test('returnContext gives the response, the context items and the search query', async () => {
    const { chat } = chatWith();
    p.anthropic.enqueue({ text: 'Thirty days.', usage: { inputTokens: 50, outputTokens: 3 } });
    const result = await chat.getChat('refund timing?', { vault: 'support', model: 'anthropic:claude-sonnet-4-6', returnContext: true });
    expect(result).toMatchObject({ response: 'Thirty days.', searchQuery: 'refund timing?', model: 'anthropic:claude-sonnet-4-6', usage: { inputTokens: 50, outputTokens: 3 }, droppedHistory: 0 });
    expect(result.context.map((c) => c.id)).toEqual(['d1', 'd2']);
  });

  test("the vault's personality and template apply; options override them", async () => {
    const { chat, settings } = chatWith();
    settings.support = { personality: 'You are Pat from support.', promptTemplate: 'Facts: {context}\nCustomer: {content}' };
    await chat.getChat('refunds?', { vault: 'support', model: 'openai:gpt-4.1-mini' });
    let messages = p.openai.requests[0]!.body.messages as { role: string; content: string }[];
    expect(messages[0]).toEqual({ role: 'system', content: 'You are Pat from support.' });
    expect(messages[1]!.content).toBe(`Facts: [1] (support) ${DOCS[0]!.text}\n\n[2] (support) ${DOCS[1]!.text}\nCustomer: refunds?`);
    await chat.getChat('refunds?', { vault: 'support', model: 'openai:gpt-4.1-mini', personality: 'Be formal.', promptTemplate: '{content} || {context}' });
    messages = p.openai.requests[1]!.body.messages as { role: string; content: string }[];
    expect(messages[0]!.content).toBe('Be formal.');
    expect(messages[1]!.content.startsWith('refunds? || [1]')).toBe(true);
  });

  test('without a vault there is no retrieval and the message goes as is; history is kept in order', async () => {
    const { chat, calls } = chatWith();
    const history: ModelMessage[] = [
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Hello!' },
    ];
    await chat.getChat('How are you?', { model: 'grok:grok-4', history });
    expect(calls).toHaveLength(0);
    expect(p.grok.requests[0]!.body.messages).toEqual([
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Hello!' },
      { role: 'user', content: 'How are you?' },
    ]);
  });

  test('smart history search with a language model: one extra call turns message + history into the search query', async () => {
    const { chat, calls } = chatWith();
    const history: ModelMessage[] = [
      { role: 'user', content: 'My PostgreSQL queries time out after 30 seconds' },
      { role: 'assistant', content: 'That is likely missing indexes or table locks.' },
    ];
    p.openai.enqueue({ text: 'PostgreSQL query timeout indexes locks' }, { text: 'Add an index.' });
    const result = await chat.getChat('How do I fix that?', { vault: 'support', history, smartHistorySearch: true, model: 'openai:gpt-4.1-mini', returnContext: true });
    expect(result.searchQuery).toBe('PostgreSQL query timeout indexes locks');
    expect(calls[0]!.query).toBe('PostgreSQL query timeout indexes locks');
    expect(p.openai.requests).toHaveLength(2);
    const rewrite = p.openai.requests[0]!.body as { temperature: number; messages: { content: string }[]; stream?: boolean };
    expect(rewrite.temperature).toBe(0);
    expect(rewrite.messages[1]!.content).toContain('User: My PostgreSQL queries time out after 30 seconds');
    expect(rewrite.messages[1]!.content).toContain('Latest message: How do I fix that?');
    expect(result.response).toBe('Add an index.');
  });

  test('smart history search with local:extractive uses the offline rewrite (no model call)', async () => {
    const { LexicalSimilarity } = await import('../../activities/models/similarity');
    const { chat, calls } = chatWith({ router: p.router({ similarity: new LexicalSimilarity() }) });
    const history: ModelMessage[] = [{ role: 'user', content: 'Our Kubernetes ingress returns 502 errors' }];
    const result = await chat.getChat('why?', { vault: 'support', history, smartHistorySearch: true, model: 'local:extractive', returnContext: true });
    expect(calls[0]!.query).toBe(offlineSearchQuery('why?', history));
    expect(calls[0]!.query).toContain('Kubernetes');
    expect(result.response).toContain(EXTRACTIVE_DISCLOSURE);
    expect([p.openai, p.anthropic, p.gemini, p.grok].every((s) => s.requests.length === 0)).toBe(true);
  });

  test('with no model named and no key, the offline extractive model answers from the context', async () => {
    const { LexicalSimilarity } = await import('../../activities/models/similarity');
    const { chat } = chatWith({ router: p.router({ similarity: new LexicalSimilarity() }) });
    const response = await chat.getChat('How long does standard shipping take?', { vault: 'support' });
    expect(response).toContain(EXTRACTIVE_DISCLOSURE);
    expect(response).toContain('> Standard shipping takes 5 to 7 business days.');
  });

  test('a provider error is thrown as a typed ModelError', async () => {
    const { chat } = chatWith();
    p.openai.enqueue({ status: 401 });
    await expect(chat.getChat('hi', { model: 'openai:gpt-4.1-mini' })).rejects.toBeInstanceOf(ModelError);
  });

  test('bad options name the field', async () => {
    const { chat } = chatWith();
    await expect(chat.getChat('hi', { vault: 'support', nContext: 0, model: 'openai:gpt-4.1-mini' })).rejects.toThrow(/nContext must be an integer/);
    await expect(chat.getChat('  ', { model: 'openai:gpt-4.1-mini' })).rejects.toThrow(/message must be a non-empty string/);
    await expect(chat.getChat('hi', { model: 'openai:gpt-4.1-mini', history: [{ role: 'bot', content: 'x' } as never] })).rejects.toThrow(/history\[0\]\.role/);
  });
});

describe('getChatStream', () => {
  test('yields tokens, then context, usage and done', async () => {
    const { chat } = chatWith();
    p.openai.enqueue({ chunks: ['Within ', '30 ', 'days.'], usage: { inputTokens: 40, outputTokens: 3 } });
    const seen = await events(chat.getChatStream('refunds?', { vault: 'support', model: 'openai:gpt-4.1-mini', returnContext: true }));
    expect(seen.map((e) => e.type)).toEqual(['token', 'token', 'token', 'context', 'usage', 'done']);
    expect(seen.slice(0, 3).map((e) => (e as { text: string }).text).join('')).toBe('Within 30 days.');
    expect(seen[3]).toMatchObject({ type: 'context', searchQuery: 'refunds?', items: [{ id: 'd1' }, { id: 'd2' }] });
    expect(seen[4]).toMatchObject({ type: 'usage', usage: { inputTokens: 40, outputTokens: 3 }, model: 'openai:gpt-4.1-mini' });
    expect(seen[5]).toEqual({ type: 'done', text: 'Within 30 days.' });
  });

  test('a provider error arrives as one typed error event, never as text', async () => {
    const { chat } = chatWith();
    p.anthropic.enqueue({ status: 401 });
    const seen = await events(chat.getChatStream('hi', { model: 'anthropic:claude-sonnet-4-6' }));
    expect(seen).toEqual([{ type: 'error', code: 'authentication', message: expect.stringContaining('401'), retryable: false }]);
  });

  test('a missing key is an error event naming the variable', async () => {
    const chat = createChat({ router: new ModelRouter({ env: {} }), env: {} });
    const seen = await events(chat.getChatStream('hi', { model: 'gemini:gemini-2.5-flash' }));
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ type: 'error', code: 'missing_api_key', retryable: false, message: expect.stringContaining('GEMINI_API_KEY') });
  });

  test('a 429 before any token is retried after Retry-After; the stream then completes', async () => {
    const { chat } = chatWith({ maxRetryDelayMs: 5000 });
    p.openai.enqueue({ status: 429, headers: { 'retry-after-ms': '30' } }, { text: 'fine now' });
    const seen = await events(chat.getChatStream('hi', { model: 'openai:gpt-4.1-mini' }));
    expect(seen[seen.length - 1]).toEqual({ type: 'done', text: 'fine now' });
    expect(p.openai.requests).toHaveLength(2);
  });

  test('persistent 5xx ends in an error event after the attempts run out', async () => {
    const { chat } = chatWith({ attempts: 2 });
    p.grok.enqueue({ status: 500 }, { status: 502 });
    const seen = await events(chat.getChatStream('hi', { model: 'grok:grok-4' }));
    expect(seen).toEqual([{ type: 'error', code: 'server_error', message: expect.any(String), retryable: true }]);
    expect(p.grok.requests).toHaveLength(2);
  });

  test('a failure after tokens were sent is not retried (that would repeat text) and ends in an error event', async () => {
    const { chat } = chatWith();
    p.openai.enqueue({ chunks: ['Part ', 'two'], failMidStream: true });
    const seen = await events(chat.getChatStream('hi', { model: 'openai:gpt-4.1-mini' }));
    expect(seen).toEqual([
      { type: 'token', text: 'Part ' },
      { type: 'error', code: 'stream_error', message: expect.any(String), retryable: true },
    ]);
    expect(p.openai.requests).toHaveLength(1);
  });

  test('a message too large for the model is a context_overflow error event', async () => {
    const { chat } = chatWith();
    const seen = await events(chat.getChatStream('x'.repeat(40_000), { model: 'openai:gpt-4' }));
    expect(seen).toEqual([{ type: 'error', code: 'context_overflow', message: expect.stringContaining('8192'), retryable: false }]);
    expect(p.openai.requests).toHaveLength(0);
  });
});
