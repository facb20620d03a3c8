// POST /v1/act/run: the studio's "try this act node" runs the code on a real worker through the
// same activity and sandbox an act node uses, with the grant rules of flows.
import { MemoryStreamBus } from '../../activities/streams';
import { FlowService } from '../../client/services/flows';
import { ParApiError } from '../../client/sdk';
import { describeWithSandbox } from '../act/act-fixture';
import { temporalTestContext, type TemporalTestContext } from '../helpers/temporal';
import { startTestApi, type TestApi } from './helpers/api';

describeWithSandbox('act try-out through the API', () => {
  let ctx: TemporalTestContext;
  let api: TestApi;
  const bus = new MemoryStreamBus();

  beforeAll(async () => {
    ctx = await temporalTestContext('act-try');
    await ctx.startWorker();
    api = await startTestApi({ services: { flows: new FlowService(ctx.client, ctx.taskQueue), bus } });
  });
  afterAll(async () => {
    await api?.close();
    await ctx?.close();
    await bus.close();
  });

  async function apiError(p: Promise<unknown>): Promise<ParApiError> {
    const err = await p.then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(ParApiError);
    return err as ParApiError;
  }

  test('code runs with sample variables: saved variables and stdout come back; a script error is ok=false', async () => {
    const { client } = api.clientWith({ flows: ['draft'] }, 'act-author');
    const r = await client.runAct({ code: 'save["double"] = x * 2\nprint("x was", x, MESSAGE)', variables: { x: 21 }, message: 'hi', flow: 'draft' });
    expect(r).toMatchObject({ ok: true, save: { double: 42 }, stdout: 'x was 21 hi\n', error: null });
    expect(r.runId).toMatch(/^act-try-/);
    const failed = await client.runAct({ code: 'save["before"] = 1\n1/0', flow: 'draft' });
    expect(failed).toMatchObject({ ok: false, save: { before: 1 }, error: { type: 'ZeroDivisionError' } });
  }, 120_000);

  test('grants: the named flow (or some flow) is needed, a vault the script searches needs read access', async () => {
    const none = api.clientWith({ vaults: { docs: 'read' } }, 'no-flows').client;
    expect((await apiError(none.runAct({ code: 'print(1)' }))).message).toMatch(/no flow grant/);
    const other = api.clientWith({ flows: ['mine'] }, 'other-flow').client;
    expect((await apiError(other.runAct({ code: 'print(1)', flow: 'theirs' }))).status).toBe(403);
    expect((await apiError(other.runAct({ code: 'print(1)', vault: 'secret' }))).message).toMatch(/no read access to vault "secret"/);
    expect((await apiError(other.runAct({ code: '' }))).status).toBe(400);
  });
});
