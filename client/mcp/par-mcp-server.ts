// PAR as an MCP server: memory, vault search and flow runs as tools other agents can call. One
// factory serves both transports: `par mcp` (stdio, the local user) and POST /mcp on the API
// (streamable HTTP, an API key's grants). Every tool checks access before touching anything.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { ConversationMemory } from '../../activities/memory/conversation-memory';
import { memoryResource, requireFlow, requireVault } from '../api/access';
import type { Principal } from '../api/auth/grants';
import { requireFlowDataAccess } from '../api/flow-access';
import { checkFlowId, flowOfRun } from '../api/routes/run-owner';
import type { FlowsPort, MemoryPort, VaultsPort } from '../api/services';

export interface ParMcpServices {
  memory?: Pick<MemoryPort, 'vault'> & { conversations?: Pick<ConversationMemory, 'search'> };
  vaults?: Pick<VaultsPort, 'getSimilar'>;
  flows?: FlowsPort;
}

export interface ParMcpOptions {
  principal: Principal;
  /** Tenant used when a tool call names none. */
  defaultTenant: string;
}

const ok = (data: unknown): CallToolResult => ({ content: [{ type: 'text', text: JSON.stringify(data) }], structuredContent: data as Record<string, unknown> });

/** Errors (refused access, bad input, a refused decision) go back to the calling agent as tool errors. */
async function guarded(fn: () => Promise<unknown>): Promise<CallToolResult> {
  try {
    return ok(await fn());
  } catch (err) {
    return { isError: true, content: [{ type: 'text', text: err instanceof Error ? err.message : String(err) }] };
  }
}

const tenantArg = z.string().min(1).optional().describe('whose memory; the default tenant when absent');

export function createParMcpServer(services: ParMcpServices, opts: ParMcpOptions): McpServer {
  const server = new McpServer({ name: 'par', version: require('../../package.json').version });
  const p = opts.principal;
  const tenantOf = (t: string | undefined) => t ?? opts.defaultTenant;

  if (services.memory) {
    const memory = services.memory;
    server.registerTool(
      'memory_vault_save',
      { description: 'Save a fact worth remembering about the user (one entry per topic; pass id to update an entry).', inputSchema: { content: z.string().min(1), id: z.string().optional(), tenant: tenantArg } },
      ({ content, id, tenant }) =>
        guarded(async () => {
          requireVault(p, memoryResource(tenantOf(tenant)), 'write');
          const { plan, entry } = await memory.vault.save({ tenant: tenantOf(tenant), content, id });
          return { saved: true, action: plan.action, id: entry.id, content: entry.content };
        }),
    );
    server.registerTool(
      'memory_vault_search',
      { description: 'Search the saved facts about the user by meaning.', inputSchema: { query: z.string().min(1), limit: z.number().int().min(1).max(20).optional(), tenant: tenantArg } },
      ({ query, limit, tenant }) =>
        guarded(async () => {
          requireVault(p, memoryResource(tenantOf(tenant)), 'read');
          const r = await memory.vault.search({ tenant: tenantOf(tenant), query, limit });
          return { entries: r.entries.map((e) => ({ id: e.id, content: e.content, similarity: Number(e.similarity.toFixed(3)) })) };
        }),
    );
    if (memory.conversations) {
      const conversations = memory.conversations;
      server.registerTool(
        'search_memory',
        { description: 'Search what the user said in earlier conversations, by meaning.', inputSchema: { query: z.string().min(1), limit: z.number().int().min(1).max(50).optional(), tenant: tenantArg } },
        ({ query, limit, tenant }) =>
          guarded(async () => {
            requireVault(p, memoryResource(tenantOf(tenant)), 'read');
            const r = await conversations.search({ tenant: tenantOf(tenant), query, limit });
            return { hits: r.hits.map((h) => ({ text: h.text, sessionId: h.sessionId, similarity: Number(h.similarity.toFixed(3)) })) };
          }),
      );
    }
  }

  if (services.vaults) {
    const vaults = services.vaults;
    server.registerTool(
      'vault_search',
      { description: 'Search a knowledge vault by meaning; returns the best matching items.', inputSchema: { vault: z.string().min(1), query: z.string().min(1), n: z.number().int().min(1).max(50).optional() } },
      ({ vault, query, n }) =>
        guarded(async () => {
          requireVault(p, vault, 'read');
          const items = await vaults.getSimilar(vault, query, { n: n ?? 5 });
          return { items: items.map((i) => ({ id: i.id, text: i.text, score: Number(i.score.toFixed(3)), metadata: i.metadata })) };
        }),
    );
  }

  if (services.flows) {
    const flows = services.flows;
    server.registerTool(
      'flow_run',
      {
        description: 'Start a run of a PAR flow; returns its run id (use flow_status to follow it).',
        inputSchema: { flow: z.string().min(1), message: z.string().optional(), variables: z.record(z.string(), z.unknown()).optional(), tenant: tenantArg },
      },
      ({ flow, message, variables, tenant }) =>
        guarded(async () => {
          const flowId = checkFlowId(flow);
          requireFlow(p, flowId, 'run');
          const prepared = await flows.prepare(flowId);
          requireFlowDataAccess(p, [prepared.definition, ...Object.values(prepared.library)], tenant);
          return flows.start(flowId, { message, variables: variables as never, tenant });
        }),
    );
    server.registerTool(
      'flow_status',
      { description: 'Status of a flow run: running, waiting_approval (with what it waits for), completed (with its responses), failed.', inputSchema: { run_id: z.string().min(1) } },
      ({ run_id }) =>
        guarded(async () => {
          requireFlow(p, await flowOfRun(flows, run_id), 'read');
          const s = await flows.status(run_id);
          return { runId: run_id, flowId: s.flowId, status: s.status, responses: s.responses, pendingApprovals: s.pendingApprovals, error: s.error ?? null, variables: s.variables };
        }),
    );
    server.registerTool(
      'flow_approve',
      {
        description: 'Approve or reject what a waiting run asks for (an approval node or a tool call needing approval).',
        inputSchema: { run_id: z.string().min(1), decision: z.enum(['approve', 'reject']).optional(), comment: z.string().optional(), node: z.string().optional() },
      },
      ({ run_id, decision, comment, node }) =>
        guarded(async () => {
          const d = decision ?? 'approve';
          requireFlow(p, await flowOfRun(flows, run_id), d);
          const by = p.unrestricted ? 'local-developer' : p.name;
          const decided = await flows.decide(run_id, { decision: d, by, comment, node });
          return { runId: run_id, decision: d, by, node: decided.node };
        }),
    );
  }
  return server;
}
