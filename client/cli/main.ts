import { Command, CommanderError } from 'commander';
import { CliError } from './output';
import { TemporalUnreachableError } from '../temporal';
import * as status from './commands/status';
import * as run from './commands/run';
import * as flow from './commands/flow';
import * as session from './commands/session';
import * as keys from './commands/keys';
import * as memory from './commands/memory';
import * as facts from './commands/facts';
import * as act from './commands/act';
import * as chat from './commands/chat';
import * as vault from './commands/vault';

const program = new Command('par')
  .description('PAR: durable AI agent flows with persistent memory, on Temporal')
  .version(require('../../package.json').version)
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();

for (const mod of [status, run, flow, session, keys, memory, facts, act, chat, vault]) mod.register(program);

function wantsJson(): boolean {
  return process.argv.includes('--json');
}

async function main(): Promise<void> {
  try {
    await program.parseAsync(process.argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode;
      return;
    }
    const known = err instanceof CliError || err instanceof TemporalUnreachableError;
    const code = err instanceof CliError ? err.code : err instanceof TemporalUnreachableError ? 'temporal_unreachable' : 'internal';
    const message = err instanceof Error ? err.message : String(err);
    if (wantsJson()) process.stdout.write(`${JSON.stringify({ error: { code, message } }, null, 2)}\n`);
    else process.stderr.write(`par: ${message}\n`);
    if (!known && process.env.PAR_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
    process.exitCode = err instanceof CliError ? err.exitCode : 1;
  }
}

void main();
