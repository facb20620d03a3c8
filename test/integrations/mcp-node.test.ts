import path from 'node:path';
import { createActivities } from '../../activities';
import { createIntegrationActivities } from '../../activities/integrations/activities';
import { SecretStore } from '../../activities/integrations/secrets';
import { validateFlow } from '../../workflows/nodes/validate-flow';
import type { FlowNode } from '../../workflows/flow/types';
import { startOrdersHttpServer } from '../fixtures/mcp/orders-server';
import { temporalTestContext, type TemporalTestContext } from '../helpers/temporal';
import { flowDef, startFlow } from '../helpers/flows';
import { exportedHistoryText } from './helpers/history-text';

const ROOT = path.resolve(__dirname, '../..');
const TOKEN = 'mcp-token-5519';
let ctx: TemporalTestContext;
let orders: Awaited<ReturnType<typeof startOrdersHttpServer>>;

beforeAll(async () => {
  orders = await startOrdersHttpServer({ token: TOKEN });
  ctx = await temporalTestContext('mcp-node');
  const mcpServers = {
    orders_stdio: { command: process.execPath, args: [path.join(ROOT, 'bin/run-ts.js'), path.join(ROOT, 'test/fixtures/mcp/orders-stdio.ts')], cwd: ROOT },
    orders_http: { url: orders.url, headers: { authorization: 'Bearer {secret:MCP_TOKEN}' } },
  };
  await ctx.startWorker({ activities: { ...createActivities(), ...createIntegrationActivities({ mcpServers, secrets: new SecretStore({ PAR_SECRET_MCP_TOKEN: TOKEN }, '/nonexistent/secrets.json') }) } });
});
afterAll(async () => {
  await ctx?.close();
  await orders?.close();
});

const mcpFlow = (params: Record<string, unknown>, withError = false, extra: Record<string, unknown> = {}) =>
  flowDef(
    'mcp_call',
    [
      { id: 'start', type: 'start', outputs: { next: 'call' } },
      { id: 'call', type: 'mcp', params: { variable: 'result', ...params } as FlowNode['params'], outputs: withError ? { error: 'failed' } : {} },
      ...(withError ? [{ id: 'failed', type: 'set_variable' as const, params: { name: 'failed', value: true } }] : []),
    ],
    { variables: { order: { type: 'string', default: 'A-17' } }, allowHosts: [`127.0.0.1:${orders.port}`], ...extra },
  );

test('a tool on a stdio server the worker starts: arguments from variables, structured result into the variable', async () => {
  const r = await (await startFlow(ctx.client, ctx.taskQueue, mcpFlow({ server: 'orders_stdio', tool: 'lookup_order', arguments: { id: '{order}' } }))).result();
  expect(r.variables.result).toEqual({ id: 'A-17', status: 'shipped', total: 45 });
}, 120_000);

test('a configured streamable HTTP server with a secret header, and a URL the flow allows; the token stays out of history', async () => {
  const h = await startFlow(ctx.client, ctx.taskQueue, mcpFlow({ server: 'orders_http', tool: 'lookup_order', arguments: { id: 'B-2' } }));
  expect((await h.result()).variables.result).toEqual({ id: 'B-2', status: 'processing', total: 45 });
  expect(await exportedHistoryText(h)).not.toContain(TOKEN);
  const direct = await startFlow(ctx.client, ctx.taskQueue, mcpFlow({ url: orders.url, headers: { authorization: 'Bearer {secret:MCP_TOKEN}' }, tool: 'refund', arguments: { order: '{order}', amount: 5 } }));
  expect((await direct.result()).variables.result).toBe('refunded 5 on A-17');
  expect(orders.log.refunds).toEqual([{ order: 'A-17', amount: 5 }]);
  expect(await exportedHistoryText(direct)).not.toContain(TOKEN);
});

test('a tool error takes the error output with the text kept; an unknown tool and an unknown server fail with the reason', async () => {
  const r = await (await startFlow(ctx.client, ctx.taskQueue, mcpFlow({ server: 'orders_http', tool: 'always_fails' }, true))).result();
  expect(r.variables).toMatchObject({ failed: true, result: 'the order system is read-only today' });
  expect(r.trail.find((t) => t.node === 'call')!.error).toMatch(/tool "always_fails" reported an error: the order system is read-only today/);

  const unknownTool = await (await startFlow(ctx.client, ctx.taskQueue, mcpFlow({ server: 'orders_http', tool: 'no_such_tool' }, true))).result();
  expect(unknownTool.trail.find((t) => t.node === 'call')!.error).toMatch(/no_such_tool/);
  const unknownServer = await (await startFlow(ctx.client, ctx.taskQueue, mcpFlow({ server: 'nope', tool: 'x' }, true))).result();
  expect(unknownServer.trail.find((t) => t.node === 'call')!.error).toMatch(/MCP server "nope" is not configured on the worker \(configured: orders_stdio, orders_http\)/);
});

test('a slow tool times out; validation refuses a URL off the allow-list and a node with both server and url', async () => {
  const slow = await (await startFlow(ctx.client, ctx.taskQueue, mcpFlow({ server: 'orders_http', tool: 'slow', arguments: { ms: 5000 }, timeout: '1 second' }, true))).result();
  expect(slow.trail.find((t) => t.node === 'call')!.error).toMatch(/timed out/i);

  const issues = validateFlow(mcpFlow({ url: 'https://mcp.elsewhere.test/mcp', tool: 'x' }));
  expect(issues.map((i) => i.message)).toEqual([expect.stringMatching(/host mcp\.elsewhere\.test is not in the flow's allowHosts/)]);
  expect(validateFlow(mcpFlow({ url: orders.url, server: 'orders_http', tool: 'x' })).map((i) => i.message)).toEqual([expect.stringMatching(/give either server .* or url/)]);
});
