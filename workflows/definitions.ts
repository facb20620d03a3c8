// Every signal, update and query of PAR's workflows, in one place (clients import these too).
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ApprovalDecision, DecidedApproval, JsonValue, ModelMessage, RunState } from './flow/types';

/** Approve or reject a pending approval. A signal cannot be refused, so invalid ones are only noted in state. */
export const approvalSignal = defineSignal<[ApprovalDecision]>('approval');
/** The same decision as an update: invalid decisions are rejected before anything is written. */
export const decideApprovalUpdate = defineUpdate<{ node: string; decision: 'approve' | 'reject' }, [ApprovalDecision]>('decideApproval');
/** The whole run state: variables, messages, node trail, pending approvals. */
export const runStateQuery = defineQuery<RunState>('state');

export interface SessionMessage {
  message: string;
  variables?: Record<string, JsonValue>;
  streamChannel?: string;
}

export interface SessionReply {
  turn: number;
  /** The last reply of the turn, if any. */
  response?: string;
  responses: string[];
  status: 'completed' | 'failed';
  error?: string;
  /** The PAR error code behind a failed turn, when there is one (client/error-codes.ts). */
  code?: string;
}

export interface SessionSummary {
  sessionId: string;
  flowId: string;
  turns: number;
  /** How many times the session has continued as new. */
  generation: number;
  /** Whose memories the session uses; also the key of its archived messages. */
  tenant: string;
  variables: Record<string, JsonValue>;
  /**
   * How many of the session's oldest messages live in the session archive (the context store)
   * rather than in the workflow: `messages` starts with message number `archived`.
   */
  archived: number;
  messages: ModelMessage[];
  current?: RunState;
}

/** A user message for a session; answered when the flow has run for it. */
export const sendMessageUpdate = defineUpdate<SessionReply, [SessionMessage]>('sendMessage');
export const endSessionSignal = defineSignal('endSession');
export const sessionQuery = defineQuery<SessionSummary>('session');
