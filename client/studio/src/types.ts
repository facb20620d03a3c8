// Shapes of the studio endpoints (client/api/openapi.json is the contract).
import type { FlowDefinition, FlowNode, JsonValue, RunState, TrailEntry, PendingApproval, DecidedApproval, VariableDeclaration } from '../../../workflows/flow/types';
import type { ValidationIssue } from '../../../workflows/flow/validation-issue';
import type { NodeTypeDescription } from '../../../workflows/nodes/catalogue';
import type { ParamSpec } from '../../../workflows/nodes/node-spec';

export type { FlowDefinition, FlowNode, JsonValue, RunState, TrailEntry, PendingApproval, DecidedApproval, ValidationIssue, VariableDeclaration };

/** GET /v1/node-types entries and their params: the node specs' own declarations. */
export type NodeTypeInfo = NodeTypeDescription;
export type ParamSchema = ParamSpec;

export interface ValidateResult {
  valid: boolean;
  issues: ValidationIssue[];
}

export type { FlowSummary, FlowLayout, FlowDocument, FlowVersion, StoredFlowVersion, SavedFlow, RunSummary, InboxApproval, MemoryEntry, ScoredMemoryEntry, Fact, ReasoningItem } from '../../sdk/types';

export type RunStatusView = RunState & { runId: string; flowId: string; status: string; [more: string]: unknown };
