import type { WorkflowHandle } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { FlowService, sessionWorkflowId } from '../../client/services/flows';
import { sendMessageUpdate, sessionQuery } from '../../workflows/definitions';
import type { SessionInput } from '../../workflows/session-workflow';
import { temporalTestContext, type TemporalTestContext } from '../helpers/temporal';
import { flowDef } from '../helpers/flows';

let ctx: TemporalTestContext;
beforeAll(async () => {
  ctx = await temporalTestContext('sessions');
  await ctx.startWorker();
});
afterAll(async () => ctx?.close());

// Counts turns in a session variable and echoes the message: no activities, so turns are cheap.
const echo = flowDef(
  'echo',
  [
    { id: 'start', type: 'start', outputs: { next: 'count' } },
    { id: 'count', type: 'set_variable', params: { name: 'seen', value: '{message}' }, outputs: { next: 'first' } },
    { id: 'first', type: 'if', params: { conditions: [{ variable: 'first_message', op: 'not_exists' }] }, outputs: { then: 'remember', else: 'reply' } },
    { id: 'remember', type: 'set_variable', params: { name: 'first_message', value: '{message}' }, outputs: { next: 'reply' } },
    { id: 'reply', type: 'respond', params: { text: 'you said "{message}"; first you said "{first_message}"' } },
  ],
  { variables: { first_message: { type: 'string' } } },
);

test('a session answers each message as an update, keeping variables and the transcript across turns', async () => {
  const svc = new FlowService(ctx.client, ctx.taskQueue);
  const id = `s-${Date.now()}`;
  const a = await svc.sendSessionMessage(id, echo, 'hello');
  const b = await svc.sendSessionMessage(id, echo, 'how are you');
  expect(a).toMatchObject({ turn: 1, response: 'you said "hello"; first you said "hello"', status: 'completed' });
  expect(b).toMatchObject({ turn: 2, response: 'you said "how are you"; first you said "hello"' });
  const s = await svc.readSession(id);
  expect(s.messages.map((m) => `${m.role}:${m.content}`)).toEqual([
    'user:hello',
    'assistant:you said "hello"; first you said "hello"',
    'user:how are you',
    'assistant:you said "how are you"; first you said "hello"',
  ]);
  expect(s.variables.first_message).toBe('hello');
  await expect(ctx.client.workflow.getHandle(sessionWorkflowId(id)).executeUpdate(sendMessageUpdate, { args: [{ message: '  ' }] })).rejects.toMatchObject({ cause: { message: expect.stringMatching(/message must be a non-empty string/) } });
});

test('a session of 2,000 messages continues as new, loses nothing and keeps each history under the warning limits', async () => {
  const id = `long-${Date.now()}`;
  const workflowId = sessionWorkflowId(id);
  const input: SessionInput = { definition: echo, sessionId: id, maxHistoryEvents: 2500 };
  const handle = await ctx.client.workflow.start('sessionWorkflow', { taskQueue: ctx.taskQueue, workflowId, args: [input] });
  for (let i = 1; i <= 2000; i++) {
    const reply = await ctx.client.workflow.getHandle(workflowId).executeUpdate(sendMessageUpdate, { args: [{ message: `m${i}` }] });
    if (reply.turn !== i) throw new Error(`turn ${reply.turn} answered message ${i}`);
  }
  const s = await ctx.client.workflow.getHandle(workflowId).query(sessionQuery);
  expect(s.turns).toBe(2000);
  expect(s.messages).toHaveLength(4000);
  expect(s.messages[3998]).toEqual({ role: 'user', content: 'm2000' });
  expect(s.variables.first_message).toBe('m1');
  expect(s.generation).toBeGreaterThanOrEqual(2);
  // Every run in the chain stayed below Temporal's 10,240-event warning.
  let runId: string | undefined = handle.firstExecutionRunId;
  let runs = 0;
  while (runId) {
    const h: WorkflowHandle = ctx.client.workflow.getHandle(workflowId, runId);
    const events: temporal.api.history.v1.IHistoryEvent[] = (await h.fetchHistory()).events!;
    expect(events.length).toBeLessThan(10240);
    runs++;
    const last: temporal.api.history.v1.IHistoryEvent = events[events.length - 1];
    runId = last.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
  }
  expect(runs).toBe(s.generation + 1);
}, 600000);
