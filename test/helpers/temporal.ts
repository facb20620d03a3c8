import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { createParWorker } from '../../workers/worker';
import { readTestEnv } from './test-env';

export interface TemporalTestContext {
  client: Client;
  nativeConnection: NativeConnection;
  /** A task queue of this test file's own, so test files never steal each other's tasks. */
  taskQueue: string;
  startWorker(opts?: { activities?: object; taskQueue?: string }): Promise<RunningWorker>;
  close(): Promise<void>;
}

export interface RunningWorker {
  worker: Worker;
  stop(): Promise<void>;
}

/** Connects to the run's dev server (see global-setup) and makes workers on a private task queue. */
export async function temporalTestContext(name = 'test'): Promise<TemporalTestContext> {
  const env = readTestEnv();
  const connection = await Connection.connect({ address: env.temporalAddress });
  const client = new Client({ connection, namespace: 'default' });
  const nativeConnection = await NativeConnection.connect({ address: env.temporalAddress });
  const taskQueue = `${name}-${randomUUID()}`;
  const workers: RunningWorker[] = [];
  return {
    client,
    nativeConnection,
    taskQueue,
    async startWorker(opts = {}) {
      const worker = await createParWorker({
        connection: nativeConnection,
        namespace: 'default',
        taskQueue: opts.taskQueue ?? taskQueue,
        workflowBundle: { codePath: env.bundlePath },
        activities: opts.activities,
      });
      const running = worker.run();
      const handle: RunningWorker = {
        worker,
        async stop() {
          if (worker.getState() === 'RUNNING') worker.shutdown();
          await running;
        },
      };
      workers.push(handle);
      return handle;
    },
    async close() {
      await Promise.all(workers.map((w) => w.stop()));
      await nativeConnection.close();
      await connection.close();
    },
  };
}
