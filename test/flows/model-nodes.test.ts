import { temporalTestContext, type TemporalTestContext } from '../helpers/temporal';
import { flowDef, localActivities, scheduledActivities, startFlow } from '../helpers/flows';

let ctx: TemporalTestContext;
beforeAll(async () => {
  ctx = await temporalTestContext('models');
  await ctx.startWorker();
});
afterAll(async () => ctx?.close());

test('choose, number and capture decide through the offline model, as local activities', async () => {
  const def = flowDef('triage', [
    { id: 'start', type: 'start', outputs: { next: 'topic' } },
    { id: 'topic', type: 'choose', params: { question: 'What is the message about?', options: ['billing', 'shipping', 'other'], variable: 'topic' }, outputs: { billing: 'qty', shipping: 'qty', other: 'qty' } },
    { id: 'qty', type: 'number', params: { question: 'How many items?', variable: 'count' }, outputs: { next: 'fields' } },
    { id: 'fields', type: 'capture', params: { fields: [{ name: 'email', description: 'the customer email address' }, { name: 'who', description: 'the customer name' }] }, outputs: { next: 'done' } },
    { id: 'done', type: 'end' },
  ]);
  const h = await startFlow(ctx.client, ctx.taskQueue, def, { message: 'My name is Ada Lovelace. The shipping of my 3 lamps is late, write to ada@example.com' });
  const r = await h.result();
  expect(r.trail.find((t) => t.node === 'topic')!.output).toBe('shipping');
  expect(r.variables).toMatchObject({ topic: 'shipping', count: 3, email: 'ada@example.com', who: 'Ada Lovelace' });
  // a fast read: each decision is one local activity (capture's two fields ran together), none a regular one
  expect((await localActivities(h)).filter((a) => a === 'modelDecideOffline')).toHaveLength(4);
  expect((await scheduledActivities(h)).filter((a) => a.startsWith('modelDecide'))).toEqual([]);
});

test('add_to_vault then retrieve and generate: the model answers from what the flow stored', async () => {
  const vault = `notes-${Date.now()}`;
  const def = flowDef(
    'note_taker',
    [
      { id: 'start', type: 'start', outputs: { next: 'save' } },
      { id: 'save', type: 'add_to_vault', params: { text: 'The staging database password rotates every Monday at 9am. Backups run nightly at 2am.', metadata: { source: '{who}' }, variable: 'ids' }, outputs: { next: 'find' } },
      { id: 'find', type: 'retrieve', params: { query: 'when do backups run', n: 1, variable: 'hits' }, outputs: { next: 'answer' } },
      { id: 'answer', type: 'generate', params: { prompt: 'Answer the question from the context.', variable: 'answer', n: 2 }, outputs: { next: 'done' } },
      { id: 'done', type: 'respond', params: { text: '{answer}' } },
    ],
    { defaults: { vault }, variables: { who: { type: 'string', default: 'ops' } } },
  );
  const r = await (await startFlow(ctx.client, ctx.taskQueue, def, { message: 'When do the backups run?' })).result();
  expect((r.variables.ids as string[]).length).toBeGreaterThan(0);
  const hits = r.variables.hits as { text: string; metadata: Record<string, string> }[];
  expect(hits[0].metadata.source).toBe('ops');
  expect(r.variables.answer).toMatch(/Backups run nightly at 2am/);
  expect(r.trail.find((t) => t.node === 'answer')!.detail).toMatchObject({ model: 'local:extractive', vault });
});
