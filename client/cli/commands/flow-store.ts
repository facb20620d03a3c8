import fs from 'node:fs';
import os from 'node:os';
import type { Command } from 'commander';
import YAML from 'yaml';
import { loadConfig } from '../../../workers/config';
import { FlowFileError, FlowRegistry, parseFlowFile } from '../../services/flow-registry';
import { FlowCatalog } from '../../services/flow-catalog';
import { FlowVersionConflictError, openFlowStore, type FlowStore } from '../../services/flow-store';
import { formatIssue, type ValidationIssue } from '../../../workflows/flow/validation-issue';
import type { FlowDefinition } from '../../../workflows/flow/types';
import { CliError, emit } from '../output';
import { remoteClient, viaApi } from '../remote';

// `par flow save | import | versions | export | show`: the flow store from the command line, the
// same store the API and the studio use (locally: the data folder's; with PAR_API_KEY: the API's).

type JsonOpt = { json?: boolean };

/** Who saves from this machine's command line, recorded with each version. */
function localAuthor(): string {
  return `cli:${os.userInfo().username}`;
}

async function withStore<T>(fn: (store: FlowStore, catalog: FlowCatalog) => Promise<T>): Promise<T> {
  const store = openFlowStore(loadConfig().dataDir);
  try {
    return await fn(store, new FlowCatalog(new FlowRegistry(), store));
  } catch (err) {
    if (err instanceof FlowVersionConflictError) throw new CliError(err.message, 1, err.code);
    if (err instanceof FlowFileError) throw new CliError(err.message, 2, 'flow_not_found');
    throw err;
  } finally {
    await store.close();
  }
}

function readFile(file: string): FlowDefinition {
  try {
    return parseFlowFile(file);
  } catch (err) {
    throw new CliError((err as Error).message, 2, 'bad_input');
  }
}

function positive(flag: string, raw: string | undefined, min = 1): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new CliError(`${flag} must be an integer >= ${min}, got ${JSON.stringify(raw)}`, 2, 'bad_input');
  return n;
}

function invalid(id: string, issues: ValidationIssue[]): CliError {
  return new CliError(`flow "${id}" is invalid, nothing saved:\n${issues.map(formatIssue).join('\n')}`, 2, 'invalid_flow');
}

/** Saves a flow file as a new stored version (save and import share this). */
async function saveFile(file: string, opts: JsonOpt & { message?: string; baseVersion?: string }, defaultMessage?: string): Promise<void> {
  const definition = readFile(file);
  if (typeof definition?.id !== 'string') throw new CliError(`${file} has no flow id (an "id:" field)`, 2, 'bad_input');
  const baseVersion = positive('--base-version', opts.baseVersion, 0);
  const message = opts.message ?? defaultMessage;
  const human = (d: { id: string; version: number }) => `saved flow "${d.id}" as version ${d.version}`;
  const remote = remoteClient();
  if (remote) return emit(await viaApi(() => remote.saveFlow(definition.id, { definition, message, baseVersion })), opts, human);
  await withStore(async (store, catalog) => {
    const issues = await catalog.validate(definition);
    if (issues.length) throw invalid(definition.id, issues);
    const saved = await store.save(definition.id, definition, { by: localAuthor(), message, baseVersion });
    emit({ id: saved.id, version: saved.version, createdAt: saved.createdAt, createdBy: saved.createdBy }, opts, human);
  });
}

/** The definition of a flow by id (stored first, then the flow files), or a stored version. */
async function findFlow(id: string, version: number | undefined): Promise<{ definition: FlowDefinition; source: string; version: number | null; updatedAt: string | null; updatedBy: string | null }> {
  const remote = remoteClient();
  if (remote) {
    if (version !== undefined) {
      const v = await viaApi(() => remote.getFlowVersion(id, version));
      return { definition: v.definition, source: 'store', version: v.version, updatedAt: v.createdAt, updatedBy: v.createdBy };
    }
    const f = await viaApi(() => remote.getFlow(id));
    return { definition: f.definition, source: f.source, version: f.version, updatedAt: f.updatedAt, updatedBy: f.updatedBy };
  }
  return withStore(async (_store, catalog) => {
    const found = await catalog.find(id, version);
    if (!found) throw new CliError(version !== undefined ? `flow "${id}" has no stored version ${version}` : `flow "${id}" not found: neither stored nor in the flow files`, 2, 'flow_not_found');
    return { definition: found.definition, source: found.source, version: found.version ?? null, updatedAt: found.updatedAt ?? null, updatedBy: found.updatedBy ?? null };
  });
}

export function registerFlowStoreCommands(flow: Command): void {
  flow
    .command('save <file>')
    .description('Validate a flow file and save it in the flow store as a new version (runs by id then use it)')
    .option('-m, --message <text>', 'what changed')
    .option('--base-version <n>', 'refuse the save unless this is the latest stored version (0: the flow must be new)')
    .option('--json', 'print JSON')
    .action((file: string, opts: JsonOpt & { message?: string; baseVersion?: string }) => saveFile(file, opts));

  flow
    .command('import <file>')
    .description('Import a flow file (YAML or JSON, as flows/*.yaml or `par flow export` write) into the flow store as a new version')
    .option('-m, --message <text>', 'what changed (default: imported from FILE)')
    .option('--json', 'print JSON')
    .action((file: string, opts: JsonOpt & { message?: string }) => saveFile(file, opts, `imported from ${file}`));

  flow
    .command('versions <flowId>')
    .description('List the stored versions of a flow, newest first (who saved each, when, why)')
    .option('--json', 'print JSON')
    .action(async (id: string, opts: JsonOpt) => {
      const human = (d: { id: string; versions: { version: number; createdAt: string; createdBy: string; message: string | null }[] }) =>
        d.versions.length ? d.versions.map((v) => `v${String(v.version).padEnd(4)} ${v.createdAt}  ${v.createdBy.padEnd(20)} ${v.message ?? ''}`).join('\n') : `flow "${d.id}" has no stored versions (it comes from a file in flows/)`;
      const remote = remoteClient();
      if (remote) return emit(await viaApi(() => remote.flowVersions(id)), opts, human);
      await withStore(async (store, catalog) => {
        const versions = (await store.versions(id)).map(({ version, createdAt, createdBy, message }) => ({ version, createdAt, createdBy, message }));
        if (!versions.length && !(await catalog.find(id))) throw new CliError(`flow "${id}" not found: neither stored nor in the flow files`, 2, 'flow_not_found');
        emit({ id, versions }, opts, human);
      });
    });

  flow
    .command('export <flowId>')
    .description('Write a flow\'s definition (the latest stored version, a given one, or the flow file) as YAML or JSON, ready for `par flow import`')
    .option('--version <n>', 'a stored version')
    .option('--format <yaml|json>', 'output format', 'yaml')
    .option('-o, --output <file>', 'write to this file (default: stdout)')
    .option('--json', 'same as --format json')
    .action(async (id: string, opts: JsonOpt & { version?: string; format: string; output?: string }) => {
      const format = opts.json ? 'json' : opts.format;
      if (format !== 'yaml' && format !== 'json') throw new CliError(`--format must be yaml or json, got "${format}"`, 2, 'bad_input');
      const found = await findFlow(id, positive('--version', opts.version));
      const text = format === 'json' ? `${JSON.stringify(found.definition, null, 2)}\n` : YAML.stringify(found.definition);
      if (opts.output) {
        fs.writeFileSync(opts.output, text);
        process.stderr.write(`wrote ${opts.output} (flow "${id}", ${found.version ? `stored version ${found.version}` : 'from its file'})\n`);
      } else process.stdout.write(text);
    });

  flow
    .command('show <flowId>')
    .description('Show a flow by id: where it comes from (store or file), its version and nodes')
    .option('--version <n>', 'a stored version')
    .option('--json', 'print JSON')
    .action(async (id: string, opts: JsonOpt & { version?: string }) => {
      const found = await findFlow(id, positive('--version', opts.version));
      emit({ id, ...found }, opts, (d) =>
        [
          `flow "${d.id}"  ${d.source === 'store' ? `stored version ${d.version} (saved ${d.updatedAt} by ${d.updatedBy})` : 'from a file in flows/ (not stored)'}`,
          ...d.definition.nodes.map((n) => `  ${n.id.padEnd(16)} ${n.type.padEnd(13)} -> ${Object.entries(n.outputs ?? {}).map(([o, t]) => `${o}:${t}`).join(' ') || '(end)'}`),
        ].join('\n'),
      );
    });
}
