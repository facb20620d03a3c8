import fs from 'node:fs';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport, getDefaultEnvironment } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { loadConfig } from '../../workers/config';
import { renderSecretText } from '../../workflows/flow/secret-refs';
import type { JsonValue } from '../contracts';
import type { McpCallResult, McpServerRef, McpToolInfo, SecretText } from './contracts';
import { IntegrationError } from './errors';
import { checkHostAllowed } from './http-client';
import type { SecretScope } from './secrets';

/** An MCP server the worker knows by name: a command it starts (stdio) or a streamable HTTP URL. */
export type McpServerConfig = { command: string; args?: string[]; env?: Record<string, string>; cwd?: string } | { url: string; headers?: Record<string, string> };

export const MCP_SERVERS_FILE = 'mcp-servers.json';

/**
 * The worker's MCP servers: `PAR_MCP_SERVERS` (JSON) or `<PAR_DATA_DIR>/mcp-servers.json`, an
 * object of name -> {command, args, env, cwd} or {url, headers}. Only the operator decides which
 * commands run on the worker; flows name servers, or give a URL on a host they allow.
 */
export function mcpServersFromEnv(env: NodeJS.ProcessEnv): Record<string, McpServerConfig> {
  let raw: string | undefined = env.PAR_MCP_SERVERS;
  let where = 'PAR_MCP_SERVERS';
  if (!raw) {
    const file = path.join(loadConfig(env).dataDir, MCP_SERVERS_FILE);
    if (!fs.existsSync(file)) return {};
    raw = fs.readFileSync(file, 'utf8');
    where = file;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (err) {
    throw new IntegrationError('not_configured', `${where} is not valid JSON: ${(err as Error).message}`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new IntegrationError('not_configured', `${where} must be an object of server name -> {command, args} or {url}`);
  for (const [name, s] of Object.entries(parsed as Record<string, McpServerConfig>)) {
    if (!s || typeof s !== 'object' || (typeof (s as { command?: unknown }).command !== 'string' && typeof (s as { url?: unknown }).url !== 'string')) {
      throw new IntegrationError('not_configured', `${where}: server "${name}" needs a command (stdio) or a url (streamable HTTP)`);
    }
  }
  return parsed as Record<string, McpServerConfig>;
}

function headerTexts(headers: Record<string, string> | undefined): Record<string, SecretText> {
  return Object.fromEntries(Object.entries(headers ?? {}).map(([k, v]) => [k, renderSecretText(v, {})]));
}

function transportFor(target: McpServerRef, servers: Record<string, McpServerConfig>, scope: SecretScope): { transport: Transport; label: string } {
  if ('server' in target) {
    const config = servers[target.server];
    if (!config) {
      const known = Object.keys(servers);
      throw new IntegrationError('mcp_server_unknown', `MCP server "${target.server}" is not configured on the worker (${known.length ? `configured: ${known.join(', ')}` : `none: set PAR_MCP_SERVERS or write ${MCP_SERVERS_FILE} in the data folder`})`);
    }
    if ('command' in config) {
      return {
        label: target.server,
        transport: new StdioClientTransport({ command: config.command, args: config.args, cwd: config.cwd, env: { ...getDefaultEnvironment(), ...(config.env ?? {}) }, stderr: 'pipe' }),
      };
    }
    const headers = Object.fromEntries(Object.entries(headerTexts(config.headers)).map(([k, v]) => [k, scope.resolve(v)]));
    return { label: target.server, transport: new StreamableHTTPClientTransport(new URL(config.url), { requestInit: { headers } }) };
  }
  const url = checkHostAllowed(target.url, target.allowHosts, 'the MCP server URL');
  const headers = Object.fromEntries(Object.entries(target.headers ?? {}).map(([k, v]) => [k, scope.resolve(v)]));
  return { label: `${url.origin}${url.pathname}`, transport: new StreamableHTTPClientTransport(url, { requestInit: { headers } }) };
}

/** Connects, runs `use`, and closes (a stdio server's process ends with it). */
export async function withMcpClient<T>(target: McpServerRef, servers: Record<string, McpServerConfig>, scope: SecretScope, timeoutMs: number, use: (client: Client, label: string) => Promise<T>): Promise<T> {
  const { transport, label } = transportFor(target, servers, scope);
  const client = new Client({ name: 'par', version: '1' });
  try {
    await client.connect(transport, { timeout: timeoutMs });
  } catch (err) {
    await client.close().catch(() => undefined);
    throw new IntegrationError('network', `MCP server ${label}: could not connect: ${(err as Error).message}`, { retryable: true });
  }
  try {
    return await use(client, label);
  } finally {
    await client.close().catch(() => undefined);
  }
}

/** A protocol error (unknown tool, bad arguments) is final; a timeout or a dropped connection is not. */
function mcpFailure(label: string, tool: string, err: unknown): IntegrationError {
  const e = err as Error & { code?: number };
  const timedOut = e.code === -32001 || /timed out/i.test(e.message);
  const protocol = typeof e.code === 'number' && !timedOut;
  return new IntegrationError(timedOut ? 'timeout' : protocol ? 'mcp_error' : 'network', `MCP server ${label}, tool "${tool}": ${e.message}`, { retryable: !protocol });
}

export async function callMcpTool(client: Client, label: string, tool: string, args: Record<string, JsonValue>, timeoutMs: number): Promise<McpCallResult> {
  let result;
  try {
    result = await client.callTool({ name: tool, arguments: args }, undefined, { timeout: timeoutMs });
  } catch (err) {
    throw mcpFailure(label, tool, err);
  }
  const parts = (Array.isArray(result.content) ? result.content : []) as { type: string; text?: string }[];
  const text = parts.map((p) => (p.type === 'text' ? (p.text ?? '') : `[${p.type}]`)).join('\n');
  const structured = result.structuredContent as JsonValue | undefined;
  let content: JsonValue = structured ?? text;
  if (structured === undefined) {
    try {
      content = JSON.parse(text) as JsonValue;
    } catch {
      content = text;
    }
  }
  return { isError: result.isError === true, content, text };
}

export async function listMcpTools(client: Client, label: string, timeoutMs: number): Promise<McpToolInfo[]> {
  try {
    const { tools } = await client.listTools(undefined, { timeout: timeoutMs });
    return tools.map((t) => ({ name: t.name, description: t.description ?? '', inputSchema: t.inputSchema as Record<string, unknown> }));
  } catch (err) {
    throw mcpFailure(label, '(list)', err);
  }
}
