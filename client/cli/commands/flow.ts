import fs from 'node:fs';
import type { Command } from 'commander';
import { loadConfig } from '../../../workers/config';
import { FlowFileError, FlowRegistry } from '../../services/flow-registry';
import { ApprovalRefusedError, FlowService, runRequestFromInput } from '../../services/flows';
import { connectClient } from '../../temporal';
import { openFlowStore } from '../../services/flow-store';
import { registerFlowStoreCommands } from './flow-store';
import { FlowCatalog } from '../../services/flow-catalog';
import { FlowValidationError, formatIssue } from '../../../workflows/flow/validate';
import type { JsonValue, RunState } from '../../../workflows/flow/types';
import { CliError, emit, parseJsonArg } from '../output';
import { remoteClient, viaApi } from '../remote';
import type { ParClient } from '../../sdk';

type JsonOpt = { json?: boolean };

export async function withFlowService<T>(fn: (svc: FlowService) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const client = await connectClient(config);
  const store = openFlowStore(config.dataDir);
  try {
    return await fn(new FlowService(client, config.taskQueue, undefined, undefined, store));
  } catch (err) {
    if (err instanceof FlowValidationError) throw new CliError(err.message, 2, 'invalid_flow');
    if (err instanceof FlowFileError) throw new CliError(err.message, 2, 'flow_not_found');
    if (err instanceof ApprovalRefusedError) throw new CliError(err.message, 1, 'approval_refused');
    if (err instanceof TypeError && err.message.startsWith('input.')) throw new CliError(err.message, 2, 'bad_input');
    if (err instanceof Error && err.name === 'WorkflowNotFoundError') throw new CliError(`no such run: ${err.message}`, 1, 'run_not_found');
    throw err;
  } finally {
    await client.connection.close();
    await store.close();
  }
}

function objectArg(flag: string, raw: string | undefined): Record<string, JsonValue> {
  const v = parseJsonArg(flag, raw, {});
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new CliError(`${flag} must be a JSON object`, 2, 'bad_input');
  return v as Record<string, JsonValue>;
}

export function uiLink(runId: string): string | undefined {
  const c = loadConfig();
  return c.uiUrl ? `${c.uiUrl}/namespaces/${c.temporalNamespace}/workflows/${encodeURIComponent(runId)}` : undefined;
}

/** Starts a flow and, with wait, prints its result: shared by `par flow run` and `par run`. */
export async function runFlowCommand(ref: string, opts: JsonOpt & { input?: string; id?: string; session?: string; wait?: boolean; version?: string }): Promise<void> {
  const input = objectArg('--input', opts.input);
  const version = opts.version === undefined ? undefined : Number(opts.version);
  if (version !== undefined && (!Number.isInteger(version) || version < 1)) throw new CliError(`--version must be a stored version number (see par flow versions ${ref}), got ${JSON.stringify(opts.version)}`, 2, 'bad_input');
  const remote = remoteClient();
  if (remote) return runRemotely(remote, ref, input, { ...opts, version });
  await withFlowService(async (svc) => {
    const req = runRequestFromInput(input);
    if (opts.session) req.sessionId = opts.session;
    const { runId, flowId, flowVersion } = await svc.start(ref, req, { runId: opts.id, version });
    const pinned = flowVersion !== undefined ? ` (stored version ${flowVersion})` : '';
    if (!opts.wait) return emit({ runId, flowId, flowVersion, webUi: uiLink(runId) }, opts, (d) => `started ${d.runId}${pinned}${d.webUi ? `  (${d.webUi})` : ''}\nfollow it: par flow status ${d.runId}`);
    try {
      const result = await svc.result(runId);
      emit({ runId, flowId, ...result, webUi: uiLink(runId) }, opts, (d) =>
        [...d.responses.map((r) => `> ${r}`), `run ${d.runId} completed (${d.trail.length} nodes)${d.webUi ? `  ${d.webUi}` : ''}`].join('\n'),
      );
    } catch (err) {
      const cause = (err as { cause?: Error }).cause;
      throw new CliError(`run ${runId} failed: ${cause?.message ?? (err as Error).message}`, 1, 'run_failed');
    }
  });
}

const FINAL = ['completed', 'failed', 'cancelled'];

async function runRemotely(remote: ParClient, ref: string, input: Record<string, JsonValue>, opts: JsonOpt & { id?: string; session?: string; wait?: boolean; version?: number }): Promise<void> {
  let req;
  try {
    req = runRequestFromInput(input);
  } catch (err) {
    throw new CliError((err as Error).message, 2, 'bad_input');
  }
  const isFile = /\.(json|ya?ml)$/.test(ref) || ref.includes('/');
  const definition = isFile ? new FlowRegistry().load(ref) : undefined;
  const started = await viaApi(() =>
    remote.startRun(definition?.id ?? ref, { ...req, ...(definition ? { definition: definition as unknown as Record<string, unknown> } : {}), ...(opts.session ? { sessionId: opts.session } : {}), ...(opts.id ? { runId: opts.id } : {}), ...(opts.version !== undefined ? { version: opts.version } : {}) }),
  );
  if (!opts.wait) return emit({ runId: started.runId, flowId: started.flowId }, opts, (d) => `started ${d.runId} through the API\nfollow it: par flow status ${d.runId}`);
  let state: RemoteRunState;
  for (;;) {
    state = await viaApi(() => remote.getRun<RemoteRunState>(started.runId));
    if (FINAL.includes(state.status)) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  if (state.status !== 'completed') throw new CliError(`run ${started.runId} ${state.status}${state.error ? `: ${state.error.message}` : ''}`, 1, 'run_failed');
  emit(state, opts, (d) => [...d.responses.map((r) => `> ${r}`), `run ${d.runId} completed (${d.trail.length} nodes)`].join('\n'));
}

type RemoteRunState = RunState & { runId: string };

function describeRun(d: RunState & { runId: string }): string {
  return [
    `${d.runId}  flow ${d.flowId}@${d.version}  status ${d.status}${d.currentNode ? `  at ${d.currentNode}` : ''}`,
    ...d.pendingApprovals.map((a) => `waiting for approval "${a.node}": ${a.prompt} (approvers: ${a.approvers.join(', ') || 'anyone'}; times out ${a.timeoutAt})`),
    ...(d.error ? [`error${d.error.node ? ` in ${d.error.node}` : ''}: ${d.error.message}`] : []),
    `variables: ${JSON.stringify(Object.fromEntries(Object.entries(d.variables).filter(([k]) => k !== 'message')))}`,
    'trail:',
    ...d.trail.map((t) => `  ${t.node.padEnd(16)} ${t.type.padEnd(12)} -> ${(t.output ?? '…').padEnd(9)} ${t.durationMs ?? ''}ms${t.error ? `  error: ${t.error}` : ''}`),
  ].join('\n');
}

export function register(program: Command): void {
  const flow = program.command('flow').description('Run, inspect, approve and replay agent flows');

  flow
    .command('run <flowOrFile>')
    .description('Start a flow (a stored flow or one from flows/ by id, or a JSON/YAML file)')
    .option('--version <n>', 'a stored version of the flow (default: the latest stored, else the file)')
    .option('--input <json>', 'run input: {"message": "...", "history": [...], ...variables}', '{}')
    .option('--id <runId>', 'workflow id for the run')
    .option('--session <id>', 'session id recorded with the run')
    .option('--wait', 'wait for the result and print it')
    .option('--json', 'print JSON')
    .action(runFlowCommand);

  flow
    .command('status <runId>')
    .description('Show a run: status, current node, variables, pending approvals, node trail')
    .option('--json', 'print JSON')
    .action(async (runId: string, opts: JsonOpt) => {
      const remote = remoteClient();
      if (remote) return emit(await viaApi(() => remote.getRun<RemoteRunState>(runId)), opts, describeRun);
      await withFlowService(async (svc) => emit(await svc.status(runId), opts, describeRun));
    });

  flow
    .command('list')
    .description('List runs, newest first')
    .option('--flow <id>', 'only runs of this flow')
    .option('--status <status>', 'running | waiting_approval | waiting_timer | completed | failed | cancelled')
    .option('--session <id>', 'only runs of this session')
    .option('-n, --limit <n>', 'at most this many', '50')
    .option('--json', 'print JSON')
    .action(async (opts: JsonOpt & { flow?: string; status?: string; session?: string; limit: string }) => {
      const human = (rs: { status: string; flowId?: string; runId: string; startTime?: string }[]) =>
        rs.length ? rs.map((r) => `${r.status.padEnd(17)} ${(r.flowId ?? '-').padEnd(24)} ${r.runId}  ${r.startTime ?? ''}`).join('\n') : 'no runs';
      const remote = remoteClient();
      if (remote) return emit((await viaApi(() => remote.listRuns({ flow: opts.flow, status: opts.status }))).runs, opts, human);
      await withFlowService(async (svc) => emit(await svc.list({ flowId: opts.flow, status: opts.status, sessionId: opts.session, limit: Number(opts.limit) }), opts, human));
    });

  for (const decision of ['approve', 'reject'] as const) {
    flow
      .command(`${decision} <runId>`)
      .description(`${decision === 'approve' ? 'Approve' : 'Reject'} a pending approval (refused clearly if the run is not waiting)`)
      .option('--by <who>', 'who decides (must be an approver when the node names approvers); in remote mode the API key decides')
      .option('--node <id>', 'the approval node (needed only when several are pending)')
      .option('--comment <text>', 'a comment recorded with the decision')
      .option('--json', 'print JSON')
      .action(async (runId: string, opts: JsonOpt & { by?: string; node?: string; comment?: string }) => {
        const human = (d: { decision: string; node?: string; runId: string; by: string }) => `${d.decision === 'approve' ? 'approved' : 'rejected'} "${d.node}" of ${d.runId} as ${d.by}`;
        const remote = remoteClient();
        if (remote) {
          const r = await viaApi(() => remote[decision](runId, { node: opts.node, comment: opts.comment }));
          return emit({ ...r, runId }, opts, human);
        }
        const by = opts.by;
        if (!by) throw new CliError("--by is required: name who decides (or set PAR_API_KEY to decide as that key through the API)", 2, 'bad_input');
        await withFlowService(async (svc) => {
          const r = await svc.decide(runId, { decision, by, node: opts.node, comment: opts.comment });
          emit({ runId, ...r, by }, opts, human);
        });
      });
  }

  flow
    .command('cancel <runId>')
    .description('Cancel a run (it records status cancelled)')
    .option('--json', 'print JSON')
    .action(async (runId: string, opts: JsonOpt) => {
      const remote = remoteClient();
      if (remote) await viaApi(() => remote.cancel(runId));
      else await withFlowService((svc) => svc.cancel(runId));
      emit({ runId, cancelled: true }, opts, () => `cancellation requested for ${runId}`);
    });

  flow
    .command('history <runId>')
    .description('Write the run\'s event history as replayable JSON')
    .option('-o, --output <file>', 'write to this file (default: stdout)')
    .action(async (runId: string, opts: { output?: string }) => {
      const remote = remoteClient();
      const json = remote ? JSON.stringify(await viaApi(() => remote.history(runId))) : await withFlowService((svc) => svc.history(runId));
      if (opts.output) {
        fs.writeFileSync(opts.output, json);
        process.stderr.write(`wrote ${opts.output}\n`);
      } else process.stdout.write(`${json}\n`);
    });

  flow
    .command('replay <files...>')
    .description('Replay history JSON files against the current workflow code; fails on non-determinism')
    .option('--json', 'print JSON')
    .action(async (files: string[], opts: JsonOpt) => {
      // Loaded here: the worker SDK (for replay) is heavy and no other command needs it.
      const { replayHistoryFiles } = require('../../services/replay') as typeof import('../../services/replay');
      const results = await replayHistoryFiles(files);
      emit(results, opts, (rs) => rs.map((r) => `${r.ok ? 'ok  ' : 'FAIL'} ${r.file}${r.error ? `: ${r.error}` : ''}`).join('\n'));
      if (results.some((r) => !r.ok)) process.exitCode = 1;
    });

  flow
    .command('validate <flowOrFile>')
    .description('Check a flow definition (and the flows it starts) without running it')
    .option('--json', 'print JSON')
    .action(async (ref: string, opts: JsonOpt) => {
      // Stored flows (by id, and as children) count as the API's validation counts them.
      const store = openFlowStore(loadConfig().dataDir);
      const catalog = new FlowCatalog(new FlowRegistry(), store);
      let def;
      let issues;
      try {
        def = /\.(json|ya?ml)$/.test(ref) || ref.includes('/') ? catalog.registry.load(ref) : (await catalog.find(ref))?.definition;
        if (!def) throw new FlowFileError(`flow "${ref}" is neither stored nor in the flow files`);
        issues = await catalog.validate(def);
      } catch (err) {
        throw new CliError((err as Error).message, 2, 'flow_not_found');
      } finally {
        await store.close();
      }
      emit({ flow: def.id, valid: issues.length === 0, issues }, opts, (d) => (d.valid ? `flow "${d.flow}" is valid` : `flow "${d.flow}" is invalid:\n${d.issues.map(formatIssue).join('\n')}`));
      if (issues.length) process.exitCode = 2;
    });

  registerFlowStoreCommands(flow);
}
