import { Command, CommanderError } from 'commander';
import { CliError } from './output';
import { exitCodeFor, knownFailure } from '../error-codes';
type CommandModule = { register(program: Command): void };

// Each command's module, loaded only when needed: the modules pull in heavy SDKs (Temporal's
// worker, onnxruntime, Pyodide helpers), and `par flow status` should not pay for all of them.
const COMMANDS: Record<string, () => CommandModule> = {
  status: () => require('./commands/status'),
  run: () => require('./commands/run'),
  flow: () => require('./commands/flow'),
  session: () => require('./commands/session'),
  vault: () => require('./commands/vault'),
  chat: () => require('./commands/chat'),
  act: () => require('./commands/act'),
  memory: () => require('./commands/memory'),
  facts: () => require('./commands/facts'),
  reasoning: () => require('./commands/reasoning'),
  keys: () => require('./commands/keys'),
  secrets: () => require('./commands/secrets'),
  mcp: () => require('./commands/mcp'),
};

const program = new Command('par')
  .description('PAR: durable AI agent flows with persistent memory, on Temporal')
  .version(require('../../package.json').version)
  // Options after a command are that command's: `par flow run ID --version 2` is a flow version, not par's.
  .enablePositionalOptions()
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();

const invoked = process.argv[2];
const wanted = invoked && COMMANDS[invoked] ? [invoked] : Object.keys(COMMANDS);
for (const name of wanted) COMMANDS[name]().register(program);

function wantsJson(): boolean {
  return process.argv.includes('--json');
}

/** Tracing (workers/telemetry.ts), loaded only when an OTLP endpoint is configured. */
function startTracing() {
  if (!process.env.OTEL_EXPORTER_OTLP_ENDPOINT && !process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return undefined;
  return (require('../../workers/telemetry') as typeof import('../../workers/telemetry')).startTelemetry('par-cli');
}

async function main(): Promise<void> {
  const telemetry = startTracing();
  try {
    await program.parseAsync(process.argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode;
      return;
    }
    // CliError says its own code and exit code; PAR's other errors get theirs from client/error-codes.ts.
    const failure = err instanceof CliError ? undefined : knownFailure(err);
    const code = err instanceof CliError ? err.code : (failure?.code ?? 'internal');
    const message = failure ? failure.error.message : err instanceof Error ? err.message : String(err);
    if (wantsJson()) process.stdout.write(`${JSON.stringify({ error: { code, message } }, null, 2)}\n`);
    else process.stderr.write(`par: ${message}\n`);
    if (code === 'internal' && process.env.PAR_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
    process.exitCode = err instanceof CliError ? err.exitCode : failure ? exitCodeFor(failure.code) : 1;
  } finally {
    await telemetry?.shutdown();
  }
}

void main();
