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
  // The workflow carries the newest messages; the older ones went to the session archive.
  expect(s.archived).toBeGreaterThan(0);
  expect(s.archived + s.messages.length).toBe(4000);
  const full = await new FlowService(ctx.client, ctx.taskQueue).readSession(id);
  expect(full.messages).toHaveLength(4000);
  expect(full.messages.filter((m) => m.role === 'user').map((m) => m.content)).toEqual(Array.from({ length: 2000 }, (_, i) => `m${i + 1}`));
  expect(full.messages[3998]).toEqual({ role: 'user', content: 'm2000' });
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

test('a session keeps its newest messages and archives the rest, across continue-as-new; reading the session puts them back in order', async () => {
  const id = `archive-${Date.now()}`;
  const workflowId = sessionWorkflowId(id);
  const input: SessionInput = { definition: echo, sessionId: id, tenant: 'acme', maxHistoryEvents: 120, keepMessages: 6 };
  const handle = await ctx.client.workflow.start('sessionWorkflow', { taskQueue: ctx.taskQueue, workflowId, args: [input] });
  for (let i = 1; i <= 60; i++) await ctx.client.workflow.getHandle(workflowId).executeUpdate(sendMessageUpdate, { args: [{ message: `m${i}` }] });
  // The reply goes out before the turn's archiving; wait until the workflow is idle again.
  let s = await ctx.client.workflow.getHandle(workflowId).query(sessionQuery);
  for (const deadline = Date.now() + 60_000; s.messages.length >= 12 && Date.now() < deadline; ) {
    await new Promise((r) => setTimeout(r, 100));
    s = await ctx.client.workflow.getHandle(workflowId).query(sessionQuery);
  }
  expect(s.generation).toBeGreaterThanOrEqual(2);
  expect(s.tenant).toBe('acme');
  expect(s.archived + s.messages.length).toBe(120);
  // Variables still remember the first message although its text left the workflow long ago.
  expect(s.variables.first_message).toBe('m1');

  // The workflow holds fewer than 2 × keepMessages; so does each continued run's input.
  expect(s.messages.length).toBeLessThan(12);
  let runId: string | undefined = handle.firstExecutionRunId;
  let archiveCalls = 0;
  while (runId) {
    const events: temporal.api.history.v1.IHistoryEvent[] = (await ctx.client.workflow.getHandle(workflowId, runId).fetchHistory()).events!;
    const started = events[0]!.workflowExecutionStartedEventAttributes!;
    const carried = (await ctx.client.options.loadedDataConverter.payloadConverter.fromPayload(started.input!.payloads![0]!)) as SessionInput;
    expect((carried.carried?.messages ?? []).length).toBeLessThan(12);
    archiveCalls += events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'contextAppend').length;
    runId = events.at(-1)!.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
  }
  // 120 messages, 6 kept, 6 archived per call once 12 are held.
  expect(archiveCalls).toBe(s.archived / 6);
  expect(s.archived).toBeGreaterThanOrEqual(108);

  const full = await new FlowService(ctx.client, ctx.taskQueue).readSession(id);
  expect(full.archived).toBe(s.archived);
  expect(full.messages.map((m) => m.content)).toEqual(Array.from({ length: 60 }, (_, i) => [`m${i + 1}`, `you said "m${i + 1}"; first you said "m1"`]).flat());

  // A reader whose archive lacks the messages says so instead of returning half a conversation.
  const elsewhere = new FlowService(ctx.client, ctx.taskQueue, undefined, () => ({ history: () => [] }));
  await expect(elsewhere.readSession(id)).rejects.toThrow(/moved \d+ older messages to the session archive, but the archive in this data folder has 0/);
}, 300000);
