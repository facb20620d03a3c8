import type { Command } from 'commander';
import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../../workers/config';
import { connectClient } from '../../temporal';
import { emit, parseJsonArg, CliError } from '../output';
import { runFlowCommand } from './flow';
import { uiLink } from '../backends/flows';
import { helloWorkflow } from '../../../workflows/hello';

/** Built-in workflows runnable by name beside the flows in flows/. */
const BUILTIN_WORKFLOWS: Record<string, typeof helloWorkflow> = { hello: helloWorkflow };

export function register(program: Command): void {
  program
    .command('run <flow>')
    .description('Run a flow end to end and print its result (the built-in "hello", a flow id from flows/, or a file)')
    .option('--input <json>', 'the run input as JSON, e.g. \'{"name":"Ada"}\' or \'{"message":"I want a refund"}\'', '{}')
    .option('--id <runId>', 'workflow id to use')
    .option('--version <n>', 'a stored version of the flow (default: the latest stored, else the file)')
    .option('--json', 'print JSON')
    .action(async (flow: string, opts: { input: string; id?: string; json?: boolean; version?: string }) => {
      const workflow = Object.hasOwn(BUILTIN_WORKFLOWS, flow) ? BUILTIN_WORKFLOWS[flow] : undefined;
      if (!workflow) return runFlowCommand(flow, { ...opts, wait: true });
      const input = parseJsonArg('--input', opts.input);
      if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new CliError('--input must be a JSON object', 2, 'bad_input');
      const config = loadConfig();
      const client = await connectClient(config);
      const workflowId = opts.id ?? `${flow}-${randomUUID()}`;
      const handle = await client.workflow.start(workflow, { taskQueue: config.taskQueue, workflowId, args: [input] });
      const result = await handle.result();
      emit({ flow, runId: workflowId, result, webUi: uiLink(workflowId) }, opts, (d) =>
        [JSON.stringify(d.result, null, 2), `run ${d.runId}${d.webUi ? `  (${d.webUi})` : ''}`].join('\n'),
      );
      await client.connection.close();
    });
}
