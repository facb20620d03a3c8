// Issue 12's proof that PAR scales out: three worker processes and two API processes, each with
// its own empty PAR_DATA_DIR (nothing shared on disk), on one Temporal server, one PostgreSQL,
// one Qdrant and one Redis. What one process writes, the others see; a SIGKILLed worker's runs
// finish on the others with every step done once.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { runPar } from '../helpers/cli';
import { freshPostgresUrl } from '../helpers/postgres';
import { startTestQdrant, type TestQdrant } from '../helpers/qdrant';
import { readTestEnv } from '../helpers/test-env';
import { startTestRedis, type TestRedis } from '../api/helpers/redis';
import { OpenAIWireServer } from '../models/helpers/openai-wire-server';
import type { RecordedRequest, ScriptedReply } from '../models/helpers/scripted-server';
import { freePorts, startParProcess, type ParProcess } from '../helpers/processes';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

let qdrant: TestQdrant;
let redis: TestRedis;
let model: OpenAIWireServer;
let connection: Connection;
let client: Client;
let workers: ParProcess[] = [];
let apis: ParProcess[] = [];
let key = '';
const taskQueue = `scale-out-${process.pid}-${Date.now()}`;

/**
 * The model: "remember: X" asks to save X, "recall: Q" asks to search for Q; once a tool has
 * answered, the reply repeats the tool's result, so the run's response shows what the worker found.
 */
function scriptedModel(req: RecordedRequest): ScriptedReply {
  const messages = req.body.messages as { role: string; content: string | null }[];
  const tool = messages.filter((m) => m.role === 'tool').at(-1);
  if (tool) return { text: `tool said: ${tool.content}` };
  const user = String(messages.filter((m) => m.role === 'user').at(-1)?.content ?? '');
  const save = /^remember: (.*)$/.exec(user);
  if (save) return { toolCalls: [{ id: 'save-1', name: 'memory_vault_save', arguments: { content: save[1] } }], finishReason: 'tool_calls' };
  const recall = /^recall: (.*)$/.exec(user);
  if (recall) return { toolCalls: [{ id: 'search-1', name: 'memory_vault_search', arguments: { query: recall[1] } }], finishReason: 'tool_calls' };
  return { text: 'ok' };
}

beforeAll(async () => {
  const env = readTestEnv();
  const began = Date.now();
  model = await new OpenAIWireServer('sk-scale-out', scriptedModel).start();
  const ownDir = (name: string) => fs.mkdtempSync(path.join(os.tmpdir(), `par-${name}-`));
  const pgUrl = await freshPostgresUrl('scale_out');
  // Every process gets the settings deploy/par.env.example lists, and a data folder of its own.
  const shared = {
    PAR_TEMPORAL_ADDRESS: env.temporalAddress,
    PAR_TASK_QUEUE: taskQueue,
    PAR_DATABASE_URL: pgUrl,
    PAR_DATABASE_AUTO_MIGRATE: 'false',
    OPENAI_API_KEY: 'sk-scale-out',
    OPENAI_BASE_URL: `${model.url}/v1`,
  };
  // Once per release, from any host: migrate (while Qdrant and Redis start).
  const ops = { ...shared, PAR_DATA_DIR: ownDir('ops') };
  const [migrated, q, r] = await Promise.all([runPar(['db', 'migrate', '--json'], ops), startTestQdrant(), startTestRedis()]);
  expect(migrated.code).toBe(0);
  qdrant = q;
  redis = r;
  const services = { ...shared, QDRANT_URL: qdrant.url, PAR_REDIS_URL: redis.url };
  const apiPorts = await freePorts(2);
  // A dead worker's cached runs go back to the shared queue after 1 s (the default is 10 s).
  const workerEnv = { ...services, PAR_WORKFLOW_BUNDLE: env.bundlePath, PAR_WORKER_STICKY_TIMEOUT_MS: '1000' };
  let created;
  [workers, apis, created] = await Promise.all([
    Promise.all([1, 2, 3].map((i) => startParProcess(`worker${i}`, 'workers/main.ts', { ...workerEnv, PAR_DATA_DIR: ownDir(`worker${i}`) }, /\[worker\] polling task queue/))),
    Promise.all(apiPorts.map((port, i) => startParProcess(`api${i + 1}`, 'client/api/main.ts', { ...services, PAR_DATA_DIR: ownDir(`api${i + 1}`), PAR_API_PORT: String(port) }, /\[api\] listening on/))),
    // The key every client uses, created from a host that is neither API.
    runPar(['keys', 'create', '--grant', '*:admin', '--flow', '*', '--name', 'operator', '--json'], ops),
  ]);
  expect(created.code).toBe(0);
  key = JSON.parse(created.stdout).key;
  console.log(`scale-out topology up in ${((Date.now() - began) / 1000).toFixed(1)} s (Qdrant: ${qdrant.real ? 'real server' : 'protocol fake'})`);
  connection = await Connection.connect({ address: env.temporalAddress });
  client = new Client({ connection, namespace: 'default' });
}, 240_000);

afterAll(async () => {
  await Promise.all([...workers, ...apis].map((p) => p.stop()));
  await connection?.close();
  await Promise.all([qdrant?.close(), redis?.stop(), model?.close()]);
});

async function call(api: ParProcess, method: string, route: string, body?: unknown): Promise<Record<string, any>> {
  const res = await fetch(`${api.url}${route}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${route} on ${api.name}: ${res.status} ${text}`);
  return JSON.parse(text);
}

async function runUntil(api: ParProcess, runId: string, pred: (s: Record<string, any>) => boolean): Promise<Record<string, any>> {
  for (;;) {
    const s = await call(api, 'GET', `/v1/runs/${encodeURIComponent(runId)}`);
    if (pred(s)) return s;
    if (s.status === 'failed') throw new Error(`run ${runId} failed: ${JSON.stringify(s.error)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function history(runId: string): Promise<HistoryEvent[]> {
  return (await client.workflow.getHandle(runId).fetchHistory()).events ?? [];
}

/** The worker (by pid, from its Temporal identity "pid@host") behind each workflow task and activity of a run. */
function workerPids(events: HistoryEvent[]): { workflowTasks: number[]; activities: Map<string, number[]> } {
  const pid = (identity?: string | null) => Number(String(identity).split('@')[0]);
  const scheduled = new Map<number, string>();
  const activities = new Map<string, number[]>();
  const workflowTasks: number[] = [];
  for (const e of events) {
    if (e.activityTaskScheduledEventAttributes) scheduled.set(Number(e.eventId), e.activityTaskScheduledEventAttributes.activityType!.name!);
    if (e.activityTaskStartedEventAttributes) {
      const type = scheduled.get(Number(e.activityTaskStartedEventAttributes.scheduledEventId))!;
      activities.set(type, [...(activities.get(type) ?? []), pid(e.activityTaskStartedEventAttributes.identity)]);
    }
    if (e.workflowTaskCompletedEventAttributes) workflowTasks.push(pid(e.workflowTaskCompletedEventAttributes.identity));
  }
  return { workflowTasks, activities };
}

const approvalFlow = {
  id: 'scale_out_approval',
  version: '1',
  nodes: [
    { id: 'start', type: 'start', outputs: { next: 'before' } },
    { id: 'before', type: 'store', params: { op: 'set', namespace: 'scale-out', key: 'before-{message}', value: '{message}' }, outputs: { next: 'ask' } },
    { id: 'ask', type: 'approval', params: { prompt: 'Ship {message}?' }, outputs: { approved: 'after', rejected: 'done', timeout: 'done' } },
    { id: 'after', type: 'store', params: { op: 'set', namespace: 'scale-out', key: 'after-{message}', value: '{message}' }, outputs: { next: 'pause' } },
    { id: 'pause', type: 'wait', params: { duration: '1 second' }, outputs: { next: 'done' } },
    { id: 'done', type: 'respond', params: { text: 'shipped {message}' } },
  ],
};

const memoryFlow = {
  id: 'scale_out_memory',
  version: '1',
  defaults: { model: 'openai:gpt-4.1-mini' },
  memory: { mode: 'none', tools: true, saveConfirmation: 'auto' },
  nodes: [
    { id: 'start', type: 'start', outputs: { next: 'reply' } },
    { id: 'reply', type: 'respond', params: { prompt: 'Use your memory tools.' } },
  ],
};

test('runs started through API 1 are approved through API 2 and finish on the other workers after one is SIGKILLed; memory and vault items cross processes', async () => {
  const [api1, api2] = apis;
  const tenant = `scale-out-${Date.now()}`;

  // Approval runs started through API 1 wait for a person.
  const names = ['a', 'b', 'c', 'd', 'e', 'f'];
  const runIds: string[] = [];
  for (const n of names) {
    runIds.push((await call(api1, 'POST', `/v1/flows/${approvalFlow.id}/runs`, { definition: approvalFlow, message: n })).runId);
  }
  for (const id of runIds) await runUntil(api2, id, (s) => s.status === 'waiting_approval');
  // API 2 lists them (its approval inbox reads Temporal, not its own disk).
  const inbox = await call(api2, 'GET', `/v1/approvals?flow=${approvalFlow.id}`);
  expect(inbox.approvals.map((a: { runId: string }) => a.runId).sort()).toEqual([...runIds].sort());

  // A memory saved by a run on one worker...
  const saved = await call(api1, 'POST', `/v1/flows/${memoryFlow.id}/runs`, { definition: memoryFlow, message: 'remember: The warehouse door code is 4711', tenant });
  const savedState = await runUntil(api1, saved.runId, (s) => s.status === 'completed');
  expect(savedState.responses.at(-1)).toMatch(/"saved":true/);
  const [saver] = workerPids(await history(saved.runId)).activities.get('memoryVaultCommitSave')!;
  expect(workers.map((w) => w.pid)).toContain(saver);

  // SIGKILL the worker that ran the most of the waiting runs' workflow tasks (their state is cached there).
  const holders = await Promise.all(runIds.map(async (id) => workerPids(await history(id)).workflowTasks.at(-1)!));
  const victim = workers.reduce((best, w) => (holders.filter((p) => p === w.pid).length > holders.filter((p) => p === best.pid).length ? w : best));
  victim.kill('SIGKILL');
  await victim.exited;

  // API 2 approves; every run completes on the surviving workers, each step done once.
  for (const id of runIds) await call(api2, 'POST', `/v1/runs/${encodeURIComponent(id)}/approve`, {});
  for (const [i, id] of runIds.entries()) {
    const result = await (client.workflow.getHandle(id) as WorkflowHandle).result();
    expect(result.response).toBe(`shipped ${names[i]}`);
    expect(result.trail.map((t: { node: string }) => t.node)).toEqual(['start', 'before', 'ask', 'after', 'pause', 'done']);
    const events = await history(id);
    const { activities, workflowTasks } = workerPids(events);
    // Each store step ran once: one kvStore activity per node, none retried or timed out.
    expect(activities.get('kvStore')).toHaveLength(2);
    expect(events.filter((e) => e.activityTaskTimedOutEventAttributes || e.activityTaskFailedEventAttributes)).toEqual([]);
    // The tasks after the kill ran on the others.
    expect(workflowTasks.at(-1)).not.toBe(victim.pid);
  }
  const approved = await call(api1, 'GET', `/v1/approvals?status=decided&flow=${approvalFlow.id}`);
  expect(approved.approvals.filter((a: { runId: string }) => runIds.includes(a.runId))).toHaveLength(runIds.length);
  // The values the store steps wrote are in PostgreSQL, where any worker reads them.
  const check = await call(api2, 'POST', '/v1/flows/scale_out_check/runs', {
    definition: {
      id: 'scale_out_check',
      version: '1',
      nodes: [
        { id: 'start', type: 'start', outputs: { next: 'get' } },
        { id: 'get', type: 'store', params: { op: 'get', namespace: 'scale-out', key: 'after-f', variable: 'found' }, outputs: { next: 'done' } },
        { id: 'done', type: 'respond', params: { text: 'found {found}' } },
      ],
    },
  });
  expect((await runUntil(api2, check.runId, (s) => s.status === 'completed')).responses).toEqual(['found f']);

  // ...is found by a run on another worker (the saver may be dead now; if not, start search runs
  // until one lands elsewhere: each lands on a random live worker).
  let searched: { pid: number; response: string } | undefined;
  for (let attempt = 0; attempt < 12 && !searched; attempt++) {
    const run = await call(api2, 'POST', `/v1/flows/${memoryFlow.id}/runs`, { definition: memoryFlow, message: 'recall: what is the code of the warehouse door', tenant });
    const state = await runUntil(api2, run.runId, (s) => s.status === 'completed');
    const tasks = workerPids(await history(run.runId)).workflowTasks;
    // The search is a local activity: it ran on the worker that ran the run's workflow tasks.
    if (tasks.every((p) => p !== saver)) searched = { pid: tasks[0], response: state.responses.at(-1) };
  }
  expect(searched).toBeDefined();
  expect(searched!.pid).not.toBe(saver);
  expect(searched!.response).toMatch(/The warehouse door code is 4711/);

  // A vault item added through API 1 is searchable through API 2 (text and vectors in the shared stores).
  const vault = `scaleout${Date.now().toString(36)}`;
  const added = await call(api1, 'POST', `/v1/vaults/${vault}/items`, { text: 'Invoices are paid on the last Friday of each month.' });
  await call(api1, 'POST', `/v1/vaults/${vault}/items`, { text: 'The cafeteria serves lunch from noon.' });
  const found = await call(api2, 'POST', `/v1/vaults/${vault}/search`, { query: 'when do invoices get paid', n: 1 });
  expect(found.items.map((i: { id: string }) => i.id)).toEqual([added.ids[0]]);
  expect(found.items[0].text).toBe('Invoices are paid on the last Friday of each month.');

  // Nothing was written to any process's own data folder that another needs: each stayed without stores.
  for (const p of [...workers, ...apis]) expect(fs.readdirSync(p.dataDir).filter((f) => f.endsWith('.sqlite'))).toEqual([]);
}, 180_000);
