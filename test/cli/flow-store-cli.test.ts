// `par flow save | import | versions | export | show` and running stored flows by id (and pinned
// version), against the data folder's flow store and a real Temporal worker.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { runPar } from '../helpers/cli';
import { readTestEnv } from '../helpers/test-env';
import { temporalTestContext, type TemporalTestContext } from '../helpers/temporal';

let ctx: TemporalTestContext;
let env: NodeJS.ProcessEnv;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'par-flow-store-cli-'));

const flowFile = (name: string, reply: string, extra: Record<string, unknown> = {}) => {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, YAML.stringify({ id: 'cli_stored', version: '1', nodes: [{ id: 'start', type: 'start', outputs: { next: 'r' } }, { id: 'r', type: 'respond', params: { text: reply, ...extra } }] }));
  return file;
};

beforeAll(async () => {
  ctx = await temporalTestContext('flow-store-cli');
  await ctx.startWorker();
  env = { PAR_TEMPORAL_ADDRESS: readTestEnv().temporalAddress, PAR_TASK_QUEUE: ctx.taskQueue, PAR_DATA_DIR: path.join(tmp, 'data'), PAR_API_KEY: '' };
});
afterAll(async () => {
  await ctx?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('save, versions, run by id pinned to a version, export and import', async () => {
  const saved = await runPar(['flow', 'save', flowFile('v1.yaml', 'one'), '-m', 'first', '--json'], env);
  expect([saved.code, saved.stderr]).toEqual([0, '']);
  expect(JSON.parse(saved.stdout)).toMatchObject({ id: 'cli_stored', version: 1, createdBy: `cli:${os.userInfo().username}` });
  expect((await runPar(['flow', 'save', flowFile('v2.yaml', 'two')], env)).stdout).toBe('saved flow "cli_stored" as version 2\n');
  const stale = await runPar(['flow', 'save', flowFile('v3.yaml', 'three'), '--base-version', '1'], env);
  expect([stale.code, stale.stderr]).toEqual([1, expect.stringMatching(/edited version 1 but the latest is 2/)]);

  const versions = JSON.parse((await runPar(['flow', 'versions', 'cli_stored', '--json'], env)).stdout);
  expect(versions.versions.map((v: { version: number; message: string | null }) => [v.version, v.message])).toEqual([
    [2, null],
    [1, 'first'],
  ]);

  const latest = await runPar(['flow', 'run', 'cli_stored', '--wait', '--json'], env);
  expect(JSON.parse(latest.stdout)).toMatchObject({ responses: ['two'] });
  const pinned = await runPar(['flow', 'run', 'cli_stored', '--version', '1', '--json'], env);
  const { runId, flowVersion } = JSON.parse(pinned.stdout);
  expect(flowVersion).toBe(1);
  const result = await ctx.client.workflow.getHandle(runId).result();
  expect(result.responses).toEqual(['one']);

  const exported = await runPar(['flow', 'export', 'cli_stored', '--version', '1'], env);
  expect(YAML.parse(exported.stdout).nodes[1].params).toEqual({ text: 'one' });
  const out = path.join(tmp, 'exported.json');
  await runPar(['flow', 'export', 'cli_stored', '--format', 'json', '-o', out], env);
  expect(JSON.parse(fs.readFileSync(out, 'utf8')).nodes[1].params).toEqual({ text: 'two' });
  const imported = await runPar(['flow', 'import', out, '--json'], env);
  expect(JSON.parse(imported.stdout)).toMatchObject({ version: 3 });
  expect(JSON.parse((await runPar(['flow', 'versions', 'cli_stored', '--json'], env)).stdout).versions[0]).toMatchObject({ version: 3, message: `imported from ${out}` });

  const shown = await runPar(['flow', 'show', 'cli_stored'], env);
  expect(shown.stdout).toMatch(/flow "cli_stored"  stored version 3/);
  expect((await runPar(['flow', 'show', 'refund_approval', '--json'], env)).stdout).toMatch(/"source": "file"/);
  expect(JSON.parse((await runPar(['flow', 'validate', 'cli_stored', '--json'], env)).stdout)).toMatchObject({ flow: 'cli_stored', valid: true });
}, 180_000);

test('an invalid file is refused with the node, field and a suggestion, and nothing is saved; unknown ids and versions are clear', async () => {
  const bad = await runPar(['flow', 'save', flowFile('typo.yaml', 'x', { txet: 'y' })], env);
  expect([bad.code, bad.stderr]).toEqual([2, expect.stringMatching(/node "r" params.txet: is not a param of a respond node; did you mean `text`\?/)]);
  expect((await runPar(['flow', 'versions', 'nobody_here'], env)).code).toBe(2);
  const missing = await runPar(['flow', 'export', 'cli_stored', '--version', '99'], env);
  expect([missing.code, missing.stderr]).toEqual([2, expect.stringMatching(/no stored version 99/)]);
  for (const cmd of ['save', 'import', 'versions', 'export', 'show']) {
    const help = await runPar(['flow', cmd, '--help'], env);
    expect([cmd, help.code, help.stdout]).toEqual([cmd, 0, expect.stringMatching(/--json/)]);
  }
}, 120_000);
