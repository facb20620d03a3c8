import { createActivities } from '../../activities';
import { createIntegrationActivities } from '../../activities/integrations/activities';
import { SecretStore } from '../../activities/integrations/secrets';
import { createModelActivities } from '../../activities/models/activities';
import { FlowService } from '../../client/services/flows';
import { validateFlow } from '../../workflows/nodes/validate-flow';
import type { FlowDefinition } from '../../workflows/flow/types';
import { startOrdersHttpServer } from '../fixtures/mcp/orders-server';
import { startLocalProviders, type LocalProviders } from '../models/helpers/providers';
import { temporalTestContext, type TemporalTestContext } from '../helpers/temporal';
import { flowDef, scheduledActivities, startFlow, waitForState } from '../helpers/flows';
import { exportedHistoryText } from './helpers/history-text';
import { LocalHttpServer, sendJson } from './helpers/local-http';
import { spawnWorkerProcess } from './helpers/worker-process';

// The model is the OpenAI-protocol local server, scripted to call tools; the tools are a real MCP
// server (SDK) and a real HTTP endpoint. Nothing of PAR's own is replaced.
const TOKEN = 'mcp-token-7731';
let ctx: TemporalTestContext;
let providers: LocalProviders;
let orders: Awaited<ReturnType<typeof startOrdersHttpServer>>;
let status: LocalHttpServer;
const secrets = () => new SecretStore({ PAR_SECRET_MCP_TOKEN: TOKEN }, '/nonexistent/secrets.json');
const mcpServers = () => ({ orders: { url: orders.url, headers: { authorization: 'Bearer {secret:MCP_TOKEN}' } } });
const workerActivities = () => ({ ...createActivities(), ...createModelActivities({ router: providers.router() }), ...createIntegrationActivities({ mcpServers: mcpServers(), secrets: secrets() }) });

beforeAll(async () => {
  providers = await startLocalProviders();
  orders = await startOrdersHttpServer({ token: TOKEN });
  status = await new LocalHttpServer().route('/status/A-17', (_q, res) => sendJson(res, 200, { id: 'A-17', carrier: 'DHL', eta: 'tomorrow' })).start();
  ctx = await temporalTestContext('model-tools');
  await ctx.startWorker({ activities: workerActivities() });
});
afterAll(async () => {
  await ctx?.close();
  await Promise.all([providers?.close(), orders?.close(), status?.close()]);
});

const agent = (): FlowDefinition =>
  flowDef('support_agent', [
    { id: 'start', type: 'start', outputs: { next: 'reply' } },
    {
      id: 'reply',
      type: 'respond',
      params: {
        prompt: 'Help with orders. Refunds need a person to allow them.',
        tools: [
          { type: 'mcp', server: 'orders', tools: ['lookup_order', 'refund'], approval: ['refund'], approvers: ['manager'] },
          { type: 'http', name: 'shipping_status', description: 'Shipping status of an order', url: `${status.url}/status/{id}`, parameters: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] } },
        ],
      },
    },
  ], { defaults: { model: 'openai:gpt-4.1-mini' }, allowHosts: [`127.0.0.1:${status.port}`, `127.0.0.1:${orders.port}`] });

const toolMessages = (i: number) => (providers.openai.requests[i].body.messages as { role: string; content: string }[]).filter((m) => m.role === 'tool').map((m) => m.content);

test('the model calls MCP and HTTP tools in the durable loop; a refund waits for approval and runs once', async () => {
  providers.reset();
  providers.openai.enqueue(
    { toolCalls: [{ id: 'c1', name: 'lookup_order', arguments: { id: 'A-17' } }, { id: 'c2', name: 'shipping_status', arguments: { id: 'A-17' } }], finishReason: 'tool_calls' },
    { toolCalls: [{ id: 'c3', name: 'refund', arguments: { order: 'A-17', amount: 45 } }], finishReason: 'tool_calls' },
    { text: 'Refunded 45 on order A-17.' },
  );
  const refundsBefore = orders.log.refunds.length;
  const h = await startFlow(ctx.client, ctx.taskQueue, agent(), { message: 'Where is A-17? Please refund it.' });
  const s = await waitForState(h, (st) => st.pendingApprovals.length === 1);
  expect(s.pendingApprovals[0]).toMatchObject({ node: 'reply:tool-3', approvers: ['manager'], toolCall: { tool: 'refund', source: 'mcp:orders', arguments: { order: 'A-17', amount: 45 } } });
  expect(s.pendingApprovals[0].prompt).toBe('Allow the model to call refund with {"order":"A-17","amount":45}?');
  expect(orders.log.refunds.length).toBe(refundsBefore);
  // the first turn offered exactly the listed tools, with the MCP server's own schemas
  const offered = (providers.openai.requests[0].body.tools as { function: { name: string; parameters: { properties: Record<string, unknown> } } }[]).map((t) => t.function);
  expect(offered.map((t) => t.name)).toEqual(['lookup_order', 'refund', 'shipping_status']);
  expect(Object.keys(offered[0].parameters.properties)).toEqual(['id']);

  await new FlowService(ctx.client, ctx.taskQueue).decide(h.workflowId, { decision: 'approve', by: 'manager' });
  const r = await h.result();
  expect(r.response).toBe('Refunded 45 on order A-17.');
  expect(orders.log.refunds.slice(refundsBefore)).toEqual([{ order: 'A-17', amount: 45 }]);
  const [lookup, shipping] = toolMessages(1);
  expect(JSON.parse(lookup)).toEqual({ id: 'A-17', status: 'shipped', total: 45 });
  expect(JSON.parse(shipping)).toEqual({ status: 200, body: { id: 'A-17', carrier: 'DHL', eta: 'tomorrow' } });
  expect(toolMessages(2)[2]).toBe('refunded 45 on A-17');
  expect(await scheduledActivities(h)).toEqual(['mcpListTools', 'modelGenerate', 'mcpCallTool', 'httpRequest', 'modelGenerate', 'mcpCallTool', 'modelGenerate']);
  expect(await exportedHistoryText(h)).not.toContain(TOKEN);
});

test('a declined call is not made, and the model is told why', async () => {
  providers.reset();
  providers.openai.enqueue({ toolCalls: [{ id: 'c1', name: 'refund', arguments: { order: 'B-9', amount: 900 } }], finishReason: 'tool_calls' }, { text: 'I cannot refund that.' });
  const before = orders.log.refunds.length;
  const h = await startFlow(ctx.client, ctx.taskQueue, agent(), { message: 'refund B-9' });
  await waitForState(h, (st) => st.pendingApprovals.length === 1);
  await new FlowService(ctx.client, ctx.taskQueue).decide(h.workflowId, { decision: 'reject', by: 'manager', comment: 'too large' });
  expect((await h.result()).response).toBe('I cannot refund that.');
  expect(orders.log.refunds.length).toBe(before);
  expect(JSON.parse(toolMessages(1)[0])).toEqual({ called: false, reason: 'a person declined the call: too large' });
});

test('tool declarations are validated before the run', () => {
  const def = agent();
  def.nodes[1].params!.tools = [
    { type: 'http', name: 'bad name!', description: '', url: 'https://elsewhere.test/{nope}' },
    { type: 'mcp', server: 'orders', approval: 'yes' },
    { type: 'ftp' },
  ];
  const messages = validateFlow(def).map((i) => `${i.field}: ${i.message}`);
  expect(messages).toEqual(
    expect.arrayContaining([
      'params.tools.0.name: must be a tool name of letters, digits, _ and - (at most 64)',
      "params.tools.0.description: must say what the tool does (the model reads it)",
      "params.tools.0.url: uses {nope}, which is not a property of the tool's parameters",
      expect.stringMatching(/^params\.tools\.0\.url: host elsewhere\.test is not in the flow's allowHosts/),
      'params.tools.1.approval: must be true, false or a list of tool names',
      'params.tools.2.type: must be "mcp" or "http"',
    ]),
  );
});

test('a tool call waiting for approval survives the worker being killed, and runs once after approval', async () => {
  const queue = `${ctx.taskQueue}-crash`;
  providers.reset();
  providers.openai.enqueue({ toolCalls: [{ id: 'c1', name: 'refund', arguments: { order: 'C-3', amount: 12 } }], finishReason: 'tool_calls' }, { text: 'Done: refunded 12.' });
  const doomed = await spawnWorkerProcess(queue, { ...providers.env, PAR_MCP_SERVERS: JSON.stringify(mcpServers()), PAR_SECRET_MCP_TOKEN: TOKEN });
  const h = await startFlow(ctx.client, queue, agent(), { message: 'refund C-3' });
  await waitForState(h, (st) => st.pendingApprovals.length === 1, 120_000);
  doomed.kill('SIGKILL');
  await new Promise((r) => doomed.once('exit', r));

  const survivor = await ctx.startWorker({ taskQueue: queue, activities: workerActivities() });
  await new FlowService(ctx.client, queue).decide(h.workflowId, { decision: 'approve', by: 'manager' });
  const r = await h.result();
  await survivor.stop();
  expect(r.response).toBe('Done: refunded 12.');
  expect(orders.log.refunds.filter((x) => x.order === 'C-3')).toEqual([{ order: 'C-3', amount: 12 }]);
  expect(providers.openai.requests).toHaveLength(2); // the first model turn was not repeated
}, 300_000);
