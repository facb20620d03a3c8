import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { createActivities } from '../../activities';
import { createIntegrationActivities } from '../../activities/integrations/activities';
import { SecretStore } from '../../activities/integrations/secrets';
import { runStateQuery } from '../../workflows/definitions';
import { validateFlow } from '../../workflows/nodes/validate-flow';
import type { FlowNode } from '../../workflows/flow/types';
import { temporalTestContext, type TemporalTestContext } from '../helpers/temporal';
import { flowDef, scheduledActivities, startFlow } from '../helpers/flows';
import { exportedHistoryText } from './helpers/history-text';
import { LocalHttpServer, sendJson } from './helpers/local-http';

const TOKEN = 'tok-7f3a9c1e5b';
const FILE_PASSWORD = 'file-secret-42x';
let ctx: TemporalTestContext;
let server: LocalHttpServer;
let bigClosed: Promise<void>;

beforeAll(async () => {
  let bigDone!: () => void;
  bigClosed = new Promise((r) => (bigDone = r));
  server = await new LocalHttpServer()
    .route('/echo', (req, res) => sendJson(res, 200, { method: req.method, auth: req.headers.authorization ?? null, basic: req.headers['x-basic'] ?? null, body: req.body }))
    .route('/flaky', (_req, res, n) => (n === 1 ? sendJson(res, 503, { error: 'busy' }, { 'retry-after': '1' }) : sendJson(res, 200, { ok: true, attempt: n })))
    .route('/missing', (_req, res) => sendJson(res, 404, { error: 'no such order' }))
    .route('/text', (_req, res) => void res.writeHead(200, { 'content-type': 'text/plain' }).end('plain words'))
    .route('/slow', () => undefined) // never answers
    .route('/away', (_req, res) => void res.writeHead(302, { location: 'http://localhost:1/elsewhere' }).end())
    .route('/big', async (_req, res) => {
      res.on('close', () => bigDone());
      res.writeHead(200, { 'content-type': 'text/plain' });
      const chunk = Buffer.alloc(64 * 1024, 'x');
      for (let i = 0; i < 200 && !res.destroyed; i++) if (!res.write(chunk)) await new Promise((r) => res.once('drain', r).once('close', r));
      res.end();
    })
    .start();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'par-secrets-'));
  const secrets = new SecretStore({ PAR_SECRET_API_TOKEN: TOKEN }, path.join(dir, 'secrets.json'));
  secrets.set('BASIC', FILE_PASSWORD);
  ctx = await temporalTestContext('http-node');
  await ctx.startWorker({ activities: { ...createActivities(), ...createIntegrationActivities({ secrets }) } });
});
afterAll(async () => {
  await ctx?.close();
  await server?.close();
});

const allowHosts = () => [`127.0.0.1:${server.port}`];
const httpFlow = (params: Record<string, unknown>, extra: { errorOutput?: boolean } = {}) =>
  flowDef(
    'http_call',
    [
      { id: 'start', type: 'start', outputs: { next: 'call' } },
      { id: 'call', type: 'http', params: { variable: 'response', ...params } as FlowNode['params'], outputs: extra.errorOutput ? { error: 'failed' } : {} },
      { id: 'failed', type: 'set_variable', params: { name: 'failed', value: true } },
    ].filter((n) => extra.errorOutput || n.id !== 'failed') as FlowNode[],
    { allowHosts: allowHosts(), variables: { order: { type: 'string', default: 'A-17' } } },
  );

test('a GET with a secret header: the server gets the secret, the history, state and result never hold it', async () => {
  const h = await startFlow(ctx.client, ctx.taskQueue, httpFlow({ url: `${server.url}/echo?order={order}`, headers: { authorization: 'Bearer {secret:API_TOKEN}', 'x-basic': '{secret:BASIC}' } }));
  const r = await h.result();
  expect(server.seen.find((s) => s.path === '/echo?order=A-17')!.headers.authorization).toBe(`Bearer ${TOKEN}`);
  const response = r.variables.response as { status: number; body: Record<string, unknown> };
  expect(response.status).toBe(200);
  // the server echoed the secrets back: they are redacted before the result reaches history
  expect(response.body).toMatchObject({ method: 'GET', auth: 'Bearer [secret API_TOKEN]', basic: '[secret BASIC]' });
  const history = await exportedHistoryText(h);
  const state = JSON.stringify(await h.query(runStateQuery));
  for (const text of [history, state, JSON.stringify(r)]) {
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain(FILE_PASSWORD);
  }
  expect(history).toContain('{"secret":"API_TOKEN"}'); // the reference travels, not the value
  expect(history).toContain('[secret API_TOKEN]');
});

test('a POST with a templated JSON body; a text response stays text', async () => {
  const r = await (await startFlow(ctx.client, ctx.taskQueue, httpFlow({ method: 'POST', url: `${server.url}/echo`, body: { order: '{order}', note: 'order {order}' } }))).result();
  const body = (r.variables.response as { body: { body: string } }).body;
  expect(JSON.parse(body.body)).toEqual({ order: 'A-17', note: 'order A-17' });
  const t = await (await startFlow(ctx.client, ctx.taskQueue, httpFlow({ url: `${server.url}/text` }))).result();
  expect((t.variables.response as { body: unknown }).body).toBe('plain words');
});

test('a 503 with Retry-After is retried; a 404 is not, and takes the error output with the response kept', async () => {
  const r = await (await startFlow(ctx.client, ctx.taskQueue, httpFlow({ url: `${server.url}/flaky` }))).result();
  expect((r.variables.response as { body: unknown }).body).toEqual({ ok: true, attempt: 2 });
  expect(server.count('/flaky')).toBe(2);

  const h = await startFlow(ctx.client, ctx.taskQueue, httpFlow({ url: `${server.url}/missing` }, { errorOutput: true }));
  const m = await h.result();
  expect(server.count('/missing')).toBe(1);
  expect(m.variables.failed).toBe(true);
  expect(m.variables.response).toMatchObject({ status: 404, body: { error: 'no such order' } });
  expect(m.trail.find((t) => t.node === 'call')!.error).toMatch(/GET http:\/\/127\.0\.0\.1:\d+\/missing answered 404/);
});

test('an oversized response is refused with a clear error and the download stops at the limit', async () => {
  const r = await (await startFlow(ctx.client, ctx.taskQueue, httpFlow({ url: `${server.url}/big`, maxResponseBytes: 100_000 }, { errorOutput: true }))).result();
  expect(r.variables.failed).toBe(true);
  expect(r.trail.find((t) => t.node === 'call')!.error).toMatch(/larger than the limit of 100000 bytes \(maxResponseBytes\)/);
  await bigClosed;
  expect(server.abortedByClient).toContain('/big');
  expect(server.count('/big')).toBe(1); // not retried
});

test('a server that does not answer in time fails the node after its retries', async () => {
  const h = await startFlow(ctx.client, ctx.taskQueue, httpFlow({ url: `${server.url}/slow`, timeout: '1 second', retries: 1 }, { errorOutput: true }));
  const r = await h.result();
  expect(r.trail.find((t) => t.node === 'call')!.error).toMatch(/no complete response within 1000 ms/);
  expect(server.count('/slow')).toBe(2);
});

test('hosts outside allowHosts: refused at validation when literal, at run time when templated or redirected', async () => {
  const literal = validateFlow(httpFlow({ url: 'https://evil.example.com/steal' }));
  expect(literal).toEqual([expect.objectContaining({ node: 'call', field: 'params.url', message: expect.stringMatching(/host evil\.example\.com is not in the flow's allowHosts \(127\.0\.0\.1:\d+\)/) })]);
  expect(validateFlow({ ...httpFlow({ url: `${server.url}/echo` }), allowHosts: undefined })[0].message).toMatch(/none: add allowHosts/);

  const templated = { ...httpFlow({ url: '{target}/x' }, { errorOutput: true }), variables: { target: { type: 'string' as const, default: 'http://localhost:9' } } };
  const t = await (await startFlow(ctx.client, ctx.taskQueue, templated)).result();
  expect(t.trail.find((e) => e.node === 'call')!.error).toMatch(/host localhost:9 is not in the flow's allowHosts/);

  const away = await (await startFlow(ctx.client, ctx.taskQueue, httpFlow({ url: `${server.url}/away` }, { errorOutput: true }))).result();
  expect(away.trail.find((e) => e.node === 'call')!.error).toMatch(/a redirect from the server goes to http:\/\/localhost:1, which is not in the flow's allowHosts/);
});

test('secrets: malformed references are refused at validation; a secret the worker lacks fails once, naming it', async () => {
  const bad = validateFlow(httpFlow({ url: `${server.url}/echo`, headers: { authorization: 'Bearer {secret:not-a-name}' } }));
  expect(bad.map((i) => i.message).join('\n')).toMatch(/"\{secret:not-a-name\}" is not a secret reference/);
  const inUrl = validateFlow(httpFlow({ url: `${server.url}/echo?key={secret:API_TOKEN}` }));
  expect(inUrl.map((i) => i.message).join('\n')).toMatch(/may not reference secrets/);

  const before = server.count('/echo');
  const h = await startFlow(ctx.client, ctx.taskQueue, httpFlow({ url: `${server.url}/echo`, headers: { authorization: '{secret:NOT_SET}' } }));
  const err = await h.result().catch((e: unknown) => e);
  expect(err).toBeInstanceOf(WorkflowFailedError);
  expect(String(((err as Error).cause as Error | undefined)?.message)).toMatch(/secret "NOT_SET" is not set on the worker: set PAR_SECRET_NOT_SET/);
  expect(server.count('/echo')).toBe(before);
  expect(await scheduledActivities(h)).toEqual(['httpRequest']);
  const history = (await h.fetchHistory()).events!;
  expect(history.filter((e) => e.activityTaskStartedEventAttributes).map((e) => e.activityTaskStartedEventAttributes!.attempt)).toEqual([1]);
});

test('a secrets file readable by others is refused', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'par-secrets-'));
  const file = path.join(dir, 'secrets.json');
  fs.writeFileSync(file, JSON.stringify({ X: 'y' }), { mode: 0o644 });
  expect(() => new SecretStore({}, file).get('X')).toThrow(/readable by others \(mode 644\): run chmod 600/);
  fs.chmodSync(file, 0o600);
  expect(new SecretStore({}, file).get('X')).toBe('y');
});
