import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import type { ActRequest, ActResult, JsonValue } from '../../../activities/contracts';
import { loadConfig } from '../../../workers/config';
import { connectClient } from '../../temporal';
import { CliError, emit, parseJsonArg } from '../output';
import { ActScriptError, runActScript } from '../../services/act-script';

interface ActRunOptions {
  vars: string;
  message: string;
  timeout?: string;
  memory?: string;
  allowHost: string[];
  vault?: string;
  model?: string;
  json?: boolean;
}

function positiveNumber(flag: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new CliError(`${flag} must be a positive number, got ${JSON.stringify(raw)}`, 2, 'bad_input');
  return n;
}

function readScript(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new CliError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, 2, 'bad_input');
  }
}

/** The request an act node would send, from the command line. */
export function actRequestFromOptions(file: string, opts: ActRunOptions): ActRequest {
  const variables = parseJsonArg('--vars', opts.vars, {});
  if (typeof variables !== 'object' || variables === null || Array.isArray(variables)) throw new CliError('--vars must be a JSON object of flow variables', 2, 'bad_input');
  const timeoutS = positiveNumber('--timeout', opts.timeout);
  const memoryMb = positiveNumber('--memory', opts.memory);
  return {
    code: readScript(file),
    variables: variables as Record<string, JsonValue>,
    message: opts.message,
    history: [],
    limits: {
      ...(timeoutS !== undefined ? { timeoutMs: Math.round(timeoutS * 1000) } : {}),
      ...(memoryMb !== undefined ? { memoryMb: Math.round(memoryMb) } : {}),
    },
    allowedHosts: opts.allowHost,
    ...(opts.vault ? { vault: opts.vault } : {}),
    ...(opts.model ? { model: opts.model } : {}),
    runId: `act-${path.basename(file)}-${randomUUID()}`,
  };
}

function formatResult(result: ActResult & { workflowId: string }): string {
  const lines: string[] = [];
  if (result.output) lines.push(result.output.replace(/\n$/, ''), '');
  lines.push(`saved: ${JSON.stringify(result.saved, null, 2)}`);
  if (result.error) {
    const why = result.error.limit ? ` (stopped by its ${result.error.limit} limit)` : '';
    if (result.error.traceback) lines.push('', result.error.traceback.replace(/\n$/, ''));
    lines.push(`error: ${result.error.type}${why}: ${result.error.message}`);
  }
  lines.push(`${result.ok ? 'ok' : 'failed'} in ${result.durationMs} ms (run ${result.workflowId})`);
  return lines.join('\n');
}

export function register(program: Command): void {
  const act = program.command('act').description('Python act scripts, run in the worker\'s sandbox exactly as an act node runs them');
  act
    .command('run <script>')
    .description('Run SCRIPT.py through the act activity on the worker and print saved variables, output and any error (exit 1 on error)')
    .option('--vars <json>', 'flow variables as a JSON object, available to the script as globals', '{}')
    .option('--message <text>', 'the MESSAGE the script sees', '')
    .option('--timeout <seconds>', 'wall-time limit (default 30)')
    .option('--memory <mb>', 'memory limit of the Python heap in MB (default 256)')
    .option('--allow-host <host>', 'a host the script may reach through web.get/web.post (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--vault <name>', 'the vault behind vault.search / vault.chat')
    .option('--model <id>', 'the model behind vault.chat, e.g. local:extractive')
    .option('--json', 'print JSON')
    .action(async (script: string, opts: ActRunOptions) => {
      const req = actRequestFromOptions(script, opts);
      const config = loadConfig();
      const client = await connectClient(config);
      try {
        let result: ActResult & { workflowId: string };
        try {
          result = await runActScript(client, config.taskQueue, req);
        } catch (err) {
          if (err instanceof ActScriptError) throw new CliError(err.message, err.code === 'bad_input' ? 2 : 1, err.code);
          throw err;
        }
        emit(result, opts, formatResult);
        if (!result.ok) process.exitCode = 1;
      } finally {
        await client.connection.close();
      }
    });
}
