// A whole PAR stack for API benchmarks and fuzzing, private to this process: a headless Temporal
// dev server on a free port, a worker (real workflows and activities) and the API with the real
// services, over a temporary data folder. Run directly, it prints {"url","key"} and serves until killed.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { loadConfig, loadToolPaths } from '../workers/config';
import { createParWorker } from '../workers/worker';
import { loadWorkflowBundle } from '../workers/workflow-bundle';
import { freePort, startDevServer, type DevServer } from '../scripts/temporal-dev-server';
import { createStreamBus, setSharedStreamBus } from '../activities/streams';
import { ApiKeyStore, apiKeysPath } from '../client/api/auth/key-store';
import { StudioSignins } from '../client/api/auth/studio-signin';
import { createApiServer } from '../client/api/server';
import { connectServices } from '../client/api/wiring';
import { sseOptionsFromEnv } from '../client/api/sse';

export interface ApiStack {
  url: string;
  /** A key granted every vault (admin) and every flow. */
  key: string;
  keys: ApiKeyStore;
  stop(): Promise<void>;
}

const quiet = { trace() {}, debug() {}, info() {}, log() {}, warn() {}, error: console.error } as never;

export async function startApiStack(opts: { log?: (line: string) => void } = {}): Promise<ApiStack> {
  const log = opts.log ?? (() => undefined);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'par-api-stack-'));
  process.env.PAR_DATA_DIR = dataDir;
  log('starting a Temporal dev server...');
  const temporal: DevServer = await startDevServer({ cli: loadToolPaths().temporalCli, port: await freePort(), headless: true, fastSqlite: true, logFile: path.join(dataDir, 'temporal.log') });
  process.env.PAR_TEMPORAL_ADDRESS = temporal.address;
  process.env.PAR_TASK_QUEUE = `api-stack-${process.pid}`;
  const config = loadConfig();
  const bus = createStreamBus();
  setSharedStreamBus(bus);
  log('bundling workflows and starting a worker...');
  const connection = await NativeConnection.connect({ address: temporal.address });
  const { bundle: workflowBundle } = await loadWorkflowBundle({ tracing: false, logger: quiet });
  const worker: Worker = await createParWorker({ connection, namespace: config.temporalNamespace, taskQueue: config.taskQueue, workflowBundle });
  const running = worker.run();
  log('starting the API...');
  const services = await connectServices(config, bus);
  const keys = await ApiKeyStore.open({ kind: 'sqlite', file: apiKeysPath(dataDir) });
  const { key } = await keys.create('stack-admin', { vaults: { '*': 'admin' }, flows: ['*'] });
  const signins = await StudioSignins.open({ kind: 'sqlite', file: apiKeysPath(dataDir) });
  const { server } = createApiServer({ auth: { kind: 'keys', store: keys }, services, signins, sse: sseOptionsFromEnv(), log: (l) => console.error(l) });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    key,
    keys,
    async stop() {
      // The dev server is stopped whatever fails before it, or it would outlive this process.
      try {
        server.closeAllConnections();
        await new Promise((r) => server.close(r));
        // The SDK's Runtime may already be shutting the worker down on the same signal.
        if (worker.getState() === 'RUNNING') worker.shutdown();
        await running;
        await connection.close();
        await bus.close();
        keys.close();
        signins.close();
      } finally {
        await temporal.stop();
        fs.rmSync(dataDir, { recursive: true, force: true });
      }
    },
  };
}

if (process.argv[1] === __filename) {
  startApiStack({ log: (l) => console.error(`[api-stack] ${l}`) })
    .then((stack) => {
      process.stdout.write(`${JSON.stringify({ url: stack.url, key: stack.key })}\n`);
      for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => void stack.stop().then(() => process.exit(0)));
    })
    .catch((err) => {
      console.error(`[api-stack] failed: ${err?.stack ?? err}`);
      process.exit(1);
    });
}
