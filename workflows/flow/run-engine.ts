import { ApplicationFailure, isCancellation, workflowInfo } from '@temporalio/workflow';
import { decisionOrTimeout } from './decision-or-timeout';
import { workflowNowIso, workflowNowMs } from '../clock';
import { carriedCode } from '../errors';
import { ApprovalBook } from './approvals';
import { Awaiting, isPromise, type Eventually } from './eventually';
import { trustedParams, type ParamReader } from './params';
import { StatusBoard } from './status-board';
import { renderTemplate, renderValue } from './templates';
import type { DecidedApproval, FlowDefinition, FlowNode, FlowRunInput, JsonValue, ModelMessage, NodeType, PendingApproval, RunState, RunStatus, TrailEntry } from './types';

// Resolved by the worker when the call runs: PAR_DEFAULT_MODEL, else the provider whose key is
// set, else local:extractive (activities/models). The result names the model that answered.
export const DEFAULT_MODEL = 'default';
/** The trail keeps the most recent entries; a looping session would otherwise grow it forever. */
const MAX_TRAIL = 500;

/**
 * A node failed and has no error output: the run fails, naming the node, and carrying the code of
 * the PAR error behind it (ParFailureDetail), so clients report what a direct call would.
 */
export function nodeFailure(node: FlowNode, message: string, code?: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(`node "${node.id}" (${node.type}) failed: ${message}`, 'NodeFailed', { node: node.id, ...(code ? { code } : {}) });
}

/** An error's message with its causes (Temporal wraps activity and child failures). */
export function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  let msg = err.message;
  let cause = (err as { cause?: unknown }).cause;
  while (cause instanceof Error) {
    if (cause.message && !msg.includes(cause.message)) msg += `: ${cause.message}`;
    cause = (cause as { cause?: unknown }).cause;
  }
  return msg;
}

/** The node took `output`, or ended the run. */
export type NodeResult = { output: string } | { end: true };

/**
 * What the interpreter needs of a node type: running one node. The node types (workflows/nodes,
 * whose NodeSpec extends this) are handed to the engine, so workflows/flow never imports them.
 * A node that does no I/O returns its result, and one that waits for a single activity returns
 * `awaiting(call, finish)`: each promise costs a stack capture in the sandbox (see Eventually).
 */
export interface NodeRunner {
  run(node: FlowNode, p: ParamReader, engine: RunEngine): Eventually<NodeResult>;
}

/** One run's state and the services its nodes use. Everything here is recorded in history. */
export class RunEngine {
  readonly approvals = new ApprovalBook();
  readonly library: Record<string, FlowDefinition>;
  private readonly nodes: Map<string, FlowNode>;
  private visits = new Map<string, number>();
  currentEntry?: TrailEntry;
  /** Memory the runtime loaded before the run (facts, strategy advice), for system prompts. */
  memoryPreamble = '';
  /** Index in state.messages where the current turn's user message sits. */
  turnStart = 0;

  constructor(
    readonly definition: FlowDefinition,
    readonly input: FlowRunInput,
    readonly state: RunState,
    private readonly nodeTypes: Readonly<Record<NodeType, NodeRunner>>,
    /** Where the run's status is written (a session shares one across its turns). */
    readonly board: StatusBoard = new StatusBoard(false),
  ) {
    this.library = input.library ?? {};
    this.nodes = new Map(definition.nodes.map((n) => [n.id, n]));
  }

  get vars(): Record<string, JsonValue> {
    return this.state.variables;
  }

  /** The current user message. */
  get message(): string {
    const v = this.state.variables.message;
    return typeof v === 'string' ? v : '';
  }

  get runId(): string {
    return workflowInfo().workflowId;
  }

  render(text: string): string {
    return renderTemplate(text, this.state.variables);
  }

  renderValue(value: JsonValue): JsonValue {
    return renderValue(value, this.state.variables);
  }

  setVariable(name: string, value: JsonValue): void {
    this.state.variables[name] = value;
  }

  model(p: { str(name: string): string | undefined }): string {
    return p.str('model') ?? this.definition.defaults?.model ?? DEFAULT_MODEL;
  }

  vault(p: { str(name: string): string | undefined }): string | undefined {
    const v = p.str('vault');
    return v ? this.render(v) : this.definition.defaults?.vault;
  }

  temperature(p: { num(name: string): number | undefined }): number {
    return p.num('temperature') ?? this.definition.defaults?.temperature ?? 0;
  }

  /** Conversation before the current turn (for decisions and query rewriting). */
  history(): ModelMessage[] {
    return this.state.messages.slice(0, this.turnStart);
  }

  systemPreamble(): string {
    return this.memoryPreamble;
  }

  respond(text: string): void {
    this.state.responses.push(text);
    this.state.messages.push({ role: 'assistant', content: text });
  }

  detail(facts: Record<string, JsonValue>): void {
    if (this.currentEntry) this.currentEntry.detail = { ...this.currentEntry.detail, ...facts };
  }

  /**
   * Opens an approval and waits, with zero compute, for a decision or the timeout. Used by the
   * approval node and by memory saves and tool calls that a person must confirm.
   */
  awaitApproval(request: Omit<PendingApproval, 'requestedAt' | 'timeoutAt'>, timeoutMs: number): Promise<DecidedApproval> {
    this.approvals.open({ ...request, requestedAt: workflowNowIso(), timeoutAt: new Date(workflowNowMs() + timeoutMs).toISOString() });
    this.setStatus('waiting_approval');
    return decisionOrTimeout(() => this.approvals.decisionFor(request.node) !== undefined, timeoutMs).then((decided) => {
      const outcome = this.approvals.close(request.node, decided ? this.approvals.decisionFor(request.node)! : 'timeout');
      this.setStatus('running');
      return outcome;
    });
  }

  setStatus(status: RunStatus): void {
    if (this.state.status === status) return;
    this.state.status = status;
    // A waiting status is shown at once: the run is about to wait with it.
    if (!this.board.quiet || status === 'waiting_approval' || status === 'waiting_timer') this.board.show(status);
  }

  /** Before the run waits: shows the status a quiet board held back (see StatusBoard). */
  showStatus(): void {
    if (this.board.quiet) this.board.show(this.state.status);
  }

  /** A child workflow id that is unique even when a loop visits the node again. */
  childId(node: FlowNode, suffix = ''): string {
    const n = this.visits.get(node.id) ?? 1;
    return `${this.runId}/${node.id}${n > 1 ? `.${n}` : ''}${suffix ? `/${suffix}` : ''}`;
  }

  startNode(): FlowNode {
    const start = this.definition.nodes.find((n) => n.type === 'start');
    if (!start) throw ApplicationFailure.nonRetryable(`flow "${this.definition.id}" has no start node`, 'InvalidFlow');
    return start;
  }

  /** Walks the graph from `from` until a node ends the run or takes an unconnected output. */
  async interpret(from: FlowNode): Promise<void> {
    let node: FlowNode | undefined = from;
    while (node) {
      const runner: NodeRunner = this.nodeTypes[node.type];
      this.visits.set(node.id, (this.visits.get(node.id) ?? 0) + 1);
      const entry: TrailEntry = { node: node.id, type: node.type, startedAt: workflowNowIso() };
      const started = workflowNowMs();
      this.state.trail.push(entry);
      if (this.state.trail.length > MAX_TRAIL) this.state.trail.splice(0, this.state.trail.length - MAX_TRAIL);
      this.state.currentNode = node.id;
      this.currentEntry = entry;
      let target: string | undefined;
      try {
        // Awaits only what the node waits for: a node with nothing to wait for costs no promise.
        // This is settle() (eventually.ts) written out: calling that async function would add a
        // promise of its own to every node that waits.
        let step: Eventually<NodeResult> = runner.run(node, trustedParams(node.params), this);
        for (;;) {
          if (step instanceof Awaiting) {
            this.showStatus();
            step = step.finish(await step.call);
          } else if (isPromise(step)) {
            this.showStatus();
            step = await step;
          } else break;
        }
        const result: NodeResult = step;
        if ('end' in result) {
          entry.output = 'end';
          target = undefined;
        } else {
          entry.output = result.output;
          target = node.outputs?.[result.output];
        }
      } catch (err) {
        if (isCancellation(err)) throw err;
        const message = describeError(err);
        entry.error = message;
        entry.output = 'error';
        target = node.outputs?.error;
        if (!target) {
          const code = carriedCode(err);
          this.state.error = { node: node.id, message, ...(code ? { code } : {}) };
          throw err instanceof ApplicationFailure && err.type === 'NodeFailed' ? err : nodeFailure(node, message, code);
        }
      } finally {
        entry.finishedAt = workflowNowIso();
        entry.durationMs = workflowNowMs() - started;
        if (this.state.status !== 'running') this.setStatus('running');
      }
      node = target ? this.nodes.get(target) : undefined;
    }
    this.state.currentNode = undefined;
  }
}
