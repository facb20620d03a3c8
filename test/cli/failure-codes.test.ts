// A PAR error thrown inside an activity keeps its code on the way out: through a real worker, the
// failed node, the workflow, the API's run state and both CLI modes report the code (and so the
// HTTP status and exit code of client/error-codes.ts) that a direct call to the service reports.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sharedVaultService } from '../../activities/vaults';
import { toApiError } from '../../client/api/service-errors';
import { ERROR_STATUS, exitCodeFor } from '../../client/error-codes';
import { FlowService } from '../../client/services/flows';
import { startTestApi, type TestApi } from '../api/helpers/api';
import { runPar } from '../helpers/cli';
import { readTestEnv } from '../helpers/test-env';
import { temporalTestContext, type TemporalTestContext } from '../helpers/temporal';

let ctx: TemporalTestContext;
let api: TestApi;
let local: NodeJS.ProcessEnv;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'par-failure-codes-'));

// The add_to_vault node hands the vault an empty text, which VaultService.add refuses (empty_text).
const flowFile = path.join(tmp, 'add_blank.json');
fs.writeFileSync(
  flowFile,
  JSON.stringify({
    id: 'add_blank',
    version: '1',
    nodes: [
      { id: 'start', type: 'start', outputs: { next: 'add' } },
      { id: 'add', type: 'add_to_vault', params: { vault: 'failure_codes', text: '{message}' }, outputs: { next: 'done' } },
      { id: 'done', type: 'respond', params: { text: 'added' } },
    ],
  }),
);
const BLANK = JSON.stringify({ message: '   ' });

beforeAll(async () => {
  ctx = await temporalTestContext('failure-codes');
  await ctx.startWorker();
  api = await startTestApi({ services: { flows: new FlowService(ctx.client, ctx.taskQueue) } });
  local = { PAR_TEMPORAL_ADDRESS: readTestEnv().temporalAddress, PAR_TASK_QUEUE: ctx.taskQueue };
});
afterAll(async () => {
  await api?.close();
  await ctx?.close();
});

test('a vault error inside a flow run is reported with the code, status and exit code of a direct call', async () => {
  // The direct call: the service itself, in this process.
  const direct = await (await sharedVaultService()).add('failure_codes', '   ').catch((err: unknown) => err);
  const expected = toApiError(direct);
  expect([expected.status, expected.code]).toEqual([400, 'empty_text']);

  // The local CLI: Temporal directly, the run fails on a real worker.
  const cli = await runPar(['flow', 'run', flowFile, '--input', BLANK, '--wait', '--json'], local);
  expect({ exit: cli.code, error: JSON.parse(cli.stdout).error }).toEqual({
    exit: exitCodeFor('empty_text'),
    error: { code: 'empty_text', message: expect.stringMatching(/node "add" \(add_to_vault\) failed: .*text to add to vault failure_codes is empty/) },
  });
  expect(exitCodeFor('empty_text')).toBe(2);

  // The API: the run's state names the node and carries the code, whose status is the direct call's.
  const { client, key } = await api.clientWith({ flows: ['add_blank'], vaults: { failure_codes: 'write' } }, 'writer');
  const definition = JSON.parse(fs.readFileSync(flowFile, 'utf8')) as Record<string, unknown>;
  const { runId } = await client.startRun('add_blank', { message: '   ', definition });
  await expect(ctx.client.workflow.getHandle(runId).result()).rejects.toThrow(/failed/);
  const run = await client.getRun<{ error?: { node?: string; code?: string; message: string } }>(runId);
  expect(run).toMatchObject({ status: 'failed', error: { node: 'add', code: 'empty_text', message: expect.stringMatching(/is empty/) } });
  expect(ERROR_STATUS[run.error!.code!]).toBe(expected.status);

  // The CLI through the API: the same code and exit code.
  const remote = await runPar(['flow', 'run', flowFile, '--input', BLANK, '--wait', '--json'], { PAR_API_URL: api.url, PAR_API_KEY: key, PAR_TEMPORAL_ADDRESS: '127.0.0.1:1' });
  expect({ exit: remote.code, code: JSON.parse(remote.stdout).error.code }).toEqual({ exit: cli.code, code: 'empty_text' });
}, 300_000);

test('a failed session turn carries the code too', async () => {
  // A session message cannot be blank, so the blank text comes from a variable's default.
  const flow = JSON.parse(fs.readFileSync(flowFile, 'utf8'));
  flow.variables = { note: { type: 'string', default: ' ' } };
  flow.nodes[1].params.text = '{note}';
  const reply = await new FlowService(ctx.client, ctx.taskQueue).sendSessionMessage(`codes-${Date.now()}`, flow, 'add my note');
  expect(reply).toMatchObject({ status: 'failed', code: 'empty_text', error: expect.stringMatching(/is empty/) });
}, 120_000);

test('an API error exits the remote CLI as the same error exits the local one', async () => {
  const { key } = await api.clientWith({ flows: ['add_blank', 'no_such_flow'] }, 'reader');
  const remoteEnv = { PAR_API_URL: api.url, PAR_API_KEY: key, PAR_TEMPORAL_ADDRESS: '127.0.0.1:1' };
  const cases: [string, string[]][] = [
    ['run_not_found', ['flow', 'status', 'no-such-run', '--json']], // 404: exit 1
    ['flow_not_found', ['flow', 'run', 'no_such_flow', '--json']], // a name typed on the command line: exit 2
  ];
  for (const [code, args] of cases) {
    const [here, there] = await Promise.all([runPar(args, local), runPar(args, remoteEnv)]);
    const codes = [here, there].map((r) => JSON.parse(r.stdout).error.code);
    expect({ code, exits: [here.code, there.code], codes }).toEqual({ code, exits: [exitCodeFor(code), exitCodeFor(code)], codes: [code, code] });
  }
}, 120_000);
