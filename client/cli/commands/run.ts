import type { Command } from 'commander';
import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../../workers/config';
import { connectClient } from '../../temporal';
import { CliError, emit, parseJsonArg } from '../output';

/** Built-in workflows runnable by name before (and beside) the flow engine. */
const BUILTIN_FLOWS: Record<string, string> = { hello: 'helloWorkflow' };

export function register(program: Command): void {
  program
    .command('run <flow>')
    .description('Run a flow end to end through the worker and print its result (built-in: hello)')
    .option('--input <json>', 'the run input as JSON, e.g. \'{"name":"Ada"}\'', '{}')
    .option('--id <runId>', 'workflow id to use (default: <flow>-<uuid>)')
    .option('--json', 'print JSON')
    .action(async (flow: string, opts: { input: string; id?: string; json?: boolean }) => {
      const workflowType = BUILTIN_FLOWS[flow];
      if (!workflowType) throw new CliError(`unknown flow "${flow}"; built-in flows: ${Object.keys(BUILTIN_FLOWS).join(', ')}`, 2, 'unknown_flow');
      const input = parseJsonArg('--input', opts.input);
      if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new CliError('--input must be a JSON object', 2, 'bad_input');
      const config = loadConfig();
      const client = await connectClient(config);
      const workflowId = opts.id ?? `${flow}-${randomUUID()}`;
      const handle = await client.workflow.start(workflowType, { taskQueue: config.taskQueue, workflowId, args: [input] });
      const result = await handle.result();
      const runUrl = config.uiUrl ? `${config.uiUrl}/namespaces/${config.temporalNamespace}/workflows/${workflowId}` : undefined;
      emit({ flow, workflowId, runId: handle.firstExecutionRunId, result, webUi: runUrl }, opts, (d) =>
        [JSON.stringify(d.result, null, 2), `run ${d.workflowId}${d.webUi ? `  (${d.webUi})` : ''}`].join('\n'),
      );
      await client.connection.close();
    });
}
