/** @jest-environment ./test/memory/native-typed-arrays-environment.js */
import type { DecideRequest, GenerateRequest, ModelMessage } from '../../activities/contracts';
import { extractStrategies } from '../../activities/memory/reasoning-learner';
import { freshTenant, memoryTestServices } from './memory-test-services';

let s: Awaited<ReturnType<typeof memoryTestServices>>;
beforeAll(async () => {
  s = await memoryTestServices({ config: { reasoning: { maxItems: 50 } } });
});
afterAll(async () => s?.close());

const draft = (over: Partial<{ title: string; content: string; taskSignature: string; runId: string }> = {}) => ({
  title: 'Check the schema first',
  description: 'before writing SQL',
  content: 'Read the table schema before writing any SQL query.',
  taskSignature: 'write a SQL query for a sales report',
  runId: 'r1',
  ...over,
});

describe('ReasoningBank', () => {
  test('retrieves advice by task-signature similarity, scored 0.75 x cosine + 0.25 x confidence', async () => {
    const tenant = freshTenant('rb');
    const sql = await s.reasoning.add(tenant, draft());
    await s.reasoning.add(tenant, draft({ title: 'Ask for the tone', content: 'Ask which tone the customer wants before drafting an email.', taskSignature: 'draft a customer support email', runId: 'r2' }));
    const advice = await s.reasoning.retrieve(tenant, 'write an SQL query for the monthly sales numbers');
    expect(advice[0].id).toBe(sql.id);
    expect(advice[0].score).toBeCloseTo(0.75 * advice[0].similarity + 0.25 * 0.5, 10);
    expect(advice.every((a) => a.similarity >= 0.3)).toBe(true);
  });

  test('success raises and failure lowers confidence by 0.1; failures add anti-patterns; below 0.3 is never advice', async () => {
    const tenant = freshTenant('rb-conf');
    const { id } = await s.reasoning.add(tenant, draft());
    await s.reasoning.applyOutcome(tenant, [id], 'success', 'r2');
    expect(await s.reasoning.get(tenant, id)).toMatchObject({ confidence: 0.6, evidenceRunIds: ['r1', 'r2'] });
    // The same run again (a retried activity) does not move it twice.
    expect(await s.reasoning.applyOutcome(tenant, [id], 'success', 'r2')).toEqual([]);
    expect((await s.reasoning.get(tenant, id)).confidence).toBe(0.6);
    await s.reasoning.applyOutcome(tenant, [id], 'failure', 'r3', 'Skipped the join on regions');
    await s.reasoning.applyOutcome(tenant, [id], 'failure', 'r4');
    expect(await s.reasoning.get(tenant, id)).toMatchObject({ confidence: 0.4, antiPatterns: ['Skipped the join on regions'] });
    await s.reasoning.applyOutcome(tenant, [id], 'failure', 'r5');
    expect((await s.reasoning.get(tenant, id)).confidence).toBe(0.3);
    expect((await s.reasoning.retrieve(tenant, draft().taskSignature)).map((a) => a.id)).toEqual([id]);
    await s.reasoning.applyOutcome(tenant, [id], 'failure', 'r6');
    expect(await s.reasoning.retrieve(tenant, draft().taskSignature)).toEqual([]);
  });

  test('a near-duplicate strategy (cosine >= 0.85) is merged into the existing item', async () => {
    const tenant = freshTenant('rb-merge');
    const a = await s.reasoning.add(tenant, draft());
    const b = await s.reasoning.add(tenant, draft({ content: 'Read the table schema before you write any SQL query.', runId: 'r9' }));
    expect(b).toEqual({ id: a.id, merged: true });
    expect(await s.reasoning.list(tenant)).toHaveLength(1);
    expect((await s.reasoning.get(tenant, a.id)).evidenceRunIds).toEqual(['r1', 'r9']);
    const c = await s.reasoning.add(tenant, draft({ title: 'Tone', content: 'Ask which tone the customer wants.', runId: 'r10' }));
    expect(c.merged).toBe(false);
  });

  test('consolidation decays stale items once per stale period, prunes below 0.2 and keeps at most maxItems', async () => {
    const tenant = freshTenant('rb-decay');
    const fresh = await s.reasoning.add(tenant, draft());
    const weak = await s.reasoning.add(tenant, draft({ title: 'Tone', content: 'Ask which tone the customer wants.', taskSignature: 'support email' }));
    await s.reasoning.applyOutcome(tenant, [weak.id], 'failure', 'x');
    await s.reasoning.applyOutcome(tenant, [weak.id], 'failure', 'y'); // 0.3
    const in65Days = new Date(Date.now() + 65 * 86_400_000);
    const r = await s.reasoning.consolidate(tenant, in65Days);
    // Two full 30-day periods: -0.1. The strong item goes 0.5 -> 0.4; the weak one 0.3 -> 0.2 stays (prune is below 0.2).
    expect(r.decayedIds.sort()).toEqual([fresh.id, weak.id].sort());
    expect((await s.reasoning.get(tenant, fresh.id)).confidence).toBe(0.4);
    expect((await s.reasoning.get(tenant, weak.id)).confidence).toBe(0.2);
    // Running it again at the same moment decays nothing more.
    expect((await s.reasoning.consolidate(tenant, in65Days)).decayedIds).toEqual([]);
    const later = await s.reasoning.consolidate(tenant, new Date(in65Days.getTime() + 31 * 86_400_000));
    expect(later.prunedIds).toEqual([weak.id]);
    expect((await s.reasoning.list(tenant)).map((i) => i.id)).toEqual([fresh.id]);
  });

  test('keeps at most maxItems, dropping the lowest confidence first', async () => {
    const small = await memoryTestServices({ config: { reasoning: { maxItems: 2 } } });
    try {
      const tenant = freshTenant('rb-cap');
      const topics = ['Use indexes for slow queries.', 'Ask which tone the customer wants.', 'Write unit tests before refactoring.'];
      const ids = [];
      for (const [i, content] of topics.entries()) ids.push((await small.reasoning.add(tenant, draft({ title: `t${i}`, content, taskSignature: `task ${i}` }))).id);
      await small.reasoning.applyOutcome(tenant, [ids[1]], 'failure', 'z');
      expect((await small.reasoning.consolidate(tenant)).prunedIds).toEqual([ids[1]]);
    } finally {
      await small.close();
    }
  });

  test("one tenant's strategies are never advice for another", async () => {
    const a = freshTenant('rb-a');
    await s.reasoning.add(a, draft());
    expect(await s.reasoning.retrieve(freshTenant('rb-b'), draft().taskSignature)).toEqual([]);
  });
});

const transcript = (answer: string): ModelMessage[] => [
  { role: 'user', content: 'Write a SQL query for the quarterly sales report by region' },
  { role: 'assistant', content: '', toolCalls: [{ id: 'c1', name: 'describe_table', arguments: { table: 'sales' } }] },
  { role: 'tool', content: 'columns: region, amount, sold_at', toolCallId: 'c1' },
  { role: 'assistant', content: '', toolCalls: [{ id: 'c2', name: 'run_sql', arguments: { sql: 'SELECT ...' } }] },
  { role: 'tool', content: 'ok, 4 rows', toolCallId: 'c2' },
  { role: 'assistant', content: answer },
];

describe('runtime-owned memory', () => {
  test('a second run gets the advice learned in the first, and its success raises that advice', async () => {
    const tenant = freshTenant('rt');
    const signature = 'Write a SQL query for the quarterly sales report by region';
    const before = await s.runtime.loadContext({ tenant, mode: 'reasoning', taskSignature: signature, message: signature });
    expect(before).toEqual({ systemPrompt: '', factKeys: [], adviceIds: [] });

    const learned = await s.runtime.learnAfterRun({ tenant, mode: 'reasoning', runId: 'run-1', taskSignature: signature, outcome: 'success', transcript: transcript('Here is the query. SELECT region, SUM(amount) ...'), usedAdviceIds: [] });
    expect(learned).toMatchObject({ outcome: 'success', judgedBy: 'explicit', distilledBy: 'extractive' });
    expect(learned.createdIds.length).toBeGreaterThan(0);
    expect(learned.createdIds.length).toBeLessThanOrEqual(3);

    const second = await s.runtime.loadContext({ tenant, mode: 'reasoning', taskSignature: 'Write a SQL query for the yearly sales report per region', message: 'x' });
    expect(second.systemPrompt).toMatch(/^Strategy Advice/);
    expect(second.systemPrompt).toContain('describe_table, then run_sql');
    expect(second.adviceIds.length).toBeGreaterThan(0);
    const used = second.adviceIds[0];
    expect((await s.reasoning.get(tenant, used)).lastUsed).not.toBeNull();

    const after = await s.runtime.learnAfterRun({ tenant, mode: 'reasoning', runId: 'run-2', taskSignature: signature, outcome: 'success', transcript: transcript('Done.'), usedAdviceIds: [used] });
    expect(after.updatedIds).toEqual([used]);
    expect((await s.reasoning.get(tenant, used)).confidence).toBeCloseTo(0.6);
    // A retried activity for the same run changes nothing more.
    expect(await s.runtime.learnAfterRun({ tenant, mode: 'reasoning', runId: 'run-2', taskSignature: signature, outcome: 'success', transcript: transcript('Done.'), usedAdviceIds: [used] })).toEqual(after);
    expect((await s.reasoning.get(tenant, used)).confidence).toBeCloseTo(0.6);
  });

  test('a failed run lowers the used advice and records an anti-pattern from the failure', async () => {
    const tenant = freshTenant('rt-fail');
    const { id } = await s.reasoning.add(tenant, draft());
    const failing: ModelMessage[] = [
      { role: 'user', content: 'Write a SQL query for the sales report' },
      { role: 'assistant', content: '', toolCalls: [{ id: 'c1', name: 'run_sql', arguments: { sql: 'SELECT * FROM sale' } }] },
      { role: 'tool', content: 'Error: no such table: sale', toolCallId: 'c1' },
      { role: 'assistant', content: 'Sorry, I could not run it.' },
    ];
    const r = await s.runtime.learnAfterRun({ tenant, mode: 'all', runId: 'f1', taskSignature: 'write a SQL query for a sales report', outcome: 'failure', transcript: failing, usedAdviceIds: [id] });
    expect(r.outcome).toBe('failure');
    const item = await s.reasoning.get(tenant, id);
    expect(item.confidence).toBeCloseTo(0.4);
    expect(item.antiPatterns[0]).toContain('no such table');
  });

  test('without an explicit outcome the offline model cannot judge, so nothing is learned', async () => {
    const tenant = freshTenant('rt-unknown');
    const r = await s.runtime.learnAfterRun({ tenant, mode: 'reasoning', runId: 'u1', taskSignature: 'anything at all', transcript: transcript('ok'), usedAdviceIds: [], model: 'local:extractive' });
    expect(r).toMatchObject({ outcome: 'unknown', judgedBy: 'none', createdIds: [] });
    expect(await s.reasoning.list(tenant)).toEqual([]);
  });

  test('with a real model, the model judges and distils (through the injected model functions)', async () => {
    const decided: DecideRequest[] = [];
    const generated: GenerateRequest[] = [];
    const withModel = await memoryTestServices({
      models: {
        decide: async (req) => {
          decided.push(req);
          return { kind: 'recognize', answer: false, usage: { inputTokens: 1, outputTokens: 1 }, model: req.model, latencyMs: 1 };
        },
        generate: async (req) => {
          generated.push(req);
          const text = '[{"title":"Verify table names","description":"SQL tasks","content":"List the tables before querying so a typo does not fail the run."}]';
          return { text, toolCalls: [], usage: { inputTokens: 1, outputTokens: 1 }, model: req.model, latencyMs: 1, finishReason: 'stop' };
        },
      },
    });
    try {
      const tenant = freshTenant('rt-model');
      const r = await withModel.runtime.learnAfterRun({ tenant, mode: 'reasoning', runId: 'm1', taskSignature: 'sales SQL', transcript: transcript('Sorry.'), usedAdviceIds: [], model: 'openai:gpt-4.1-mini' });
      expect(r).toMatchObject({ outcome: 'failure', judgedBy: 'model', distilledBy: 'model' });
      expect(decided[0]).toMatchObject({ model: 'openai:gpt-4.1-mini', kind: 'recognize' });
      expect(generated[0].messages[1].content).toContain('Outcome: failure');
      expect((await withModel.reasoning.list(tenant)).map((i) => i.title)).toEqual(['Verify table names']);
    } finally {
      await withModel.close();
    }
  });

  test('facts mode loads the namespace facts and similar facts from other namespaces, and stores new facts', async () => {
    const tenant = freshTenant('rt-facts');
    await s.facts.put({ tenant, namespace: 'user:ada', key: 'theme', value: 'dark' });
    await s.facts.put({ tenant, namespace: 'company', key: 'fiscal_year_start', value: 'April 1' });
    await s.facts.put({ tenant, namespace: 'company', key: 'mascot', value: 'a red panda' });
    const ctx = await s.runtime.loadContext({ tenant, mode: 'facts', namespace: 'user:ada', taskSignature: '', message: 'When does our fiscal year start?', topK: 1 });
    expect(ctx.factKeys).toEqual(['user:ada/theme', 'company/fiscal_year_start']);
    expect(ctx.systemPrompt).toContain('company/fiscal_year_start: April 1');
    expect(ctx.adviceIds).toEqual([]);
    const none = await s.runtime.loadContext({ tenant, mode: 'none', namespace: 'user:ada', taskSignature: 'x', message: 'fiscal year' });
    expect(none.systemPrompt).toBe('');
    const r = await s.runtime.learnAfterRun({ tenant, mode: 'facts', runId: 'f-1', taskSignature: 'x', transcript: [], usedAdviceIds: [], newFacts: [{ namespace: 'user:ada', key: 'timezone', value: 'Europe/Lisbon' }] });
    expect(r.storedFactKeys).toEqual(['user:ada/timezone']);
    expect((await s.facts.get(tenant, 'user:ada', 'timezone'))?.value).toBe('Europe/Lisbon');
  });

  test('bad mode is a typed error naming the field', async () => {
    await expect(s.runtime.loadContext({ tenant: 't', mode: 'everything' as 'all', taskSignature: 'x', message: 'x' })).rejects.toThrow(/mode must be one of none, facts, reasoning, all/);
  });
});

describe('extractive distillation', () => {
  test('gives at most the asked number of items, all from the transcript', () => {
    const items = extractStrategies({ outcome: 'success', taskSignature: 'sig', transcript: [...transcript('Here it is.'), { role: 'user', content: 'Also split by month please.' }, { role: 'assistant', content: 'Done, split by month.' }], runId: 'r' }, 3);
    expect(items).toHaveLength(3);
    expect(items.map((i) => i.title)).toEqual(['Use describe_table then run_sql', 'Clarify up front', 'Answer shape that worked']);
    expect(items[1].content).toContain('Also split by month please.');
    expect(extractStrategies({ outcome: 'success', taskSignature: 'sig', transcript: transcript('x'), runId: 'r' }, 1)).toHaveLength(1);
  });
});
