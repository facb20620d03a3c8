import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from '../activities';
import { loadWorkerTuning, type WorkerTuning } from './config';

export const WORKFLOWS_PATH = require.resolve('../workflows');

export interface ParWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  /** A prebuilt bundle (tests reuse one); otherwise the workflows are bundled at start. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  activities?: object;
  /** Over the environment's tuning (loadWorkerTuning). */
  tuning?: Partial<WorkerTuning>;
}

/** The PAR worker: the generic workflows plus every activity, on one task queue. */
export async function createParWorker(opts: ParWorkerOptions): Promise<Worker> {
  const { stickyQueueScheduleToStartTimeoutMs, ...tuning } = { ...loadWorkerTuning(), ...opts.tuning };
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    ...(opts.workflowBundle ? { workflowBundle: opts.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    activities: opts.activities ?? createActivities(),
    ...tuning,
    stickyQueueScheduleToStartTimeout: stickyQueueScheduleToStartTimeoutMs,
  });
}
