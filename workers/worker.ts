import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { OpenTelemetryActivityInboundInterceptor, OpenTelemetryActivityOutboundInterceptor, makeWorkflowExporter } from '@temporalio/interceptors-opentelemetry';
import { createActivities } from '../activities';
import { ParErrorActivityInbound } from './activity-failures';
import { loadWorkerTuning, type WorkerTuning } from './config';
import { TRACING_WORKFLOW_MODULES, type Telemetry } from './telemetry';

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
  /**
   * Trace workflows and activities (see workers/telemetry.ts). A prebuilt bundle must then hold
   * TRACING_WORKFLOW_MODULES as its workflowInterceptorModules.
   */
  telemetry?: Telemetry;
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
    ...(opts.telemetry ? tracing(opts.telemetry, !opts.workflowBundle) : { interceptors: { activity: [parErrors] } }),
  });
}

const parErrors = () => ({ inbound: new ParErrorActivityInbound() });

/** Temporal's OpenTelemetry interceptors: activity spans, and workflow spans through a sink. */
function tracing(telemetry: Telemetry, bundling: boolean): Pick<WorkerOptions, 'interceptors' | 'sinks'> {
  return {
    interceptors: {
      // A prebuilt bundle already holds them (Temporal ignores this option then, with a warning).
      ...(bundling ? { workflowModules: TRACING_WORKFLOW_MODULES } : {}),
      // Tracing first, so an activity's span records the failure as it leaves the worker.
      activity: [(ctx) => ({ inbound: new OpenTelemetryActivityInboundInterceptor(ctx), outbound: new OpenTelemetryActivityOutboundInterceptor(ctx) }), parErrors],
    },
    sinks: { exporter: makeWorkflowExporter(telemetry.spanProcessor, telemetry.resource) },
  };
}
