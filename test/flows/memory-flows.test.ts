import { createActivities } from '../../activities';
import { createMemoryActivities } from '../../activities/memory/activities';
import { createModelActivities } from '../../activities/models/activities';
import { runStateQuery } from '../../workflows/definitions';
import { FlowService } from '../../client/services/flows';
import { startLocalProviders, type LocalProviders } from '../models/helpers/providers';
import { temporalTestContext, type TemporalTestContext } from '../helpers/temporal';
import { flowDef, scheduledActivities, startFlow, waitForState } from '../helpers/flows';

let ctx: TemporalTestContext;
let providers: LocalProviders;
const memory = createMemoryActivities();

beforeAll(async () => {
  ctx = await temporalTestContext('memory-flows');
  providers = await startLocalProviders();
  await ctx.startWorker({ activities: { ...createActivities(), ...createModelActivities({ router: providers.router() }) } });
});
afterAll(async () => {
  await ctx?.close();
  await providers?.close();
});

const assistant = (saveConfirmation: 'auto' | 'deny' | 'ask') =>
  flowDef('remembering_assistant', [
    { id: 'start', type: 'start', outputs: { next: 'reply' } },
    { id: 'reply', type: 'respond', params: { prompt: 'Remember what matters about the user.' } },
  ], { defaults: { model: 'openai:gpt-4.1-mini' }, memory: { mode: 'none', tools: true, saveConfirmation } });

test('ask: a memory save the model requests waits for a person, then is committed once', async () => {
  providers.reset();
  providers.openai.enqueue({ toolCalls: [{ id: 'call_1', name: 'memory_vault_save', arguments: { content: 'Prefers dark mode' } }], finishReason: 'tool_calls' }, { text: 'Noted, dark mode it is.' });
  const tenant = `t-ask-${Date.now()}`;
  const h = await startFlow(ctx.client, ctx.taskQueue, assistant('ask'), { message: 'I always use dark mode', tenant });
  const s = await waitForState(h, (st) => st.pendingApprovals.length === 1);
  expect(s.status).toBe('waiting_approval');
  expect(s.pendingApprovals[0]).toMatchObject({ memorySave: { action: 'add', content: 'Prefers dark mode' }, prompt: 'Save to memory: "Prefers dark mode"?' });
  expect((await memory.memoryVaultSearch({ tenant, query: 'dark mode' })).entries).toEqual([]);
  await new FlowService(ctx.client, ctx.taskQueue).decide(h.workflowId, { decision: 'approve', by: 'ada' });
  const r = await h.result();
  expect(r.response).toBe('Noted, dark mode it is.');
  expect((await memory.memoryVaultSearch({ tenant, query: 'dark mode' })).entries.map((e) => e.content)).toEqual(['Prefers dark mode']);
  expect((await scheduledActivities(h)).filter((a) => a === 'memoryVaultCommitSave')).toHaveLength(1);
  // the model saw the tool result of the save in its second turn
  const second = providers.openai.requests[1].body.messages as { role: string; content: string }[];
  expect(second.find((m) => m.role === 'tool')!.content).toMatch(/"saved":true/);
});

test('ask rejected and deny: nothing is saved and the model is told why', async () => {
  const tenant = `t-deny-${Date.now()}`;
  providers.reset();
  providers.openai.enqueue({ toolCalls: [{ id: 'c', name: 'memory_vault_save', arguments: { content: 'Budget is 5000 dollars' } }], finishReason: 'tool_calls' }, { text: 'ok' });
  const denied = await (await startFlow(ctx.client, ctx.taskQueue, assistant('deny'), { message: 'my budget is 5000', tenant })).result();
  expect(denied.response).toBe('ok');
  expect((providers.openai.requests[1].body.messages as { role: string; content: string }[]).find((m) => m.role === 'tool')!.content).toMatch(/disabled/);

  providers.reset();
  providers.openai.enqueue({ toolCalls: [{ id: 'c', name: 'memory_vault_save', arguments: { content: 'Budget is 5000 dollars' } }], finishReason: 'tool_calls' }, { text: 'fine' });
  const h = await startFlow(ctx.client, ctx.taskQueue, assistant('ask'), { message: 'my budget is 5000', tenant });
  await waitForState(h, (st) => st.pendingApprovals.length === 1);
  await new FlowService(ctx.client, ctx.taskQueue).decide(h.workflowId, { decision: 'reject', by: 'ada', comment: 'private' });
  await h.result();
  expect((providers.openai.requests[1].body.messages as { role: string; content: string }[]).find((m) => m.role === 'tool')!.content).toMatch(/declined: private/);
  expect((await memory.memoryVaultSearch({ tenant, query: 'budget' })).entries).toEqual([]);
});

test('auto: the model searches, then saves; bad tool arguments come back to it as an error naming the field', async () => {
  const tenant = `t-auto-${Date.now()}`;
  providers.reset();
  providers.openai.enqueue(
    { toolCalls: [{ id: 'a', name: 'memory_vault_save', arguments: { text: 'wrong field' } }], finishReason: 'tool_calls' },
    { toolCalls: [{ id: 'b', name: 'memory_vault_save', arguments: { content: 'Lives in Lisbon' } }], finishReason: 'tool_calls' },
    { toolCalls: [{ id: 'c', name: 'memory_vault_search', arguments: { query: 'where does the user live' } }], finishReason: 'tool_calls' },
    { text: 'You live in Lisbon.' },
  );
  const r = await (await startFlow(ctx.client, ctx.taskQueue, assistant('auto'), { message: 'I moved to Lisbon', tenant })).result();
  expect(r.response).toBe('You live in Lisbon.');
  const toolResults = (providers.openai.requests[3].body.messages as { role: string; content: string }[]).filter((m) => m.role === 'tool').map((m) => m.content);
  expect(JSON.parse(toolResults[0]).error).toMatch(/unknown field "text"/);
  expect(toolResults[1]).toMatch(/"saved":true/);
  expect(toolResults[2]).toMatch(/Lives in Lisbon/);
  expect(r.trail.find((t) => t.node === 'reply')!.detail).toMatchObject({ toolCalls: 3 });
});

test('reasoning memory: the second run gets advice learned after the first, and learning finishes after the response', async () => {
  const tenant = `t-rb-${Date.now()}`;
  const def = flowDef('triage_with_memory', [
    { id: 'start', type: 'start', outputs: { next: 'answer' } },
    { id: 'answer', type: 'respond', params: { text: 'Checked the order status first, then offered a refund for the broken lamp.' }, outputs: { next: 'judge' } },
    { id: 'judge', type: 'set_variable', params: { name: 'outcome', value: 'success' } },
  ], { memory: { mode: 'reasoning', taskSignature: 'customer reports a broken item and wants a refund' } });
  const first = await startFlow(ctx.client, ctx.taskQueue, def, { message: 'My lamp arrived broken, I want a refund', tenant });
  await first.result();
  const s1 = await first.query(runStateQuery);
  expect(s1.memory!.adviceIds).toEqual([]);
  const learn = ctx.client.workflow.getHandle(s1.memory!.learnWorkflowId!);
  const learned = await learn.result();
  expect(learned).toMatchObject({ outcome: 'success', judgedBy: 'explicit' });
  expect(learned.createdIds.length).toBeGreaterThan(0);
  const [parentDesc, learnDesc] = await Promise.all([first.describe(), learn.describe()]);
  expect(learnDesc.closeTime!.getTime()).toBeGreaterThanOrEqual(parentDesc.closeTime!.getTime());

  const second = await startFlow(ctx.client, ctx.taskQueue, def, { message: 'The chair I got is broken, refund please', tenant });
  await second.result();
  const s2 = await second.query(runStateQuery);
  expect(s2.memory!.adviceIds).toEqual(expect.arrayContaining([learned.createdIds[0]]));
  // another tenant learns nothing from this one
  const stranger = await startFlow(ctx.client, ctx.taskQueue, def, { message: 'My lamp arrived broken, I want a refund', tenant: `${tenant}-other` });
  await stranger.result();
  expect((await stranger.query(runStateQuery)).memory!.adviceIds).toEqual([]);
});

test('a session indexes its turns, so search_memory in another session finds what the user said', async () => {
  const tenant = `t-conv-${Date.now()}`;
  const def = flowDef('recalling_assistant', [
    { id: 'start', type: 'start', outputs: { next: 'reply' } },
    { id: 'reply', type: 'respond', params: { prompt: 'Use search_memory for anything the user told you before.' } },
  ], { defaults: { model: 'openai:gpt-4.1-mini' }, memory: { mode: 'none', tools: true } });
  const svc = new FlowService(ctx.client, ctx.taskQueue);
  providers.reset();
  providers.openai.enqueue({ text: 'Lovely, enjoy the trip.' });
  await svc.sendSessionMessage(`first-${tenant}`, def, 'Next month I am flying to Reykjavik to see the northern lights', { tenant });
  providers.openai.enqueue({ toolCalls: [{ id: 's', name: 'search_memory', arguments: { query: 'flying to Reykjavik to see the northern lights' } }], finishReason: 'tool_calls' }, { text: 'You are going to Reykjavik.' });
  let reply;
  let current = '';
  // Indexing runs after the first session's reply; ask again until it has landed (or a minute passed).
  for (const deadline = Date.now() + 60_000; Date.now() < deadline; ) {
    providers.reset();
    providers.openai.enqueue({ toolCalls: [{ id: 's', name: 'search_memory', arguments: { query: 'flying to Reykjavik to see the northern lights' } }], finishReason: 'tool_calls' }, { text: 'You are going to Reykjavik.' });
    current = `second-${tenant}`;
    reply = await svc.sendSessionMessage(current, def, 'Remind me where I am going?', { tenant });
    const tool = (providers.openai.requests[1]?.body.messages as { role: string; content: string }[] | undefined)?.find((m) => m.role === 'tool');
    if (tool && /Reykjavik/.test(tool.content)) break;
    await new Promise((r) => setTimeout(r, 300));
  }
  expect(reply!.response).toBe('You are going to Reykjavik.');
  const tool = (providers.openai.requests[1].body.messages as { role: string; content: string }[]).find((m) => m.role === 'tool')!;
  expect(JSON.parse(tool.content).hits).toEqual(expect.arrayContaining([expect.objectContaining({ sessionId: `first-${tenant}`, text: expect.stringContaining('Reykjavik') })]));
  // the asking session itself is left out of its own search
  expect(JSON.parse(tool.content).hits.map((h: { sessionId: string }) => h.sessionId)).not.toContain(current);
});
