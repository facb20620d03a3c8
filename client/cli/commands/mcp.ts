import type { Command } from 'commander';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { createMemoryServices } from '../../../activities/memory/services';
import { sharedVaultService } from '../../../activities/vaults';
import { loadConfig } from '../../../workers/config';
import { createParMcpServer, type ParMcpServices } from '../../mcp/par-mcp-server';
import { FlowService } from '../../services/flows';
import { connectClient } from '../../temporal';

export function register(program: Command): void {
  program
    .command('mcp')
    .description('Serve PAR as an MCP server over stdio (memory_vault_save, memory_vault_search, search_memory, vault_search, flow_run, flow_status, flow_approve), as the local user')
    .option('--tenant <tenant>', 'tenant for memory tools that name none (default PAR_TENANT or "local")')
    .option('--no-flows', 'serve memory and vault tools only (no Temporal connection)')
    .action(async (opts: { tenant?: string; flows: boolean }) => {
      const config = loadConfig();
      const vaults = await sharedVaultService();
      const memory = await createMemoryServices({ embedder: vaults.embedder });
      const services: ParMcpServices = { memory: { vault: memory.vault, conversations: memory.conversations }, vaults };
      if (opts.flows) {
        try {
          services.flows = new FlowService(await connectClient(config), config.taskQueue, undefined, () => memory.context);
        } catch (err) {
          // stdout is the protocol channel: say it on stderr and serve the other tools.
          process.stderr.write(`par mcp: flow tools are off: ${(err as Error).message}\n`);
        }
      }
      const principal = { keyId: 'local', name: 'local-developer', grants: { vaults: {}, flows: [] }, unrestricted: true };
      const server = createParMcpServer(services, { principal, defaultTenant: opts.tenant ?? (process.env.PAR_TENANT || 'local') });
      const transport = new StdioServerTransport();
      await server.connect(transport);
      const closed = new Promise<void>((resolve) => (server.server.onclose = resolve));
      process.stdin.on('end', () => void server.close());
      await closed;
      await memory.close();
      process.exit(0);
    });
}
