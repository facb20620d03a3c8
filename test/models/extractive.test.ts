import type { DecideRequest } from '../../activities/contracts';
import { LOCAL_MODELS, LocalOnnxEmbedder } from '../../activities/embeddings';
import { createDefaultSimilarity } from '../../activities/models/default-similarity';
import { decideExtractive } from '../../activities/models/extractive-decide';
import { EXTRACTIVE_DISCLOSURE } from '../../activities/models/extractive-model';
import { defaultModelId } from '../../activities/models/model-id';
import { ModelRouter } from '../../activities/models/router';
import { EmbeddingSimilarity, LexicalSimilarity, type TextSimilarity } from '../../activities/models/similarity';
import { findNumbers } from '../../activities/models/text-parsing';

const CONTEXT = [
  { id: 'a1', vault: 'support', text: 'Standard shipping takes 5 to 7 business days. Express shipping arrives in 1 to 2 days.' },
  { id: 'a2', vault: 'support', text: 'Refunds are paid within 30 days of the return. Our office is in Oslo.' },
  { id: 'a3', vault: 'support', text: 'Customer service is open around the clock via chat.' },
];

// The embedding models come from the set-up step (PyPI, Maven Central); without them the embeddings
// runs fail, saying so. Every local model gives the same answers: its cosines are mapped onto one
// scale (activities/embeddings/cosine-scale.ts), so one relevance threshold serves them all.
const closers: (() => Promise<void>)[] = [];
const similarities: [string, () => Promise<TextSimilarity>][] = [
  ['lexical TF-IDF', async () => new LexicalSimilarity()],
  ...Object.keys(LOCAL_MODELS).map((id): [string, () => Promise<TextSimilarity>] => [
    `${id} embeddings`,
    async () => {
      const embedder = await LocalOnnxEmbedder.create(LOCAL_MODELS[id]);
      closers.push(() => embedder.close());
      return new EmbeddingSimilarity(embedder);
    },
  ]),
];

afterAll(() => Promise.all(closers.map((close) => close())));

describe.each(similarities)('local:extractive with %s similarity', (_name, makeSimilarity) => {
  let router: ModelRouter;
  beforeAll(async () => {
    router = new ModelRouter({ env: {}, similarity: await makeSimilarity() });
  });
  const decide = (req: Omit<DecideRequest, 'model'>) => router.decide({ model: 'local:extractive', ...req });

  test('answers by quoting the most relevant context sentence, with its source, and says it is extractive', async () => {
    const chunks: string[] = [];
    const result = await router.generate(
      { model: 'local:extractive', messages: [{ role: 'user', content: 'How long does standard shipping take?' }], context: CONTEXT, temperature: 0 },
      { onChunk: (t) => chunks.push(t) },
    );
    expect(result.text.startsWith(EXTRACTIVE_DISCLOSURE)).toBe(true);
    const quotes = result.text.split('\n').filter((l) => l.startsWith('> '));
    expect(quotes[0]).toBe('> Standard shipping takes 5 to 7 business days. [1: support/a1]');
    expect(result.text).not.toContain('Our office is in Oslo');
    expect(chunks.join('')).toBe(result.text);
    expect(result).toMatchObject({ model: 'local:extractive', finishReason: 'stop', toolCalls: [] });
    expect(result.usage.inputTokens).toBeGreaterThan(0);
  });

  test('quotes nothing when no sentence is relevant, and says so', async () => {
    const result = await router.generate({ model: 'local:extractive', messages: [{ role: 'user', content: 'Which telescope lens fits a Dobsonian mount?' }], context: CONTEXT });
    expect(result.text).toContain('None of the 3 context item(s)');
    expect(result.text).not.toContain('> ');
  });

  test('with no context it explains that it only quotes context', async () => {
    const result = await router.generate({ model: 'local:extractive', messages: [{ role: 'user', content: 'hello' }] });
    expect(result.text).toContain(EXTRACTIVE_DISCLOSURE);
    expect(result.text).toContain('No context was retrieved');
  });

  test('recognize: a plain yes/no decides directly; otherwise similarity to the instruction', async () => {
    await expect(decide({ kind: 'recognize', instruction: 'Did the user agree?', message: 'Yes, please go ahead' })).resolves.toMatchObject({ answer: true, kind: 'recognize', model: 'local:extractive' });
    await expect(decide({ kind: 'recognize', instruction: 'Did the user agree?', message: 'nope' })).resolves.toMatchObject({ answer: false });
    const refund = await decide({ kind: 'recognize', instruction: 'Is the user asking for a refund of the order?', message: 'Hello. I would like a refund for my order, it arrived broken.' });
    expect(refund.answer).toBe(true);
    expect(refund.reason).toMatch(/similarity/);
    await expect(decide({ kind: 'recognize', instruction: 'Is the user asking for a refund of the order?', message: 'What are your opening hours on Sunday?' })).resolves.toMatchObject({ answer: false });
  });

  test('choose: a named option wins; otherwise the most similar option', async () => {
    const options = ['billing question', 'shipping status', 'technical support'];
    await expect(decide({ kind: 'choose', instruction: 'Which department?', message: 'I need technical support with my router', options })).resolves.toMatchObject({ answer: 'technical support', optionIndex: 2 });
    const r = await decide({ kind: 'choose', instruction: 'Which department?', message: 'Where is my package? What is the shipping status of order 17?', options: ['billing and invoices', 'package shipping status', 'password reset'] });
    expect(r).toMatchObject({ answer: 'package shipping status', optionIndex: 1 });
  });

  test('number: digits or words; with several, the one in the sentence about the instruction', async () => {
    await expect(decide({ kind: 'number', instruction: 'How many guests?', message: 'We will be twenty five people.' })).resolves.toMatchObject({ answer: 25 });
    await expect(decide({ kind: 'number', instruction: 'What is the budget in dollars?', message: 'My budget is $1,250.50 tops.' })).resolves.toMatchObject({ answer: 1250.5 });
    const two = await decide({ kind: 'number', instruction: 'How many guests are coming to the dinner?', message: 'The dinner is on May 12. There will be 8 guests coming to the dinner.' });
    expect(two.answer).toBe(8);
    await expect(decide({ kind: 'number', instruction: 'How many?', message: 'not sure yet' })).resolves.toMatchObject({ answer: null });
  });

  test('extract: patterns for emails and names, otherwise the most similar span, or null', async () => {
    await expect(decide({ kind: 'extract', instruction: 'the customer email', message: 'Reach me at ada.l@example.com, thanks' })).resolves.toMatchObject({ answer: 'ada.l@example.com' });
    await expect(decide({ kind: 'extract', instruction: 'the user name', message: "Hi, I'm Ada Lovelace and I need help" })).resolves.toMatchObject({ answer: 'Ada Lovelace' });
    const addr = await decide({ kind: 'extract', instruction: 'the delivery address for the order', message: 'I ordered a blue jacket last week. The delivery address is 12 Baker Street in London.' });
    expect(addr.answer).toContain('12 Baker Street');
    await expect(decide({ kind: 'extract', instruction: 'the customer email', message: 'no idea' })).resolves.toMatchObject({ answer: null });
  });
});

describe('offline model helpers', () => {
  test('numbers in digits and words are read in order', () => {
    expect(findNumbers('I have 3 cats, one hundred and two fish and -4.5 degrees; total 1,000,000').map((n) => n.value)).toEqual([3, 102, -4.5, 1_000_000]);
  });

  test('the offline model decides on all-MiniLM-L6-v2 whatever the default local model, so the example flows decide as written', async () => {
    const similarity = await createDefaultSimilarity({ PAR_EMBEDDER: 'local', PAR_LOCAL_EMBEDDING_MODEL: 'e5-small-v2' });
    expect(similarity.method).toBe('embedding:local:all-MiniLM-L6-v2');
    const decision = await decideExtractive(
      { model: 'local:extractive', kind: 'recognize', instruction: 'Is the customer asking about an order, shipping, delivery, tracking, a refund, returns or opening hours?', message: 'I ordered 5 days ago but have not received a tracking number' },
      similarity,
    );
    expect(decision.answer).toBe(true);
  });

  test('defaultModelId: local:extractive without keys; a key or PAR_DEFAULT_MODEL says otherwise', () => {
    expect(defaultModelId({})).toBe('local:extractive');
    expect(defaultModelId({ ANTHROPIC_API_KEY: 'k' })).toBe('anthropic:claude-sonnet-4-6');
    expect(defaultModelId({ OPENAI_API_KEY: 'k', ANTHROPIC_API_KEY: 'k' })).toBe('openai:gpt-4.1-mini');
    expect(defaultModelId({ XAI_API_KEY: 'k' })).toBe('grok:grok-4');
    expect(defaultModelId({ OPENAI_API_KEY: 'k', PAR_DEFAULT_MODEL: 'local:extractive' })).toBe('local:extractive');
    expect(() => defaultModelId({ PAR_DEFAULT_MODEL: 'gpt-4' })).toThrow(/provider:model/);
  });

  test('the model id "default" resolves when the call runs, and the result names the model used', async () => {
    const router = new ModelRouter({ env: {}, similarity: new LexicalSimilarity() });
    await expect(router.generate({ model: 'default', messages: [{ role: 'user', content: 'hi' }] })).resolves.toMatchObject({ model: 'local:extractive' });
    await expect(router.decide({ model: 'default', kind: 'recognize', instruction: 'agree?', message: 'yes' })).resolves.toMatchObject({ model: 'local:extractive', answer: true });
  });

  test('decide rejects a choose without options, naming the field', async () => {
    const router = new ModelRouter({ env: {}, similarity: new LexicalSimilarity() });
    await expect(router.decide({ model: 'local:extractive', kind: 'choose', instruction: 'x', message: 'y' })).rejects.toThrow(/needs options/);
  });
});
