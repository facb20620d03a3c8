// Tools a generate/respond node offers its model besides the memory tools: the tools of MCP
// servers and declared HTTP calls. Each tool call is its own activity; a tool marked as needing
// approval waits on a durable approval (the approval node's mechanism) showing its arguments.
import type { ModelMessage, ModelToolCall, ModelToolSpec } from '../../activities/contracts';
import type { HttpMethod, McpServerRef } from '../../activities/integrations/contracts';
import { HTTP_METHODS } from '../../activities/integrations/contracts';
import { isCancellation } from '@temporalio/workflow';
import { describeError, type RunEngine } from '../flow/run-engine';
import { httpActivities, mcpActivities } from '../flow/integration-activities';
import type { ParamReader } from '../flow/params';
import { renderSecretText, secretReferences, withoutSecrets } from '../flow/secret-refs';
import { renderTemplate, templateReferences } from '../flow/templates';
import type { FlowDefinition, JsonValue } from '../flow/types';
import { DEFAULT_APPROVAL_TIMEOUT_MS } from './approval';
import { HTTP_DEFAULT_MAX_RESPONSE_BYTES, HTTP_DEFAULT_TIMEOUT_MS } from './http';
import { MCP_DEFAULT_TIMEOUT_MS } from './mcp';
import { allowHostsOf, urlProblem } from './outside-world';

/** `{type: mcp, server, tools?, approval?}`: an MCP server's tools (all, or those listed). */
export interface McpToolSet {
  type: 'mcp';
  server: string;
  tools?: string[];
  /** true: every tool needs approval; a list: those tools. */
  approval?: boolean | string[];
  approvers?: string[];
}

/** `{type: http, name, description, url, ...}`: one HTTP call the model may make; `{arg}` in url and headers are its arguments. */
export interface HttpToolDecl {
  type: 'http';
  name: string;
  description: string;
  method?: HttpMethod;
  url: string;
  headers?: Record<string, string>;
  /** JSON Schema of the arguments (an object schema). */
  parameters?: Record<string, JsonValue>;
  approval?: boolean;
  approvers?: string[];
}

export type ToolDecl = McpToolSet | HttpToolDecl;

/** Longest tool result handed back to the model, in characters. */
const MAX_TOOL_RESULT_CHARS = 20_000;
const TOOL_NAME = /^[A-Za-z0-9_-]{1,64}$/;

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const strList = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

/** Checks the `tools` param, reporting each problem by field. */
export function toolsShape(p: ParamReader, flow: FlowDefinition | undefined): void {
  const list = p.list('tools');
  const names = new Set<string>();
  (list ?? []).forEach((raw, i) => {
    const f = `params.tools.${i}`;
    if (!isObj(raw)) return p.report(f, 'must be an object {type: mcp, server, ...} or {type: http, name, description, url, ...}');
    if (raw.approvers !== undefined && !strList(raw.approvers)) p.report(`${f}.approvers`, 'must be a list of names');
    if (raw.type === 'mcp') {
      if (typeof raw.server !== 'string' || !/^[A-Za-z0-9_.-]+$/.test(raw.server)) p.report(`${f}.server`, 'must name an MCP server configured on the worker');
      if (raw.tools !== undefined && !strList(raw.tools)) p.report(`${f}.tools`, 'must be a list of tool names');
      if (raw.approval !== undefined && typeof raw.approval !== 'boolean' && !strList(raw.approval)) p.report(`${f}.approval`, 'must be true, false or a list of tool names');
      for (const k of Object.keys(raw)) if (!['type', 'server', 'tools', 'approval', 'approvers'].includes(k)) p.report(`${f}.${k}`, 'is not a field of an mcp tool set (type, server, tools, approval, approvers)');
      return;
    }
    if (raw.type !== 'http') return p.report(`${f}.type`, 'must be "mcp" or "http"');
    for (const k of Object.keys(raw)) if (!['type', 'name', 'description', 'method', 'url', 'headers', 'parameters', 'approval', 'approvers'].includes(k)) p.report(`${f}.${k}`, 'is not a field of an http tool (type, name, description, method, url, headers, parameters, approval, approvers)');
    if (typeof raw.name !== 'string' || !TOOL_NAME.test(raw.name)) p.report(`${f}.name`, 'must be a tool name of letters, digits, _ and - (at most 64)');
    else if (names.has(raw.name)) p.report(`${f}.name`, `"${raw.name}" is declared twice`);
    else names.add(raw.name);
    if (typeof raw.description !== 'string' || !raw.description.trim()) p.report(`${f}.description`, 'must say what the tool does (the model reads it)');
    if (raw.method !== undefined && !HTTP_METHODS.includes(raw.method as HttpMethod)) p.report(`${f}.method`, `must be one of ${HTTP_METHODS.join(', ')}`);
    if (raw.approval !== undefined && typeof raw.approval !== 'boolean') p.report(`${f}.approval`, 'must be true or false');
    if (raw.parameters !== undefined && (!isObj(raw.parameters) || raw.parameters.type !== 'object')) p.report(`${f}.parameters`, 'must be a JSON Schema with type "object"');
    const args = new Set(Object.keys(isObj(raw.parameters) && isObj(raw.parameters.properties) ? raw.parameters.properties : {}));
    const checkText = (field: string, text: string) => {
      for (const problem of secretReferences(text).problems) p.report(field, problem);
      const { refs, problem } = templateReferences(withoutSecrets(text));
      if (problem) p.report(field, problem.message);
      for (const ref of refs) if (!args.has(ref.split('.')[0])) p.report(field, `uses {${ref}}, which is not a property of the tool's parameters`);
    };
    if (typeof raw.url !== 'string' || !raw.url) p.report(`${f}.url`, 'is required');
    else {
      if (/\{secret:/.test(raw.url)) p.report(`${f}.url`, 'may not reference secrets; put them in headers');
      else checkText(`${f}.url`, raw.url);
      const problem = urlProblem(raw.url.trim(), allowHostsOf(flow));
      if (problem) p.report(`${f}.url`, problem);
    }
    if (raw.headers !== undefined) {
      if (!isObj(raw.headers)) p.report(`${f}.headers`, 'must be an object of name -> text');
      else for (const [k, v] of Object.entries(raw.headers)) typeof v === 'string' ? checkText(`${f}.headers.${k}`, v) : p.report(`${f}.headers.${k}`, 'must be a string');
    }
  });
}

/** A tool the model may call in this node, and how to run it. */
interface OfferedTool {
  spec: ModelToolSpec;
  run: (args: Record<string, JsonValue>) => Promise<JsonValue>;
  approval: boolean;
  approvers: string[];
  source: string;
}

/** The tool sets' specs for the model (MCP servers are asked for theirs, each its own activity). */
export async function offeredTools(engine: RunEngine, p: ParamReader): Promise<Map<string, OfferedTool>> {
  const offered = new Map<string, OfferedTool>();
  const decls = (p.list('tools') ?? []) as unknown as ToolDecl[];
  for (const decl of decls) {
    if (decl.type === 'mcp') {
      const target: McpServerRef = { server: decl.server };
      const { tools } = await mcpActivities(MCP_DEFAULT_TIMEOUT_MS).mcpListTools({ target });
      const wanted = decl.tools ? tools.filter((t) => decl.tools!.includes(t.name)) : tools;
      const missing = (decl.tools ?? []).filter((n) => !tools.some((t) => t.name === n));
      if (missing.length) throw new Error(`MCP server "${decl.server}" has no tool ${missing.map((m) => `"${m}"`).join(', ')}; it offers ${tools.map((t) => t.name).join(', ')}`);
      for (const t of wanted) {
        add(offered, {
          spec: { name: t.name, description: t.description || t.name, parameters: t.inputSchema },
          run: async (args) => {
            const r = await mcpActivities(MCP_DEFAULT_TIMEOUT_MS).mcpCallTool({ target, tool: t.name, arguments: args, timeoutMs: MCP_DEFAULT_TIMEOUT_MS });
            return r.isError ? { error: r.text } : r.content;
          },
          approval: decl.approval === true || (Array.isArray(decl.approval) && decl.approval.includes(t.name)),
          approvers: decl.approvers ?? [],
          source: `mcp:${decl.server}`,
        });
      }
    } else {
      add(offered, {
        spec: { name: decl.name, description: decl.description, parameters: (decl.parameters as Record<string, unknown> | undefined) ?? { type: 'object', properties: {} } },
        run: (args) => runHttpTool(engine, decl, args),
        approval: decl.approval === true,
        approvers: decl.approvers ?? [],
        source: 'http',
      });
    }
  }
  return offered;
}

function add(offered: Map<string, OfferedTool>, tool: OfferedTool): void {
  const existing = offered.get(tool.spec.name);
  if (existing) throw new Error(`two tools are named "${tool.spec.name}" (${existing.source} and ${tool.source}); list only one with "tools"`);
  offered.set(tool.spec.name, tool);
}

async function runHttpTool(engine: RunEngine, decl: HttpToolDecl, args: Record<string, JsonValue>): Promise<JsonValue> {
  const method = decl.method ?? 'GET';
  const url = renderTemplate(decl.url, args).trim();
  const allowHosts = allowHostsOf(engine.definition);
  const refused = urlProblem(url, allowHosts);
  if (refused) return { error: `url ${refused}` };
  const headers = Object.fromEntries(Object.entries(decl.headers ?? {}).map(([k, v]) => [k, renderSecretText(v, args)]));
  const body = method === 'GET' || method === 'HEAD' ? undefined : JSON.stringify(args);
  if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = ['application/json'];
  const r = await httpActivities(HTTP_DEFAULT_TIMEOUT_MS, 3).httpRequest({ method, url, headers, body, allowHosts, timeoutMs: HTTP_DEFAULT_TIMEOUT_MS, maxResponseBytes: HTTP_DEFAULT_MAX_RESPONSE_BYTES });
  return { status: r.status, body: r.body };
}

/**
 * Runs one call the model made to an offered tool: waits for approval when the tool needs it,
 * then calls it (its own activity). Failures come back to the model as the tool's result.
 */
export async function runOfferedTool(engine: RunEngine, tool: OfferedTool, call: ModelToolCall, callIndex: number): Promise<ModelMessage> {
  const reply = (content: JsonValue): ModelMessage => {
    const text = typeof content === 'string' ? content : JSON.stringify(content);
    return { role: 'tool', toolCallId: call.id, content: text.length > MAX_TOOL_RESULT_CHARS ? `${text.slice(0, MAX_TOOL_RESULT_CHARS)}… (cut at ${MAX_TOOL_RESULT_CHARS} characters)` : text };
  };
  const args = (isObj(call.arguments) ? call.arguments : {}) as Record<string, JsonValue>;
  if (tool.approval) {
    const shown = JSON.stringify(args);
    const outcome = await engine.awaitApproval(
      {
        node: `${engine.state.currentNode ?? 'tool'}:tool-${callIndex}`,
        prompt: `Allow the model to call ${tool.spec.name} with ${shown.length > 500 ? `${shown.slice(0, 500)}…` : shown}?`,
        approvers: tool.approvers,
        toolCall: { tool: tool.spec.name, source: tool.source, arguments: args },
      },
      DEFAULT_APPROVAL_TIMEOUT_MS,
    );
    if (outcome.decision !== 'approve') return reply({ called: false, reason: outcome.decision === 'reject' ? `a person declined the call${outcome.comment ? `: ${outcome.comment}` : ''}` : 'nobody approved the call in time' });
  }
  try {
    return reply(await tool.run(args));
  } catch (err) {
    if (isCancellation(err)) throw err;
    return reply({ error: describeError(err) });
  }
}
