import type { ModelMessage } from '../../activities/contracts';
import { createChat } from '../../activities/chat';
import { answerReserve, messageTokens, trimHistory } from '../../activities/chat/history-trim';
import { contextWindow } from '../../activities/models/context-windows';
import { startLocalProviders, type LocalProviders } from '../models/helpers/providers';

/** n turns of ~500 tokens each: user question, assistant answer. */
function longHistory(turns: number): ModelMessage[] {
  const out: ModelMessage[] = [];
  for (let i = 0; i < turns; i++) {
    out.push({ role: 'user', content: `question ${i} ${'q'.repeat(1000)}` });
    out.push({ role: 'assistant', content: `answer ${i} ${'a'.repeat(1000)}` });
  }
  return out;
}

describe('trimHistory', () => {
  test('keeps the newest whole turns that fit and drops the oldest', () => {
    const history = longHistory(20);
    const window = contextWindow('openai:gpt-4');
    expect(window).toBe(8192);
    const { history: kept, dropped } = trimHistory(history, { model: 'openai:gpt-4', fixedTokens: 100 });
    const budget = window - answerReserve(window) - 100;
    const used = kept.reduce((s, m) => s + messageTokens(m), 0);
    expect(used).toBeLessThanOrEqual(budget);
    // One more turn would not have fit.
    expect(used + messageTokens(history[0]!) + messageTokens(history[1]!)).toBeGreaterThan(budget);
    expect(dropped).toBe(history.length - kept.length);
    expect(dropped % 2).toBe(0);
    expect(kept).toEqual(history.slice(dropped));
    expect(kept[0]!.role).toBe('user');
  });

  test('never separates a tool result from its call, and always keeps system messages', () => {
    const history: ModelMessage[] = [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'x'.repeat(20_000) },
      { role: 'assistant', content: 'ok' },
      { role: 'user', content: 'weather?' },
      { role: 'assistant', content: '', toolCalls: [{ id: 'c1', name: 'weather', arguments: {} }] },
      { role: 'tool', toolCallId: 'c1', content: 'y'.repeat(6000) },
      { role: 'assistant', content: 'It is sunny.' },
    ];
    const { history: kept, dropped } = trimHistory(history, { model: 'openai:gpt-4', fixedTokens: 50 });
    expect(dropped).toBe(2);
    expect(kept.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'tool', 'assistant']);
    // With less room the whole tool turn goes, never just the call or the result.
    const tight = trimHistory(history, { model: 'openai:gpt-4', fixedTokens: 5000 });
    expect(tight.history.map((m) => m.role)).toEqual(['system']);
  });

  test('big windows keep everything', () => {
    const history = longHistory(50);
    expect(trimHistory(history, { model: 'gemini:gemini-2.5-flash', fixedTokens: 100 }).dropped).toBe(0);
  });
});

describe('chat trims history to the model before calling it', () => {
  let p: LocalProviders;
  beforeAll(async () => {
    p = await startLocalProviders();
  });
  afterAll(async () => p?.close());

  test('an 8k-window model gets only the recent turns; the count dropped is reported', async () => {
    const chat = createChat({ router: p.router(), env: {} });
    const history = longHistory(20);
    const result = await chat.getChat('And now?', { model: 'openai:gpt-4', history, returnContext: true });
    const sent = p.openai.requests[0]!.body.messages as { content: string }[];
    expect(result.droppedHistory).toBeGreaterThan(0);
    expect(sent).toHaveLength(history.length - result.droppedHistory + 1);
    expect(sent[sent.length - 1]!.content).toBe('And now?');
    expect(sent[sent.length - 2]!.content.startsWith('answer 19')).toBe(true);
    expect(sent[0]!.content.startsWith(`question ${result.droppedHistory / 2}`)).toBe(true);
  });
});
