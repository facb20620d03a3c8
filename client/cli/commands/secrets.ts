import type { Command } from 'commander';
import { IntegrationError } from '../../../activities/integrations/errors';
import { SecretStore } from '../../../activities/integrations/secrets';
import { SECRET_NAME } from '../../../workflows/flow/secret-refs';
import { CliError, emit } from '../output';

function checkName(name: string): void {
  if (!SECRET_NAME.test(name)) throw new CliError(`"${name}" is not a secret name: use letters, digits and _ starting with a letter`, 2, 'bad_input');
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

function guarded<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof IntegrationError) throw new CliError(err.message, 1, err.code);
    throw err;
  }
}

export function register(program: Command): void {
  const secrets = program.command('secrets').description('Named secrets for flows ({secret:NAME}), in <data dir>/secrets.json (mode 600); PAR_SECRET_<NAME> overrides');

  secrets
    .command('set <name>')
    .description('Store a secret; the value is read from stdin (e.g. `printf %s "$TOKEN" | par secrets set API_TOKEN`)')
    .option('--json', 'print JSON')
    .action(async (name: string, opts: { json?: boolean }) => {
      checkName(name);
      if (process.stdin.isTTY) process.stderr.write(`value for ${name} (end with Ctrl-D): `);
      const value = await readStdin();
      if (!value) throw new CliError(`no value for ${name} on stdin`, 2, 'bad_input');
      const store = new SecretStore();
      guarded(() => store.set(name, value));
      emit({ name, file: store.file }, opts, (r) => `Stored secret ${r.name} in ${r.file}`);
    });

  secrets
    .command('list')
    .description('Names of the secrets a worker with this environment and data folder would find (never values)')
    .option('--json', 'print JSON')
    .action((opts: { json?: boolean }) => {
      const names = guarded(() => new SecretStore().names());
      emit({ names }, opts, (r) => (r.names.length ? r.names.join('\n') : 'no secrets (set PAR_SECRET_<NAME> or run `par secrets set NAME`)'));
    });

  secrets
    .command('rm <name>')
    .description('Remove a secret from the secrets file')
    .option('--json', 'print JSON')
    .action((name: string, opts: { json?: boolean }) => {
      checkName(name);
      const removed = guarded(() => new SecretStore().remove(name));
      if (!removed) throw new CliError(`secret ${name} is not in the secrets file`, 1, 'not_found');
      emit({ name, removed }, opts, (r) => `Removed secret ${r.name}`);
    });
}
