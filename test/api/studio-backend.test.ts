// What the studio needs from the API, on a real Temporal dev server with the real worker: the
// node-type catalogue, the flow store (versions, conflicts, rollback, stored flows over files),
// runs pinned to a stored version, the approvals inbox, grants, sign-in tokens and /studio files.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { MemoryStreamBus, setSharedStreamBus } from '../../activities/streams';
import { FlowService } from '../../client/services/flows';
import { FlowRegistry } from '../../client/services/flow-registry';
import { SqlFlowStore } from '../../client/services/flow-store';
import { StudioSignins } from '../../client/api/auth/studio-signin';
import { apiKeysPath } from '../../client/api/auth/key-store';
import { ParApiError, ParClient } from '../../client/sdk';
import { NODE_TYPES, type FlowDefinition } from '../../workflows/flow/types';
import { loadConfig } from '../../workers/config';
import { temporalTestContext, type TemporalTestContext } from '../helpers/temporal';
import { startTestApi, type TestApi } from './helpers/api';

let ctx: TemporalTestContext;
let api: TestApi;
let store: SqlFlowStore;
let signins: StudioSignins;
let admin: ParClient;
let manager: ParClient;
const bus = new MemoryStreamBus();
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'par-studio-api-'));
const studioDist = path.join(dataDir, 'studio-dist');

beforeAll(async () => {
  setSharedStreamBus(bus);
  fs.mkdirSync(path.join(studioDist, 'assets'), { recursive: true });
  fs.writeFileSync(path.join(studioDist, 'index.html'), '<!doctype html><title>PAR Studio</title><script type="module" src="/studio/assets/app-1234.js"></script>');
  fs.writeFileSync(path.join(studioDist, 'assets', 'app-1234.js'), 'console.log("studio")');
  ctx = await temporalTestContext('studio-api');
  await ctx.startWorker();
  store = await SqlFlowStore.open({ kind: 'sqlite', file: path.join(dataDir, 'flows.sqlite') });
  signins = await StudioSignins.open({ kind: 'sqlite', file: apiKeysPath(dataDir) });
  api = await startTestApi({ services: { flows: new FlowService(ctx.client, ctx.taskQueue, new FlowRegistry(), undefined, store), bus }, dataDir, signins, studioDist });
  admin = (await api.clientWith({ vaults: { '*': 'admin' }, flows: ['*'] }, 'studio-admin')).client;
  manager = (await api.clientWith({ vaults: {}, flows: ['studio_pin'] }, 'manager')).client;
});
afterAll(async () => {
  await api?.close();
  await ctx?.close();
  await store?.close();
  await signins?.close();
  await bus.close();
  setSharedStreamBus(undefined);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const greet = (id: string, text: string, extra: Partial<FlowDefinition> = {}): FlowDefinition => ({
  id,
  version: '1',
  nodes: [
    { id: 'start', type: 'start', outputs: { next: 'r' } },
    { id: 'r', type: 'respond', params: { text } },
  ],
  ...extra,
});

/** An approval, then a reply saying which stored version ran. */
const pinFlow = (reply: string): FlowDefinition => ({
  id: 'studio_pin',
  version: '1',
  variables: { amount: { type: 'number', default: 40 } },
  nodes: [
    { id: 'start', type: 'start', outputs: { next: 'ask' } },
    { id: 'ask', type: 'approval', params: { prompt: 'Refund {amount}?', approvers: ['manager'] }, outputs: { approved: 'r', rejected: 'r' } },
    { id: 'r', type: 'respond', params: { text: reply } },
  ],
});

/** A GET with the path exactly as given. */
function rawGet(p: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${api.url}/`, { path: p }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function apiError(p: Promise<unknown>): Promise<ParApiError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ParApiError);
  return err as ParApiError;
}

/** Polls until ok (visibility and run state are eventually consistent); fails with the last value. */
async function until<T>(what: string, fn: () => Promise<T>, ok: (v: T) => boolean, attempts = 600): Promise<T> {
  let last: T | undefined;
  for (let i = 0; i < attempts; i++) {
    last = await fn().catch(() => undefined as T);
    if (last !== undefined && ok(last)) return last;
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`${what} never happened; last: ${JSON.stringify(last)?.slice(0, 400)}`);
}

test('the node-type catalogue lists every registered node type with its params and outputs', async () => {
  const { nodeTypes } = await admin.nodeTypes();
  expect(nodeTypes.map((t) => t.type).sort()).toEqual([...NODE_TYPES].sort());
  const respond = nodeTypes.find((t) => t.type === 'respond')!;
  expect(respond.params.map((p) => p.name)).toEqual(expect.arrayContaining(['text', 'prompt', 'model', 'vault']));
  expect(respond.params.find((p) => p.name === 'text')).toMatchObject({ kind: 'template' });
  expect(nodeTypes.find((t) => t.type === 'choose')!.outputs).toMatchObject({ fromParam: 'options' });
  expect(nodeTypes.find((t) => t.type === 'act')!.params.find((p) => p.name === 'code')).toMatchObject({ kind: 'code', required: true });
  expect((await api.call('not-a-key')('GET', '/v1/node-types')).status).toBe(401);
});

test('every save is a new version; a stale base version is a 409; rollback saves the old definition again', async () => {
  expect(await admin.saveFlow('studio_greet', { definition: greet('studio_greet', 'one'), message: 'first', baseVersion: 0 })).toMatchObject({ id: 'studio_greet', version: 1, createdBy: 'studio-admin' });
  expect((await admin.saveFlow('studio_greet', { definition: greet('studio_greet', 'two'), baseVersion: 1 })).version).toBe(2);
  const conflict = await apiError(admin.saveFlow('studio_greet', { definition: greet('studio_greet', 'lost'), baseVersion: 1 }));
  expect([conflict.status, conflict.code]).toEqual([409, 'version_conflict']);
  expect(conflict.message).toMatch(/version 1 but the latest is 2/);

  const { versions } = await admin.flowVersions('studio_greet');
  expect(versions.map((v) => [v.version, v.createdBy, v.message])).toEqual([
    [2, 'studio-admin', null],
    [1, 'studio-admin', 'first'],
  ]);
  expect(Date.parse(versions[0].createdAt)).not.toBeNaN();
  expect((await admin.getFlowVersion('studio_greet', 1)).definition.nodes[1].params).toEqual({ text: 'one' });
  expect((await apiError(admin.getFlowVersion('studio_greet', 9))).status).toBe(404);

  const rolled = await admin.rollbackFlow('studio_greet', 1);
  expect(rolled).toMatchObject({ version: 3, rolledBackTo: 1 });
  const latest = await admin.getFlow('studio_greet');
  expect(latest).toMatchObject({ id: 'studio_greet', version: 3, source: 'store', updatedBy: 'studio-admin' });
  expect(latest.definition).toEqual(greet('studio_greet', 'one'));
  expect((await admin.flowVersions('studio_greet')).versions[0]).toMatchObject({ version: 3, message: 'rollback to version 1' });
});

test('a layout saved with a version comes back with it (dropping nodes the definition lacks); a rollback keeps its layout; a malformed one is a 400', async () => {
  const drawn = { start: { x: 0, y: 0 }, r: { x: 40, y: 120 }, deleted_node: { x: 9, y: 9 } };
  expect((await admin.saveFlow('studio_drawn', { definition: greet('studio_drawn', 'one'), baseVersion: 0 })).version).toBe(1);
  expect(await admin.getFlow('studio_drawn')).not.toHaveProperty('layout');
  await admin.saveFlow('studio_drawn', { definition: greet('studio_drawn', 'two'), baseVersion: 1, layout: drawn });
  expect((await admin.getFlow('studio_drawn')).layout).toEqual({ start: { x: 0, y: 0 }, r: { x: 40, y: 120 } });
  expect((await admin.getFlowVersion('studio_drawn', 2)).layout).toEqual({ start: { x: 0, y: 0 }, r: { x: 40, y: 120 } });
  await admin.rollbackFlow('studio_drawn', 2, { baseVersion: 2 });
  expect((await admin.getFlow('studio_drawn')).layout).toEqual({ start: { x: 0, y: 0 }, r: { x: 40, y: 120 } });
  // A save without a layout (par flow save) keeps the latest drawing for the nodes it still has.
  const renamed = greet('studio_drawn', 'four');
  renamed.nodes = renamed.nodes.map((n) => (n.id === 'r' ? { ...n, id: 'reply' } : n.outputs?.next === 'r' ? { ...n, outputs: { next: 'reply' } } : n));
  await admin.saveFlow('studio_drawn', { definition: renamed, baseVersion: 3 });
  expect((await admin.getFlow('studio_drawn')).layout).toEqual({ start: { x: 0, y: 0 } });
  const bad = await apiError(admin.saveFlow('studio_drawn', { definition: greet('studio_drawn', 'three'), layout: { r: { x: 'left', y: 0 } } as never }));
  expect([bad.status, bad.message]).toEqual([400, expect.stringMatching(/layout\.r\.x/)]);
  expect((await admin.getFlow('studio_drawn')).version).toBe(4);
});

test('an invalid definition is refused with its issues, a typo with a suggestion; nothing is saved', async () => {
  const typo = greet('studio_typo', 'x');
  typo.nodes[1].params = { txet: 'hello' };
  const err = await apiError(admin.saveFlow('studio_typo', { definition: typo }));
  expect([err.status, err.code]).toEqual([400, 'invalid_flow']);
  const raw = await api.call((await api.clientWith({ flows: ['*'] })).key)('PUT', '/v1/flows/studio_typo', { definition: typo });
  expect(raw.body.error.details.issues).toEqual([{ node: 'r', field: 'params.txet', message: expect.stringMatching(/is not a param of a respond node; did you mean `text`\?/) }]);
  expect((await apiError(admin.getFlow('studio_typo'))).status).toBe(404);
  const mismatch = await apiError(admin.saveFlow('studio_other', { definition: greet('studio_greet', 'x') }));
  expect([mismatch.status, mismatch.message]).toEqual([400, expect.stringMatching(/URL names flow "studio_other"/)]);
});

test('a stored flow wins over the flow file of the same id; deleting it serves the file again', async () => {
  const file = await admin.getFlow('refund_approval');
  expect(file).toMatchObject({ source: 'file', version: null, updatedBy: null });
  const edited = { ...file.definition, description: 'edited in the studio' };
  await admin.saveFlow('refund_approval', { definition: edited, baseVersion: 0 });
  expect(await admin.getFlow('refund_approval')).toMatchObject({ source: 'store', version: 1, definition: { description: 'edited in the studio' } });
  const listed = (await admin.listFlows()).flows.filter((f) => f.id === 'refund_approval');
  expect(listed).toEqual([expect.objectContaining({ source: 'store', version: 1 })]);
  expect(await admin.deleteFlow('refund_approval')).toMatchObject({ deleted: true });
  expect(await admin.getFlow('refund_approval')).toMatchObject({ source: 'file', version: null });
  expect((await apiError(admin.deleteFlow('refund_approval'))).status).toBe(404);
});

test('POST /v1/flows/validate sees the variables a stored child flow writes', async () => {
  const child: FlowDefinition = {
    id: 'studio_child',
    version: '1',
    nodes: [
      { id: 'start', type: 'start', outputs: { next: 's' } },
      { id: 's', type: 'set_variable', params: { name: 'from_child', value: 'hi' } },
    ],
  };
  await admin.saveFlow('studio_child', { definition: child });
  const parent: FlowDefinition = {
    id: 'studio_parent',
    version: '1',
    nodes: [
      { id: 'start', type: 'start', outputs: { next: 'c' } },
      { id: 'c', type: 'run_flow', params: { flow: 'studio_child' }, outputs: { next: 'r' } },
      { id: 'r', type: 'respond', params: { text: 'child said {from_child}' } },
    ],
  };
  expect(await admin.validateFlow(parent)).toEqual({ flow: 'studio_parent', valid: true, issues: [] });
});

test('a key with narrow grants sees and saves only its flows, and only flows touching its vaults', async () => {
  await admin.saveFlow('studio_narrow', { definition: greet('studio_narrow', 'mine') });
  const narrow = await api.clientWith({ vaults: { docs: 'read' }, flows: ['studio_narrow'] }, 'narrow');
  expect((await narrow.client.listFlows()).flows.map((f) => f.id)).toEqual(['studio_narrow']);
  expect((await apiError(narrow.client.getFlow('studio_greet'))).status).toBe(403);
  expect((await apiError(narrow.client.saveFlow('studio_greet', { definition: greet('studio_greet', 'x') }))).status).toBe(403);
  expect((await apiError(narrow.client.flowVersions('studio_greet'))).status).toBe(403);
  // Its own flow, but writing a vault it may only read: refused, nothing saved.
  const writer: FlowDefinition = {
    id: 'studio_narrow',
    version: '1',
    nodes: [
      { id: 'start', type: 'start', outputs: { next: 'a' } },
      { id: 'a', type: 'add_to_vault', params: { vault: 'docs', text: '{message}' } },
    ],
  };
  const denied = await apiError(narrow.client.saveFlow('studio_narrow', { definition: writer }));
  expect([denied.status, denied.message]).toEqual([403, expect.stringMatching(/no write access to vault "docs".*node "a" params.vault/)]);
  // The flow default vault counts for a node that names none.
  const viaDefault = { ...writer, defaults: { vault: 'docs' }, nodes: [writer.nodes[0], { id: 'a', type: 'add_to_vault' as const, params: { text: '{message}' } }] };
  expect((await apiError(narrow.client.saveFlow('studio_narrow', { definition: viaDefault }))).message).toMatch(/no write access to vault "docs".*defaults.vault/);
  expect((await narrow.client.flowVersions('studio_narrow')).versions).toHaveLength(1);
  const retrieve: FlowDefinition = {
    ...writer,
    nodes: [{ id: 'start', type: 'start', outputs: { next: 'q' } }, { id: 'q', type: 'retrieve', params: { vault: 'docs' }, outputs: { next: 'r' } }, { id: 'r', type: 'respond', params: { text: '{context}' } }],
  };
  expect((await narrow.client.saveFlow('studio_narrow', { definition: retrieve })).version).toBe(2);
});

test('a run is pinned to the stored version it started with, even after a newer save; the inbox lists then shows its approval', async () => {
  const outsider = (await api.clientWith({ flows: ['studio_greet'] }, 'outsider')).client;
  await admin.saveFlow('studio_pin', { definition: pinFlow('version one ran') });
  const started = await admin.startRun('studio_pin', { variables: { amount: 75 } });
  expect(started.flowVersion).toBe(1);
  await admin.saveFlow('studio_pin', { definition: pinFlow('version two ran') });

  const inbox = await until('the approval in the inbox', () => manager.approvals({ status: 'pending', flow: 'studio_pin' }), (r) => r.approvals.some((a) => a.runId === started.runId));
  const pending = inbox.approvals.find((a) => a.runId === started.runId)!;
  expect(pending).toMatchObject({ flowId: 'studio_pin', flowVersion: 1, node: 'ask', prompt: 'Refund 75?', approvers: ['manager'], canDecide: true, context: { variables: { amount: 75 } } });
  expect(Date.parse(pending.requestedAt)).not.toBeNaN();
  expect(pending.decision).toBeUndefined();
  // Someone without the flow grant sees nothing; the admin sees it but is not an approver.
  expect((await outsider.approvals()).approvals.filter((a) => a.runId === started.runId)).toEqual([]);
  expect((await admin.approvals({ flow: 'studio_pin' })).approvals.find((a) => a.runId === started.runId)?.canDecide).toBe(false);

  await manager.approve(started.runId, { comment: 'fine by me' });
  const done = await until('the run to complete', () => admin.getRun<{ responses: string[] }>(started.runId), (r) => r.status === 'completed');
  expect(done).toMatchObject({ flowVersion: 1, responses: ['version one ran'] });

  const decided = (await manager.approvals({ status: 'decided', flow: 'studio_pin' })).approvals.find((a) => a.runId === started.runId)!;
  expect(decided).toMatchObject({ node: 'ask', flowVersion: 1, decision: { decision: 'approve', by: 'manager', comment: 'fine by me' } });
  expect(Date.parse(decided.decision!.at)).toBeGreaterThanOrEqual(Date.parse(pending.requestedAt));
  expect((await manager.approvals({ status: 'pending', flow: 'studio_pin' })).approvals.filter((a) => a.runId === started.runId)).toEqual([]);

  // A run of the latest version, and one of an older version asked for by number.
  const latest = await admin.startRun('studio_pin');
  const older = await admin.startRun('studio_pin', { version: 1 });
  expect([latest.flowVersion, older.flowVersion]).toEqual([2, 1]);
  const v1 = await until('runs of version 1 listed', () => admin.listRuns({ flow: 'studio_pin', version: 1 }), (r) => r.runs.length === 2);
  expect(v1.runs.map((r) => r.runId).sort()).toEqual([started.runId, older.runId].sort());
  expect(v1.runs.every((r) => r.flowVersion === 1)).toBe(true);
  const byText = await admin.listRuns({ q: latest.runId.slice(-12).toUpperCase() });
  expect(byText.runs.map((r) => r.runId)).toEqual([latest.runId]);
  expect((await apiError(admin.startRun('studio_pin', { version: 7 }))).status).toBe(404);
  expect((await apiError(admin.startRun('studio_pin', { version: 1, definition: pinFlow('x') as never }))).status).toBe(400);
  for (const r of [latest, older]) await admin.cancel(r.runId);
});

test('a sign-in token gives a local admin key exactly once; used or expired tokens are refused', async () => {
  const anon = new ParClient({ baseUrl: api.url });
  const { token, expiresAt } = await signins.issue();
  expect(Date.parse(expiresAt) - Date.now()).toBeGreaterThan(14 * 60_000);
  const signedIn = await anon.studioSignin(token);
  expect(signedIn.name).toMatch(/^studio-local-admin-/);
  const who = await new ParClient({ baseUrl: api.url, apiKey: signedIn.apiKey }).whoami();
  expect(who).toMatchObject({ name: signedIn.name, grants: { vaults: { '*': 'admin' }, flows: ['*'] } });
  expect((await apiError(anon.studioSignin(token))).status).toBe(401);
  expect((await apiError(anon.studioSignin((await signins.issue(-1000)).token))).status).toBe(401);
  expect((await apiError(anon.studioSignin('made-up'))).status).toBe(401);
  // Only the hash is stored.
  expect(fs.readFileSync(apiKeysPath(dataDir)).includes(Buffer.from(token))).toBe(false);
});

test('/studio serves the built files with types and cache headers, index.html for client routes, nothing outside', async () => {
  const get = (p: string, init: RequestInit = {}) => fetch(api.url + p, { redirect: 'manual', ...init });
  const root = await get('/studio');
  expect([root.status, root.headers.get('location')]).toEqual([308, '/studio/']);
  const index = await get('/studio/');
  expect([index.status, index.headers.get('content-type'), index.headers.get('cache-control')]).toEqual([200, 'text/html; charset=utf-8', 'no-cache']);
  expect(await index.text()).toContain('<title>PAR Studio</title>');
  expect(index.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
  const asset = await get('/studio/assets/app-1234.js');
  expect([asset.status, asset.headers.get('content-type'), asset.headers.get('cache-control')]).toEqual([200, 'text/javascript; charset=utf-8', 'public, max-age=31536000, immutable']);
  const route = await get('/studio/flows/studio_greet/versions');
  expect([route.status, await route.text()]).toEqual([200, expect.stringContaining('PAR Studio')]);
  expect((await get('/studio/assets/missing.js')).status).toBe(404);
  // Sent as written (fetch would normalise the dots away before they reach the server).
  for (const evil of ['/studio/../package.json', '/studio/..%2f..%2fpackage.json', '/studio/%2e%2e/%2e%2e/package.json', '/studio/assets/..%2f..%2f..%2f..%2fpackage.json', '/studio/.env', '/studio/%00', '/studio//etc/passwd']) {
    const r = await rawGet(evil);
    expect([evil, r.body.includes('"name": "par"') || r.body.includes('root:')]).toEqual([evil, false]);
    expect([evil, r.status === 200 ? r.body.includes('PAR Studio') : [400, 404].includes(r.status)]).toEqual([evil, true]);
  }
  expect((await get('/studio/', { method: 'POST' })).status).toBe(405);
  expect((await get('/studio/', { method: 'HEAD' })).status).toBe(200);
});

test('the studio says it is not built when there is no dist folder; the API binds to loopback by default', async () => {
  const bare = await startTestApi({ services: { bus }, studioDist: path.join(dataDir, 'nowhere') });
  try {
    const r = await fetch(`${bare.url}/studio/`);
    expect([r.status, await r.text()]).toEqual([503, expect.stringMatching(/the studio is not built.*npm run setup/)]);
  } finally {
    await bare.close();
  }
  expect(loadConfig({}).apiHost).toBe('127.0.0.1');
  expect(loadConfig({}).apiUrl).toBe('http://127.0.0.1:8787');
});
