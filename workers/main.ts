// The PAR worker process: `npm run worker`. Stateless: all run state lives in Temporal.
import { NativeConnection } from '@temporalio/worker';
import { Connection } from '@temporalio/client';
import { loadConfig, loadWorkerTuning } from './config';
import { createParWorker } from './worker';
import { ensureSearchAttributes } from './search-attributes-setup';
import { startTelemetry } from './telemetry';
import { DatabaseError, prepareDatabases } from '../activities/db';
import { reembedInBackground } from './reembed-on-start';
import { loadWorkflowBundle, prebuiltBundle, WorkflowBundleError } from './workflow-bundle';

async function main(): Promise<void> {
  const config = loadConfig();
  // Read first, so a bad PAR_WORKER_* value stops the worker before it connects.
  const tuning = loadWorkerTuning();
  // A wrong, unreachable or too-new database stops the worker here, not at its first activity.
  try {
    const where = await prepareDatabases();
    console.log(`[worker] relational stores: ${where.join(', ')}`);
  } catch (err) {
    if (!(err instanceof DatabaseError)) throw err;
    console.error(`[worker] ${err.message}`);
    process.exit(1);
  }
  const telemetry = startTelemetry('par-worker');
  if (telemetry) console.log(`[worker] tracing to ${telemetry.endpoint}`);
  // A bundle built ahead of time (PAR_WORKFLOW_BUNDLE, see scripts/bundle-workflows.ts), checked
  // before connecting; without one the workflows are bundled below.
  let prebuilt: { codePath: string } | undefined;
  try {
    prebuilt = process.env.PAR_WORKFLOW_BUNDLE ? prebuiltBundle(process.env.PAR_WORKFLOW_BUNDLE, { tracing: !!telemetry }) : undefined;
  } catch (err) {
    if (!(err instanceof WorkflowBundleError)) throw err;
    console.error(`[worker] ${err.message}`);
    process.exit(1);
  }
  let connection: NativeConnection;
  try {
    connection = await NativeConnection.connect({ address: config.temporalAddress });
  } catch (err) {
    console.error(`[worker] Temporal at ${config.temporalAddress} does not answer: ${(err as Error).message}`);
    process.exit(1);
  }
  const admin = await Connection.connect({ address: config.temporalAddress });
  const added = await ensureSearchAttributes(admin, config.temporalNamespace);
  if (added.length) console.log(`[worker] registered search attributes ${added.join(', ')}`);
  await admin.close();

  // Bundled with a quiet logger (webpack's full report would bury the stack's output), or taken
  // from the cache when the workflow code has not changed since the last start.
  const started = Date.now();
  const loaded = prebuilt ? { bundle: prebuilt, source: 'prebuilt' } : await loadWorkflowBundle({ tracing: !!telemetry, logger: warnOnlyLogger });
  const workflowBundle = loaded.bundle;
  console.log(`[worker] workflow bundle ${loaded.source === 'cache' ? 'from the cache' : loaded.source} in ${Date.now() - started} ms`);
  // The SDK's Runtime already shuts the worker down on SIGINT/SIGTERM.
  const worker = await createParWorker({ connection, namespace: config.temporalNamespace, taskQueue: config.taskQueue, workflowBundle, telemetry, tuning });
  console.log(`[worker] polling task queue "${config.taskQueue}" on ${config.temporalAddress} (namespace ${config.temporalNamespace}; keeps up to ${tuning.maxCachedWorkflows} runs in memory)`);
  const reembedding = process.env.PAR_REEMBED_ON_START === '0' ? undefined : reembedInBackground();
  await worker.run();
  await reembedding?.stop();
  await telemetry?.shutdown();
  await connection.close();
}

const noop = () => undefined;
const warnOnlyLogger = { trace: noop, debug: noop, info: noop, log: noop, warn: console.warn, error: console.error } as never;

main().catch((err) => {
  console.error('[worker] failed:', err);
  process.exit(1);
});
