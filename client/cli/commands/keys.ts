import type { Command } from 'commander';
import { ApiKeyStore, KeyNameTakenError, type ApiKeyInfo } from '../../api/auth/key-store';
import { describeGrants, GrantError, parseFlowGrants, parseVaultGrants } from '../../api/auth/grants';
import { CliError, emit } from '../output';

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function openStore(): Promise<ApiKeyStore> {
  return ApiKeyStore.open();
}

function line(k: ApiKeyInfo): string {
  const state = k.revokedAt ? `REVOKED ${k.revokedAt}` : `active, last used ${k.lastUsedAt ?? 'never'}`;
  return `${k.id}  ${k.name}  [${describeGrants(k.grants)}]  created ${k.createdAt}  ${state}`;
}

export function register(program: Command): void {
  const keys = program.command('keys').description('Manage API keys for the HTTP API (stored hashed in the data folder)');

  keys
    .command('create')
    .description('Create an API key; the key is printed once (only its hash is stored)')
    .option('--grant <vault:level>', 'vault access, repeatable: VAULT:read, VAULT:write or VAULT:admin ("*" for every vault)', collect, [])
    .option('--flow <flow>', 'a flow whose runs the key may start, read, approve, reject and cancel; repeatable ("*" for all)', collect, [])
    .option('--name <name>', 'who the key is: approvals decided with it are recorded as this name, and approval nodes list approvers by it (unique; default key-<id>)')
    .option('--json', 'print JSON')
    .action(async (opts: { grant: string[]; flow: string[]; name?: string; json?: boolean }) => {
      let grants;
      try {
        grants = { vaults: parseVaultGrants(opts.grant), flows: parseFlowGrants(opts.flow) };
      } catch (err) {
        if (err instanceof GrantError) throw new CliError(err.message, 2, 'bad_input');
        throw err;
      }
      if (!Object.keys(grants.vaults).length && !grants.flows.length) {
        throw new CliError('a key needs at least one --grant VAULT:LEVEL or --flow FLOW (e.g. --grant docs:read)', 2, 'bad_input');
      }
      const store = await openStore();
      try {
        let created;
        try {
          created = await store.create(opts.name, grants);
        } catch (err) {
          if (err instanceof KeyNameTakenError) throw new CliError(err.message, 2, 'name_taken');
          throw err;
        }
        emit(created, opts, (k) =>
          [`Created API key ${k.id} (${describeGrants(k.grants)}):`, '', `  ${k.key}`, '', 'Keep it now: it is not shown again. Use it as "Authorization: Bearer KEY".'].join('\n'),
        );
      } finally {
        await store.close();
      }
    });

  keys
    .command('list')
    .description('List API keys (ids, grants, state; never the keys themselves)')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const store = await openStore();
      try {
        const all = await store.list();
        emit({ keys: all }, opts, (d) => (d.keys.length ? d.keys.map(line).join('\n') : 'No API keys. Create one with `par keys create --grant VAULT:read`.'));
      } finally {
        await store.close();
      }
    });

  keys
    .command('revoke <id>')
    .description('Revoke an API key at once (it stays listed as revoked)')
    .option('--json', 'print JSON')
    .action(async (id: string, opts: { json?: boolean }) => {
      const store = await openStore();
      try {
        if (!(await store.revoke(id))) throw new CliError(`no API key with id ${id} (see \`par keys list\`)`, 1, 'not_found');
        emit((await store.get(id))!, opts, (k) => `Revoked API key ${k.id} (${k.name}) at ${k.revokedAt}.`);
      } finally {
        await store.close();
      }
    });
}
