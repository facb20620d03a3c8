import fs from 'node:fs';
import type { Command } from 'commander';
import { loadConfig } from '../../../workers/config';
import { FlowFileError, FlowRegistry } from '../../services/flow-registry';
import { FlowCatalog } from '../../services/flow-catalog';
import { openFlowStore } from '../../services/flow-store';
import { formatIssue } from '../../../workflows/flow/validation-issue';
import { registerFlowStoreCommands } from './flow-store';
import type { JsonValue } from '../../../workflows/flow/types';
import { CliError, emit, parseJsonArg } from '../output';
import { flowBackend, type RunStatus } from '../backends/flows';

type JsonOpt = { json?: boolean };

function objectArg(flag: string, raw: string | undefined): Record<string, JsonValue> {
  const v = parseJsonArg(flag, raw, {});
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new CliError(`${flag} must be a JSON object`, 2, 'bad_input');
  return v as Record<string, JsonValue>;
}

/** Starts a flow and, with wait, prints its result: shared by `par flow run` and `par run`. */
export async function runFlowCommand(ref: string, opts: JsonOpt & { input?: string; id?: string; session?: string; wait?: boolean; version?: string }): Promise<void> {
  const input = objectArg('--input', opts.input);
  const version = opts.version === undefined ? undefined : Number(opts.version);
  if (version !== undefined && (!Number.isInteger(version) || version < 1)) throw new CliError(`--version must be a stored version number (see par flow versions ${ref}), got ${JSON.stringify(opts.version)}`, 2, 'bad_input');
  const flows = flowBackend();
  const started = await flows.start(ref, input, { id: opts.id, session: opts.session, version });
  if (!opts.wait) {
    const pinned = started.flowVersion !== undefined ? ` (stored version ${started.flowVersion})` : '';
    return emit(started, opts, (d) => `started ${d.runId}${pinned}${flows.startedVia}${d.webUi ? `  (${d.webUi})` : ''}\nfollow it: par flow status ${d.runId}`);
  }
  const finished = await flows.finish(started.runId, started.flowId);
  emit(finished, opts, (d) => [...d.responses.map((r) => `> ${r}`), `run ${d.runId} completed (${d.trail.length} nodes)${d.webUi ? `  ${d.webUi}` : ''}`].join('\n'));
}

function describeRun(d: RunStatus): string {
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
      emit(await flowBackend().status(runId), opts, describeRun);
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
      emit(await flowBackend().list({ flow: opts.flow, status: opts.status, session: opts.session, limit: Number(opts.limit) }), opts, human);
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
        emit(await flowBackend().decide(runId, decision, { by: opts.by, node: opts.node, comment: opts.comment }), opts, human);
      });
  }

  flow
    .command('cancel <runId>')
    .description('Cancel a run (it records status cancelled)')
    .option('--json', 'print JSON')
    .action(async (runId: string, opts: JsonOpt) => {
      await flowBackend().cancel(runId);
      emit({ runId, cancelled: true }, opts, () => `cancellation requested for ${runId}`);
    });

  flow
    .command('history <runId>')
    .description('Write the run\'s event history as replayable JSON')
    .option('-o, --output <file>', 'write to this file (default: stdout)')
    .action(async (runId: string, opts: { output?: string }) => {
      const json = await flowBackend().history(runId);
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
        if (!def) throw new FlowFileError(`flow "${ref}" not found: neither stored nor in the flow files`);
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
