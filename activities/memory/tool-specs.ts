// The memory tools offered to generate/respond nodes, as pure data, plus argument validation.
// No Node APIs: the workflow imports this to build the tool list and to check a model's call
// before scheduling the activity that runs it.
import type { ModelToolSpec } from '../contracts';

export const MEMORY_VAULT_SAVE = 'memory_vault_save';
export const MEMORY_VAULT_SEARCH = 'memory_vault_search';
export const SEARCH_MEMORY = 'search_memory';

export const memoryVaultSaveTool: ModelToolSpec = {
  name: MEMORY_VAULT_SAVE,
  description:
    'Save a fact worth remembering about the user or their work (a preference, a name, a requirement). ' +
    'One entry per topic: to change what is known, pass the id of the existing entry (from memory_vault_search); ' +
    'without an id, a new fact on a topic already saved updates that entry.',
  parameters: {
    type: 'object',
    properties: {
      content: { type: 'string', description: 'The fact, as one self-contained statement, e.g. "Prefers dark mode".' },
      id: { type: 'string', description: 'Id of the entry to update; leave out to add.' },
    },
    required: ['content'],
    additionalProperties: false,
  },
};

export const memoryVaultSearchTool: ModelToolSpec = {
  name: MEMORY_VAULT_SEARCH,
  description: 'Search the saved facts about the user by meaning. Use it before answering questions that may depend on them, and before saving to find the entry to update.',
  parameters: {
    type: 'object',
    properties: {
      query: { type: 'string', description: 'What to look for.' },
      limit: { type: 'integer', minimum: 1, maximum: 20, description: 'Most results to return (default 5).' },
    },
    required: ['query'],
    additionalProperties: false,
  },
};

export const searchMemoryTool: ModelToolSpec = {
  name: SEARCH_MEMORY,
  description: 'Search what the user said in earlier conversations, by meaning.',
  parameters: {
    type: 'object',
    properties: {
      query: { type: 'string', description: 'What to look for.' },
      limit: { type: 'integer', minimum: 1, maximum: 50, description: 'Most results to return (default 8).' },
    },
    required: ['query'],
    additionalProperties: false,
  },
};

export const MEMORY_TOOLS: readonly ModelToolSpec[] = [memoryVaultSaveTool, memoryVaultSearchTool, searchMemoryTool];

export type MemoryToolArgs =
  | { name: typeof MEMORY_VAULT_SAVE; args: { content: string; id?: string } }
  | { name: typeof MEMORY_VAULT_SEARCH; args: { query: string; limit?: number } }
  | { name: typeof SEARCH_MEMORY; args: { query: string; limit?: number } };

export type ToolArgsCheck = { ok: true; call: MemoryToolArgs } | { ok: false; error: string };

export function isMemoryTool(name: string): boolean {
  return MEMORY_TOOLS.some((t) => t.name === name);
}

/**
 * Checks a model's tool arguments against the spec. The error names the field and is meant to be
 * returned to the model as the tool result, so it can correct the call.
 */
export function validateToolArgs(name: string, args: unknown): ToolArgsCheck {
  const spec = MEMORY_TOOLS.find((t) => t.name === name);
  if (!spec) return { ok: false, error: `unknown memory tool "${name}"; known: ${MEMORY_TOOLS.map((t) => t.name).join(', ')}` };
  if (!args || typeof args !== 'object' || Array.isArray(args)) return { ok: false, error: `${name}: arguments must be a JSON object` };
  const a = args as Record<string, unknown>;
  const props = spec.parameters.properties as Record<string, { type: string; minimum?: number; maximum?: number }>;
  const required = spec.parameters.required as string[];
  for (const field of Object.keys(a)) {
    if (!(field in props)) return { ok: false, error: `${name}: unknown field "${field}"; allowed: ${Object.keys(props).join(', ')}` };
  }
  for (const field of required) {
    if (a[field] === undefined || a[field] === null) return { ok: false, error: `${name}: field "${field}" is required` };
  }
  for (const [field, schema] of Object.entries(props)) {
    const v = a[field];
    if (v === undefined || v === null) continue;
    if (schema.type === 'string') {
      if (typeof v !== 'string') return { ok: false, error: `${name}: field "${field}" must be a string, got ${typeof v}` };
      if (!v.trim()) return { ok: false, error: `${name}: field "${field}" must not be empty` };
    } else if (schema.type === 'integer') {
      if (typeof v !== 'number' || !Number.isInteger(v)) return { ok: false, error: `${name}: field "${field}" must be an integer, got ${JSON.stringify(v)}` };
      if (schema.minimum !== undefined && v < schema.minimum) return { ok: false, error: `${name}: field "${field}" must be at least ${schema.minimum}` };
      if (schema.maximum !== undefined && v > schema.maximum) return { ok: false, error: `${name}: field "${field}" must be at most ${schema.maximum}` };
    }
  }
  const clean: Record<string, unknown> = {};
  for (const field of Object.keys(props)) if (a[field] !== undefined && a[field] !== null) clean[field] = typeof a[field] === 'string' ? (a[field] as string).trim() : a[field];
  return { ok: true, call: { name, args: clean } as MemoryToolArgs };
}
