import { allHandlersFinished, condition, continueAsNew, isCancellation, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { endSessionSignal, sendMessageUpdate, sessionQuery, type SessionMessage, type SessionReply } from './definitions';
import { installRunHandlers } from './flow/run-handlers';
import { initialState } from './flow/initial-state';
import { RunEngine } from './flow/run-engine';
import { NODE_SPECS } from './nodes/registry';
import { runTurn } from './flow/run-turn';
import { indexSessionTurn } from './flow/runtime-memory';
import { archiveOldMessages, DEFAULT_KEEP_MESSAGES } from './flow/session-archive';
import type { FlowDefinition, FlowRunInput, JsonValue, ModelMessage } from './flow/types';
import { enginePatch } from './flow/fast-path';
import { StatusBoard } from './flow/status-board';
import { FLOW_ID, runSearchAttributes } from './search-attributes';
import { carriedCode } from './errors';

export interface SessionInput {
  definition: FlowDefinition;
  library?: Record<string, FlowDefinition>;
  sessionId: string;
  tenant?: string;
  /** Continue as new once history reaches this many events (Temporal warns at 10,240). */
  maxHistoryEvents?: number;
  /**
   * Messages the workflow keeps (default 200): once it holds twice as many, the older ones move to
   * the session archive, so neither its state nor a continue-as-new input keeps growing.
   */
  keepMessages?: number;
  /** State carried across continue-as-new. `archived` messages precede `messages` (absent: 0). */
  carried?: { messages: ModelMessage[]; variables: Record<string, JsonValue>; turns: number; generation: number; archived?: number };
}

const DEFAULT_MAX_HISTORY_EVENTS = 8000;
// Temporal warns at 10 MB of history; leave room for the turn in flight.
const MAX_HISTORY_BYTES = 4 * 1024 * 1024;

/**
 * A conversation that lives for months: each user message arrives as an update and is answered by
 * running the flow; variables and messages persist across turns and across continue-as-new.
 */
export async function sessionWorkflow(input: SessionInput): Promise<{ turns: number }> {
  const def = input.definition;
  const messages: ModelMessage[] = input.carried?.messages ?? [];
  let variables: Record<string, JsonValue> = input.carried?.variables ?? {};
  let turns = input.carried?.turns ?? 0;
  const generation = input.carried?.generation ?? 0;
  let archived = input.carried?.archived ?? 0;
  const tenant = input.tenant ?? 'local';
  const queue: { ticket: number; msg: SessionMessage }[] = [];
  const replies = new Map<number, SessionReply>();
  let tickets = 0;
  let ended = false;
  let engine: RunEngine | undefined;

  installRunHandlers(() => engine);
  setHandler(endSessionSignal, () => void (ended = true));
  setHandler(sessionQuery, () => ({ sessionId: input.sessionId, flowId: def.id, tenant, turns, generation, variables, archived, messages, current: engine?.state }));
  setHandler(
    sendMessageUpdate,
    async (msg) => {
      const ticket = ++tickets;
      queue.push({ ticket, msg });
      await condition(() => replies.has(ticket));
      const reply = replies.get(ticket)!;
      replies.delete(ticket);
      return reply;
    },
    {
      validator: (msg) => {
        if (!msg || typeof msg.message !== 'string' || !msg.message.trim()) throw new Error('message must be a non-empty string');
        if (ended) throw new Error(`session "${input.sessionId}" has ended`);
      },
    },
  );
  // The start (and continue-as-new, which copies them) carries these already; see flowWorkflow.
  const patch = enginePatch();
  if (patch === 0 || workflowInfo().typedSearchAttributes.get(FLOW_ID) === undefined) {
    upsertSearchAttributes(runSearchAttributes({ flow: def, status: 'running', sessionId: input.sessionId }));
  }
  // One board for every turn: it knows what the search attribute says between turns.
  const board = new StatusBoard(patch === 2);

  const maxEvents = input.maxHistoryEvents ?? DEFAULT_MAX_HISTORY_EVENTS;
  const keep = input.keepMessages ?? DEFAULT_KEEP_MESSAGES;
  const wantContinue = () => {
    const info = workflowInfo();
    return info.continueAsNewSuggested || info.historyLength >= maxEvents || info.historySize >= MAX_HISTORY_BYTES;
  };

  for (;;) {
    await condition(() => queue.length > 0 || ended || (wantContinue() && allHandlersFinished()));
    if (queue.length > 0) {
      const { ticket, msg } = queue.shift()!;
      const turnStart = messages.length;
      replies.set(ticket, await answer(msg));
      // After the reply is on its way: make the turn searchable for search_memory.
      if (engine) await indexSessionTurn(engine, input.sessionId, turnStart, archived);
      // Between turns, never at continue-as-new (a message arriving meanwhile would be dropped).
      if (messages.length >= 2 * keep) {
        const next = await archiveOldMessages(tenant, input.sessionId, messages, archived, keep);
        messages.splice(0, messages.length - next.messages.length);
        archived = next.archived;
      }
      continue;
    }
    if (ended) return { turns };
    await continueAsNew<typeof sessionWorkflow>({ ...input, carried: { messages, variables, turns, generation: generation + 1, archived } });
  }

  async function answer(msg: SessionMessage): Promise<SessionReply> {
    const runInput: FlowRunInput = {
      definition: def,
      library: input.library,
      message: msg.message,
      history: messages,
      variables: { ...variables, ...(msg.variables ?? {}) },
      sessionId: input.sessionId,
      tenant: input.tenant,
      streamChannel: msg.streamChannel,
    };
    turns++;
    try {
      const state = initialState(def, runInput, workflowInfo().workflowId);
      // The session's transcript is shared, not copied, so it grows in one place.
      messages.push(...state.messages.slice(messages.length));
      state.messages = messages;
      engine = new RunEngine(def, runInput, state, NODE_SPECS, board);
      engine.turnStart = messages.length - 1;
      await runTurn(engine);
      return { turn: turns, response: state.responses[state.responses.length - 1], responses: state.responses, status: 'completed' };
    } catch (err) {
      if (isCancellation(err)) throw err;
      const code = carriedCode(err);
      return { turn: turns, responses: engine?.state.responses ?? [], status: 'failed', error: err instanceof Error ? err.message : String(err), ...(code ? { code } : {}) };
    } finally {
      if (engine) {
        const { message: _m, run_id: _r, ...kept } = engine.state.variables;
        variables = kept;
      }
      // Between turns the session is running (idle); a quiet board writes it only if a turn showed another status.
      board.show('running');
    }
  }
}
