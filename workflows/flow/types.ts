import type { JsonValue, ModelMessage } from '../../activities/contracts';

export type { JsonValue, ModelMessage };

export const NODE_TYPES = [
  'start',
  'respond',
  'generate',
  'recognize',
  'choose',
  'number',
  'capture',
  'set_variable',
  'if',
  'retrieve',
  'store',
  'add_to_vault',
  'wait',
  'approval',
  'run_flow',
  'parallel',
  'act',
  'end',
  'no_response',
  'http',
  'web_search',
  'email',
  'mcp',
] as const;
export type NodeType = (typeof NODE_TYPES)[number];

export type VariableType = 'string' | 'number' | 'boolean' | 'object' | 'array' | 'any';

export interface VariableDeclaration {
  type: VariableType;
  default?: JsonValue;
  description?: string;
}

export interface FlowNode {
  id: string;
  name?: string;
  type: NodeType;
  params?: Record<string, JsonValue>;
  /** Named outputs: output name -> id of the next node. Every node may also have "error". */
  outputs?: Record<string, string>;
}

export interface FlowMemoryConfig {
  mode: 'none' | 'facts' | 'reasoning' | 'all';
  topK?: number;
  namespace?: string;
  /** Memory Vault tools offered to generate/respond nodes, and how saves are confirmed. */
  tools?: boolean;
  saveConfirmation?: 'auto' | 'deny' | 'ask';
  /** What kind of task this is (ReasoningBank key); defaults to the run's first user message. */
  taskSignature?: string;
  /** Model for the ReasoningBank judge; local:extractive means the documented non-model method. */
  model?: string;
}

export interface FlowDefinition {
  id: string;
  version: string;
  name?: string;
  description?: string;
  variables?: Record<string, VariableDeclaration>;
  defaults?: { model?: string; vault?: string; temperature?: number };
  memory?: FlowMemoryConfig;
  /** Hosts the flow's http, web_search page, MCP and tool calls may reach: "host", "host:port", "*.domain". */
  allowHosts?: string[];
  /** Domains (or "*.domain", or whole addresses) email nodes may send to. */
  allowEmailDomains?: string[];
  nodes: FlowNode[];
}

/** What a run is started with. Child flows it may start travel with it, resolved up front. */
export interface FlowRunInput {
  definition: FlowDefinition;
  /** Definitions of the flows that run_flow / parallel nodes reference, by id. */
  library?: Record<string, FlowDefinition>;
  message?: string;
  history?: ModelMessage[];
  variables?: Record<string, JsonValue>;
  sessionId?: string;
  /** Tenant whose memories and facts the run may use. */
  tenant?: string;
  memory?: Partial<FlowMemoryConfig>;
  /** Stream bus channel that respond nodes publish tokens to (the API subscribes). */
  streamChannel?: string;
  /** The flow store's version of `definition`, when the run started from a stored flow. */
  flowVersion?: number;
  /**
   * The definition and library were validated when the run was prepared (FlowService.prepare,
   * or a parent run's library), so the workflow does not check them again.
   */
  prepared?: boolean;
}

export type RunStatus = 'running' | 'waiting_approval' | 'waiting_timer' | 'completed' | 'failed' | 'cancelled';

export interface TrailEntry {
  node: string;
  type: NodeType;
  startedAt: string;
  finishedAt?: string;
  durationMs?: number;
  output?: string;
  error?: string;
  /** Short, bounded facts about what the node did (decision, variable written, child run id...). */
  detail?: Record<string, JsonValue>;
}

export interface ApprovalDecision {
  decision: 'approve' | 'reject';
  by: string;
  comment?: string;
  /** The approval node; optional when exactly one approval is pending. */
  node?: string;
}

export interface PendingApproval {
  node: string;
  prompt: string;
  approvers: string[];
  requestedAt: string;
  timeoutAt: string;
  /** For memory-save confirmations: what would be saved. */
  memorySave?: { action: 'add' | 'update'; content: string; previousContent?: string };
  /** For tool calls a person must allow: the tool, where it comes from, and the model's arguments. */
  toolCall?: { tool: string; source: string; arguments: Record<string, JsonValue> };
}

export interface DecidedApproval extends PendingApproval {
  decision: 'approve' | 'reject' | 'timeout';
  by?: string;
  comment?: string;
  decidedAt: string;
}

export interface RunState {
  flowId: string;
  version: string;
  /** The flow store's version the run started with (absent for flows from files or inline). */
  flowVersion?: number;
  status: RunStatus;
  sessionId?: string;
  variables: Record<string, JsonValue>;
  messages: ModelMessage[];
  /** Replies the run produced for the user, in order. */
  responses: string[];
  trail: TrailEntry[];
  pendingApprovals: PendingApproval[];
  approvals: DecidedApproval[];
  currentNode?: string;
  /** Why the run failed; `code` is the PAR error code behind it, when there is one (client/error-codes.ts). */
  error?: { node?: string; message: string; code?: string };
  /** Runtime memory loaded before the run. */
  memory?: { adviceIds: string[]; factKeys: string[]; learnWorkflowId?: string };
  /** Approval signals that could not apply (a signal cannot be refused), newest last. */
  ignoredSignals?: string[];
}

export interface FlowRunResult {
  status: 'completed';
  response?: string;
  responses: string[];
  variables: Record<string, JsonValue>;
  trail: TrailEntry[];
}

/**
 * The generic flow workflow's signature (workflows/flow-workflow.ts implements it). It lives here
 * so nodes that start child flows name it without importing the workflow, which imports them.
 */
export type FlowWorkflow = (input: FlowRunInput) => Promise<FlowRunResult>;
