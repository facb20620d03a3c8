import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createActivities } from '../../activities';
import { temporalTestContext, type TemporalTestContext } from '../helpers/temporal';
import { readTestEnv } from '../helpers/test-env';
import { flowDef, localActivities, startFlow, waitForState } from '../helpers/flows';

let ctx: TemporalTestContext;
beforeAll(async () => {
  ctx = await temporalTestContext('crash');
});
afterAll(async () => ctx?.close());

/** A real worker process (npm run worker) on the test server, to be killed with SIGKILL. */
function spawnWorker(taskQueue: string): Promise<ChildProcess> {
  const root = path.resolve(__dirname, '../..');
  const child = spawn(process.execPath, [path.join(root, 'bin/run-ts.js'), 'workers/main.ts'], {
    cwd: root,
    env: { ...process.env, PAR_TEMPORAL_ADDRESS: readTestEnv().temporalAddress, PAR_TASK_QUEUE: taskQueue },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString();
      if (out.includes('polling task queue')) resolve(child);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => reject(new Error(`worker exited early (${code}): ${out}`)));
  });
}

test('a worker killed mid-run: another worker finishes it and no completed step runs again', async () => {
  const queue = `${ctx.taskQueue}-kill`;
  const def = flowDef('two_steps', [
    { id: 'start', type: 'start', outputs: { next: 'put' } },
    { id: 'put', type: 'store', params: { op: 'set', namespace: 'crash', key: '{run_id}', value: 'first step done' }, outputs: { next: 'pause' } },
    // The kill must land during this wait; it is long so a slow state query on a busy machine still sees it.
    { id: 'pause', type: 'wait', params: { duration: '10 seconds' }, outputs: { next: 'get' } },
    { id: 'get', type: 'store', params: { op: 'get', namespace: 'crash', key: '{run_id}', variable: 'seen' }, outputs: { next: 'done' } },
    { id: 'done', type: 'end' },
  ]);
  const doomed = await spawnWorker(queue);
  const h = await startFlow(ctx.client, queue, def);
  await waitForState(h, (s) => s.status === 'waiting_timer', 60000);
  doomed.kill('SIGKILL');

  // The survivor counts what it executes.
  const real = createActivities();
  const calls: string[] = [];
  const counted = { ...real, kvStore: async (req: Parameters<typeof real.kvStore>[0]) => (calls.push(req.op), real.kvStore(req)) };
  const survivor = await ctx.startWorker({ taskQueue: queue, activities: counted });
  const r = await h.result();
  await survivor.stop();

  expect(r.variables.seen).toBe('first step done');
  expect(calls).toEqual(['get']);
  // The set (a write) is a regular activity, recorded once; the get (a fast read) a local activity.
  const events = (await h.fetchHistory()).events!;
  expect(events.filter((e) => e.activityTaskScheduledEventAttributes).length).toBe(1);
  expect(events.filter((e) => e.activityTaskCompletedEventAttributes).length).toBe(1);
  expect(await localActivities(h)).toEqual(['kvStore']);
}, 300_000); // spawns a worker process that bundles the workflows itself
