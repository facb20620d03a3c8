import { createActivities } from '../../activities';
import { createModelActivities } from '../../activities/models/activities';
import { startLocalProviders, type LocalProviders } from '../models/helpers/providers';
import { temporalTestContext, type TemporalTestContext } from '../helpers/temporal';
import { flowDef, startFlow } from '../helpers/flows';

let ctx: TemporalTestContext;
let providers: LocalProviders;
beforeAll(async () => {
  ctx = await temporalTestContext('model-switch');
  providers = await startLocalProviders();
  await ctx.startWorker({ activities: { ...createActivities(), ...createModelActivities({ router: providers.router() }) } });
});
afterAll(async () => {
  await ctx?.close();
  await providers?.close();
});

test('a flow switches model per node mid-conversation and every model sees one shared history', async () => {
  providers.openai.enqueue({ text: 'OpenAI here: the order shipped yesterday.' });
  providers.anthropic.enqueue({ text: 'Claude here: expect it within 5 days.' });
  providers.gemini.enqueue({ text: 'Gemini here: anything else?' });
  const def = flowDef('relay', [
    { id: 'start', type: 'start', outputs: { next: 'a' } },
    { id: 'a', type: 'respond', params: { model: 'openai:gpt-4.1-mini', prompt: 'Answer briefly.' }, outputs: { next: 'b' } },
    { id: 'b', type: 'respond', params: { model: 'anthropic:claude-sonnet-4-5', prompt: 'Add a delivery estimate.' }, outputs: { next: 'c' } },
    { id: 'c', type: 'respond', params: { model: 'gemini:gemini-2.5-flash' } },
  ]);
  const r = await (await startFlow(ctx.client, ctx.taskQueue, def, { message: 'Where is my order?' })).result();
  expect(r.responses).toEqual(['OpenAI here: the order shipped yesterday.', 'Claude here: expect it within 5 days.', 'Gemini here: anything else?']);
  expect(r.trail.map((t) => t.detail?.model).filter(Boolean)).toEqual(['openai:gpt-4.1-mini', 'anthropic:claude-sonnet-4-5', 'gemini:gemini-2.5-flash']);
  const claudeSaw = JSON.stringify(providers.anthropic.requests[0].body.messages);
  expect(claudeSaw).toContain('Where is my order?');
  expect(claudeSaw).toContain('OpenAI here: the order shipped yesterday.');
  const geminiSaw = JSON.stringify(providers.gemini.requests[0].body.messages);
  expect(geminiSaw).toContain('Claude here: expect it within 5 days.');
  expect(providers.openai.requests[0].body.temperature).toBe(0);
});
