import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { createParMcpServer } from '../../mcp/par-mcp-server';
import type { Router } from '../router';
import type { ApiServices } from '../services';

/**
 * POST /mcp: PAR's MCP server over streamable HTTP (stateless: one server per request, JSON
 * responses). The API key authenticates as for every route; each tool checks the key's grants.
 */
export function registerMcpRoutes(router: Router, services: ApiServices): void {
  router.add(
    'POST',
    '/mcp',
    async ({ req, res, body, principal }) => {
      const server = createParMcpServer({ memory: services.memory, vaults: services.vaults, flows: services.flows }, { principal, defaultTenant: process.env.PAR_TENANT || 'local' });
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
      res.on('close', () => {
        void transport.close();
        void server.close();
      });
      await server.connect(transport);
      await transport.handleRequest(req, res, body);
    },
    { body: 'McpMessage', raw: true },
  );
}
