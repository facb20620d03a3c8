import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from '../activities';

export const WORKFLOWS_PATH = require.resolve('../workflows');

export interface ParWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  /** A prebuilt bundle (tests reuse one); otherwise the workflows are bundled at start. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  activities?: object;
  maxConcurrentActivityTaskExecutions?: number;
}

/** The PAR worker: the generic workflows plus every activity, on one task queue. */
export async function createParWorker(opts: ParWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    ...(opts.workflowBundle ? { workflowBundle: opts.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    activities: opts.activities ?? createActivities(),
    maxConcurrentActivityTaskExecutions: opts.maxConcurrentActivityTaskExecutions,
  });
}
