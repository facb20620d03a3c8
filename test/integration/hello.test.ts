import { temporalTestContext, type TemporalTestContext } from '../helpers/temporal';

let ctx: TemporalTestContext;
beforeAll(async () => {
  ctx = await temporalTestContext('hello');
  await ctx.startWorker();
});
afterAll(async () => ctx?.close());

test('hello runs end to end through a real worker and records the activity in its history', async () => {
  const handle = await ctx.client.workflow.start('helloWorkflow', { taskQueue: ctx.taskQueue, workflowId: `hello-${Date.now()}`, args: [{ name: 'Ada' }] });
  await expect(handle.result()).resolves.toEqual({ greeting: 'Hello, Ada!' });
  const history = await handle.fetchHistory();
  const scheduled = history.events!.filter((e) => e.activityTaskScheduledEventAttributes);
  expect(scheduled.map((e) => e.activityTaskScheduledEventAttributes!.activityType!.name)).toEqual(['composeGreeting']);
});

test('hello falls back to "world" for a blank name', async () => {
  const result = await ctx.client.workflow.execute('helloWorkflow', { taskQueue: ctx.taskQueue, workflowId: `hello-blank-${Date.now()}`, args: [{ name: '  ' }] });
  expect(result).toEqual({ greeting: 'Hello, world!' });
});
