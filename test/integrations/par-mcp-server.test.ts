import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport, getDefaultEnvironment } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { stringify } from 'yaml';
import { createActivities } from '../../activities';
import { createMemoryServices } from '../../activities/memory/services';
import { sharedVaultService } from '../../activities/vaults';
import { FlowRegistry } from '../../client/services/flow-registry';
import { FlowService } from '../../client/services/flows';
import { temporalTestContext, type TemporalTestContext } from '../helpers/temporal';
import { readTestEnv } from '../helpers/test-env';
import { startTestApi, type TestApi } from '../api/helpers/api';
import { waitForState } from '../helpers/flows';

// PAR's MCP server, driven by the official SDK's client over both transports: stdio (`par mcp`,
// a real process) and streamable HTTP (POST /mcp on a real API server with API keys).
const ROOT = path.resolve(__dirname, '../..');
let ctx: TemporalTestContext;
let api: TestApi;
let flows: FlowService;
const tenant = `mcp-${Date.now()}`;
const vault = `mcp_docs_${Date.now()}`;

type ToolResult = { isError?: boolean; structuredContent?: Record<string, unknown>; content: { type: string; text?: string }[] };
const call = async (client: Client, name: string, args: Record<string, unknown>) => (await client.callTool({ name, arguments: args })) as ToolResult;

beforeAll(async () => {
  ctx = await temporalTestContext('par-mcp');
  await ctx.startWorker({ activities: createActivities() });
  const vaults = await sharedVaultService();
  await vaults.add(vault, 'Refunds are paid within 14 days of the return arriving.');
  const flowsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'par-mcp-flows-'));
  fs.writeFileSync(
    path.join(flowsDir, 'ask_manager.yaml'),
    stringify({
      id: 'ask_manager',
      version: '1',
      nodes: [
        { id: 'start', type: 'start', outputs: { next: 'ask' } },
        { id: 'ask', type: 'approval', params: { prompt: 'Approve {message}?' }, outputs: { approved: 'yes', rejected: 'no' } },
        { id: 'yes', type: 'end', params: { text: 'approved' } },
        { id: 'no', type: 'end', params: { text: 'rejected' } },
      ],
    }),
  );
  const memory = await createMemoryServices({ embedder: vaults.embedder });
  flows = new FlowService(ctx.client, ctx.taskQueue, new FlowRegistry([flowsDir]));
  api = await startTestApi({ services: { vaults, flows, memory: { vault: memory.vault, facts: memory.facts, conversations: memory.conversations } } });
});
afterAll(async () => {
  await api?.close();
  await ctx?.close();
});

async function httpClient(key: string): Promise<Client> {
  const client = new Client({ name: 'test-agent', version: '1' });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${api.url}/mcp`), { requestInit: { headers: { authorization: `Bearer ${key}` } } }));
  return client;
}

test('streamable HTTP: tools by grant; memory, vault search, flow run, status and approve', async () => {
  const { key } = api.clientWith({ vaults: { [`memory:${tenant}`]: 'write', [vault]: 'read' }, flows: ['ask_manager'] }, `agent-${Date.now()}`);
  const client = await httpClient(key);
  const names = (await client.listTools()).tools.map((t) => t.name).sort();
  expect(names).toEqual(['flow_approve', 'flow_run', 'flow_status', 'memory_vault_save', 'memory_vault_search', 'search_memory', 'vault_search']);

  const saved = await call(client, 'memory_vault_save', { content: 'Prefers email over phone', tenant });
  expect(saved.structuredContent).toMatchObject({ saved: true, action: 'add' });
  const found = await call(client, 'memory_vault_search', { query: 'how to contact the user', tenant });
  expect((found.structuredContent!.entries as { content: string }[])[0].content).toBe('Prefers email over phone');
  const hits = await call(client, 'vault_search', { vault, query: 'when are refunds paid' });
  expect((hits.structuredContent!.items as { text: string }[])[0].text).toMatch(/within 14 days/);

  const started = await call(client, 'flow_run', { flow: 'ask_manager', message: 'a 45 dollar refund' });
  const runId = started.structuredContent!.runId as string;
  await waitForState(ctx.client.workflow.getHandle(runId), (s) => s.status === 'waiting_approval');
  const waiting = await call(client, 'flow_status', { run_id: runId });
  expect(waiting.structuredContent).toMatchObject({ status: 'waiting_approval', pendingApprovals: [expect.objectContaining({ node: 'ask', prompt: 'Approve a 45 dollar refund?' })] });
  const decided = await call(client, 'flow_approve', { run_id: runId, comment: 'fine' });
  expect(decided.structuredContent).toMatchObject({ decision: 'approve', node: 'ask' });
  expect((await ctx.client.workflow.getHandle(runId).result()).response).toBe('approved');
  const again = await call(client, 'flow_approve', { run_id: runId });
  expect(again.isError).toBe(true);
  await client.close();
});

test('streamable HTTP: a key without grants is refused per tool; no key is refused at the door', async () => {
  const { key } = api.clientWith({ vaults: { other: 'read' } }, `stranger-${Date.now()}`);
  const client = await httpClient(key);
  const denied = await call(client, 'memory_vault_search', { query: 'x', tenant });
  expect(denied.isError).toBe(true);
  expect(denied.content[0].text).toMatch(/has no read access to vault "memory:mcp-/);
  expect((await call(client, 'vault_search', { vault, query: 'refunds' })).content[0].text).toMatch(/no read access to vault "mcp_docs_/);
  expect((await call(client, 'flow_run', { flow: 'ask_manager' })).content[0].text).toMatch(/may not run flow "ask_manager"/);
  await client.close();
  const res = await fetch(`${api.url}/mcp`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }) });
  expect(res.status).toBe(401);
});

test('stdio: `par mcp` as the local user saves and searches memory and searches vaults', async () => {
  const client = new Client({ name: 'test-agent', version: '1' });
  await client.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: [path.join(ROOT, 'bin/par.js'), 'mcp', '--tenant', `${tenant}-stdio`],
      cwd: ROOT,
      env: { ...getDefaultEnvironment(), PAR_DATA_DIR: process.env.PAR_DATA_DIR!, PAR_TEMPORAL_ADDRESS: readTestEnv().temporalAddress, PAR_TASK_QUEUE: ctx.taskQueue },
      stderr: 'pipe',
    }),
  );
  expect((await client.listTools()).tools.map((t) => t.name)).toEqual(expect.arrayContaining(['memory_vault_save', 'memory_vault_search', 'search_memory', 'vault_search', 'flow_run', 'flow_status', 'flow_approve']));
  expect((await call(client, 'memory_vault_save', { content: 'Works in Lisbon' })).structuredContent).toMatchObject({ saved: true });
  const found = await call(client, 'memory_vault_search', { query: 'where does the user work' });
  expect((found.structuredContent!.entries as { content: string }[])[0].content).toBe('Works in Lisbon');
  const hits = await call(client, 'vault_search', { vault, query: 'refund timing' });
  expect((hits.structuredContent!.items as { text: string }[])[0].text).toMatch(/within 14 days/);
  const status = await call(client, 'flow_status', { run_id: 'no-such-run' });
  expect(status.isError).toBe(true);
  expect(status.content[0].text).toMatch(/no run "no-such-run"/);
  await client.close();
}, 180_000);
