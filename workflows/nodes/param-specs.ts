import type { ParamSpec } from './node-spec';

// Params several node types share, declared once.

export const MODEL_PARAM: ParamSpec = {
  name: 'model',
  kind: 'model',
  description: 'model id such as "openai:gpt-4.1-mini"; the flow default model when absent',
  example: 'local:echo',
};

export const VAULT_PARAM: ParamSpec = {
  name: 'vault',
  kind: 'vault',
  description: 'vault name (may be a {variable} template); the flow default vault when absent',
  example: 'docs',
};

/** The variable a node writes its result to. */
export function variableParam(description: string, opts: { required?: boolean; default?: string } = {}): ParamSpec {
  return { name: 'variable', kind: 'variable', description, example: 'result', ...opts };
}

/** Params of the nodes that call a model with optional vault context (generate, respond). */
export const MODEL_CALL_PARAMS: ParamSpec[] = [
  MODEL_PARAM,
  { ...VAULT_PARAM, description: 'vault whose items are given to the model as context; the flow default vault when absent' },
  { name: 'context', kind: 'boolean', description: 'retrieve vault context for the message (on whenever a vault is named)', default: true, example: false },
  { name: 'n', kind: 'integer', description: 'context items to retrieve', default: 4, min: 1, max: 50, example: 3 },
  { name: 'temperature', kind: 'number', description: 'sampling temperature; the flow default (or 0) when absent', min: 0, max: 2, example: 0.2 },
  { name: 'maxTokens', kind: 'integer', description: 'at most this many output tokens', min: 1, example: 256 },
  { name: 'smartHistorySearch', kind: 'boolean', description: 'rewrite the vault search query from the conversation history', default: false, example: true },
  {
    name: 'tools',
    kind: 'list',
    description: 'tools the model may call: {type: mcp, server, tools?, approval?} (an MCP server\'s tools) or {type: http, name, description, url, method?, headers?, parameters?, approval?}',
    example: [{ type: 'mcp', server: 'orders', approval: ['refund'] }],
  },
];
