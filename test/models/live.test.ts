// Runs against the real providers only when their keys are set; otherwise each block says it was
// skipped and why. Model names can be overridden with PAR_LIVE_<PROVIDER>_MODEL.
import { ModelRouter } from '../../activities/models/router';
import { PROVIDERS } from '../../activities/models/model-id';
import { LexicalSimilarity } from '../../activities/models/similarity';

const LIVE = [
  { provider: 'openai', model: process.env.PAR_LIVE_OPENAI_MODEL || `openai:${PROVIDERS.openai.defaultModel}` },
  { provider: 'anthropic', model: process.env.PAR_LIVE_ANTHROPIC_MODEL || `anthropic:${PROVIDERS.anthropic.defaultModel}` },
  { provider: 'gemini', model: process.env.PAR_LIVE_GEMINI_MODEL || `gemini:${PROVIDERS.gemini.defaultModel}` },
  { provider: 'grok', model: process.env.PAR_LIVE_GROK_MODEL || `grok:${PROVIDERS.grok.defaultModel}` },
] as const;

for (const { provider, model } of LIVE) {
  const keyVar = PROVIDERS[provider].keyVar!;
  if (!process.env[keyVar]) {
    console.log(`live ${provider} suite skipped: ${keyVar} is not set`);
    describe(`live ${provider} (skipped: ${keyVar} not set)`, () => {
      test.skip(`${model} streams, calls tools and decides`, () => undefined);
    });
    continue;
  }
  describe(`live ${provider} (${model})`, () => {
    const router = new ModelRouter({ similarity: new LexicalSimilarity() });

    test('streams an answer at temperature 0 with usage', async () => {
      const chunks: string[] = [];
      const result = await router.generate(
        { model, messages: [{ role: 'user', content: 'Reply with exactly the word: pong' }], temperature: 0, maxTokens: 20 },
        { onChunk: (t) => t && chunks.push(t) },
      );
      expect(result.text.toLowerCase()).toContain('pong');
      expect(chunks.join('')).toBe(result.text);
      expect(result.usage.inputTokens).toBeGreaterThan(0);
      expect(result.usage.outputTokens).toBeGreaterThan(0);
    });

    test('makes a normalised tool call', async () => {
      const result = await router.generate({
        model,
        messages: [{ role: 'user', content: 'What is the weather in Oslo? Use the tool.' }],
        temperature: 0,
        maxTokens: 200,
        tools: [{ name: 'get_weather', description: 'Current weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } }],
      });
      expect(result.finishReason).toBe('tool_calls');
      expect(result.toolCalls[0]).toMatchObject({ name: 'get_weather', arguments: { city: expect.stringMatching(/oslo/i) } });
    });

    test('decides a recognize question', async () => {
      const result = await router.decide({ model, kind: 'recognize', instruction: 'Is the user asking for a refund?', message: 'I want my money back for this broken kettle.' });
      expect(result.answer).toBe(true);
    });
  });
}
