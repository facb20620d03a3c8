// Shapes of the studio endpoints (client/api/openapi.json is the contract).
import type { FlowDefinition, FlowNode, JsonValue, RunState, TrailEntry, PendingApproval, DecidedApproval, VariableDeclaration } from '../../../workflows/flow/types';
import type { ValidationIssue } from '../../../workflows/flow/validate';

export type { FlowDefinition, FlowNode, JsonValue, RunState, TrailEntry, PendingApproval, DecidedApproval, ValidationIssue, VariableDeclaration };

export type ParamKind = string;

export interface ParamSchema {
  name: string;
  kind: ParamKind;
  required?: boolean;
  default?: JsonValue;
  description?: string;
  options?: string[];
  // A kind may say more (item shapes, element kinds); forms ignore what they do not know.
  [more: string]: unknown;
}

export interface NodeTypeInfo {
  type: string;
  title: string;
  category: string;
  description: string;
  params: ParamSchema[];
  /** Fixed outputs, or a note that they depend on params (e.g. choose's options). */
  outputs?: unknown;
  [more: string]: unknown;
}

export interface ValidateResult {
  valid: boolean;
  issues: ValidationIssue[];
}

export interface StoredFlowSummary {
  id: string;
  version: number;
  name?: string;
  updatedAt?: string;
  [more: string]: unknown;
}

export interface StoredFlowVersion {
  id?: string;
  flow?: string;
  version: number;
  definition: FlowDefinition;
  message?: string;
  savedAt?: string;
  savedBy?: string;
  [more: string]: unknown;
}

export interface RunSummary {
  runId: string;
  flowId: string;
  status: string;
  version?: string | number;
  startTime?: string;
  [more: string]: unknown;
}

export type RunStatusView = RunState & { runId: string; flowId: string; status: string; [more: string]: unknown };

export interface InboxApproval {
  runId: string;
  flowId: string;
  node: string;
  prompt: string;
  approvers?: string[];
  requestedAt?: string;
  decision?: string;
  by?: string;
  comment?: string;
  decidedAt?: string;
  variables?: Record<string, JsonValue>;
  [more: string]: unknown;
}
