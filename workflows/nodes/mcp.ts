import type { McpServerRef } from '../../activities/integrations/contracts';
import { mcpActivities } from '../flow/integration-activities';
import type { ParamReader } from '../flow/params';
import type { RunEngine } from '../flow/run-engine';
import type { FlowDefinition, JsonValue } from '../flow/types';
import { stringLeaves } from './http';
import { next, type NodeSpec } from './node-spec';
import { allowHostsOf, noSecrets, renderSecretMap, secretTextMap, urlParam } from './outside-world';
import { variableParam } from './param-specs';

export const MCP_DEFAULT_TIMEOUT_MS = 60_000;
const SERVER_NAME = /^[A-Za-z0-9_.-]+$/;

/** Reads `server` or `url` (+ `headers`): which MCP server a node or tool set talks to. */
export function mcpTargetShape(p: ParamReader, flow: FlowDefinition | undefined): Record<string, string> {
  const server = p.str('server');
  const url = urlParam(p, 'url', flow);
  if ((server === undefined) === (url === undefined)) p.report('params', 'give either server (a name the worker has configured) or url (a streamable HTTP endpoint on an allowed host)');
  if (server !== undefined && !SERVER_NAME.test(server)) p.report('params.server', `"${server}" is not a server name (letters, digits, _ . -)`);
  const headers = secretTextMap(p, 'headers');
  if (server !== undefined && Object.keys(headers).length) p.report('params', 'headers go with url; a configured server has its own');
  return { ...headers, ...(url !== undefined ? { 'params.url': url } : {}) };
}

export function mcpTarget(p: ParamReader, engine: RunEngine): McpServerRef {
  const server = p.str('server');
  if (server) return { server };
  return { url: engine.render(p.str('url')!).trim(), headers: renderSecretMap(engine, p.object('headers')), allowHosts: allowHostsOf(engine.definition) };
}

/**
 * Calls one tool on an MCP server (one the worker has configured, stdio or HTTP, or a streamable
 * HTTP URL on a host the flow allows). The result goes into `variable`; a tool that reports an
 * error takes the node's `error` output, with its result still in `variable`.
 */
export const mcpNode: NodeSpec = {
  type: 'mcp',
  title: 'MCP tool',
  category: 'integration',
  description: 'Calls a tool on an MCP server (stdio or streamable HTTP); its result into a variable.',
  params: [
    { name: 'tool', kind: 'string', required: true, description: 'tool name', example: 'lookup_order' },
    { name: 'server', kind: 'string', description: 'an MCP server configured on the worker (PAR_MCP_SERVERS or mcp-servers.json)', example: 'orders' },
    { name: 'url', kind: 'template', description: "or: a streamable HTTP endpoint on a host in the flow's allowHosts", example: 'https://api.example.com/mcp' },
    { name: 'headers', kind: 'object', description: 'with url: header name -> template; may reference {secret:NAME}', example: { authorization: 'Bearer {secret:MCP_TOKEN}' } },
    { name: 'arguments', kind: 'json', description: 'the tool arguments; strings are templates ("{order}" keeps the variable\'s type)', example: { id: '{amount}' } },
    variableParam('variable the result is written to (structured content, else the text, parsed when it is JSON)'),
    { name: 'timeout', kind: 'duration', default: '60 seconds', description: 'per attempt', example: '20 seconds' },
  ],
  outputs: { names: ['next'] },
  example: { tool: 'lookup_order', server: 'orders' },
  shape(p, flow) {
    p.str('tool', { required: true });
    const target = mcpTargetShape(p, flow);
    const args = p.object('arguments');
    const argTemplates = stringLeaves(args, 'params.arguments');
    for (const [field, text] of Object.entries(argTemplates)) noSecrets(p, field, text);
    p.duration('timeout', { min: 100 });
    const variable = p.str('variable');
    return { outputs: ['next'], writes: variable ? [variable] : [], templates: { ...target, ...argTemplates } };
  },
  async run(_node, p, engine) {
    const timeoutMs = p.duration('timeout') ?? MCP_DEFAULT_TIMEOUT_MS;
    const tool = p.str('tool')!;
    const args = (engine.renderValue(p.object('arguments') ?? {}) ?? {}) as Record<string, JsonValue>;
    const result = await mcpActivities(timeoutMs).mcpCallTool({ target: mcpTarget(p, engine), tool, arguments: args, timeoutMs });
    const variable = p.str('variable');
    if (variable) engine.setVariable(variable, result.content);
    engine.detail({ tool, isError: result.isError });
    if (result.isError) throw new Error(`tool "${tool}" reported an error: ${result.text.slice(0, 300)}`);
    return next();
  },
};
