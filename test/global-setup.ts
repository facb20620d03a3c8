// Starts one real Temporal dev server (in memory) and one workflow bundle for the whole run.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadToolPaths } from '../workers/config';
import { workflowBundleFile } from '../workers/workflow-bundle';
import { freePort, startDevServer } from '../scripts/temporal-dev-server';
import { startPostgres } from '../scripts/postgres-server';
import { TEST_ENV_VAR, type TestEnv } from './helpers/test-env';

export default async function globalSetup(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'par-test-'));
  // Every store the tests touch lives in this run's own data folder, never in .data/.
  process.env.PAR_DATA_DIR = path.join(dir, 'data');
  fs.mkdirSync(process.env.PAR_DATA_DIR, { recursive: true });
  // PostgreSQL starts alongside Temporal (initdb takes seconds on a busy machine).
  const postgres = withFreshPorts(() => startPostgres({ logFile: path.join(dir, 'postgres.log') }));
  postgres.catch(() => undefined);
  const server = await withFreshPorts(async () =>
    startDevServer({
      cli: loadToolPaths().temporalCli,
      port: await freePort(),
      headless: true,
      fastSqlite: true,
      logFile: path.join(dir, 'temporal.log'),
    }),
  );
  // The same cached bundle the worker uses (built once per change of the workflow code); its
  // header lets worker processes load it too (PAR_WORKFLOW_BUNDLE).
  const bundlePath = await workflowBundleFile({ tracing: false, logger: quietLogger }, dir);
  const pgServer = await postgres;
  const env: TestEnv = { temporalAddress: server.address, bundlePath, tmpDir: dir, serverPid: server.process.pid!, postgresUrl: pgServer.url };
  process.env[TEST_ENV_VAR] = JSON.stringify(env);
  (globalThis as { __parDevServer?: unknown }).__parDevServer = server;
  (globalThis as { __parPostgres?: unknown }).__parPostgres = pgServer;
}

/**
 * A free port can be taken by another process before the server binds it (any outgoing
 * connection may get it as its local port): on a failed start, try again with a new port.
 */
async function withFreshPorts<T>(start: () => Promise<T>, attempts = 3): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await start();
    } catch (err) {
      if (i >= attempts) throw err;
      console.error(`the Temporal dev server did not start (${(err as Error).message}); retrying on another port`);
    }
  }
}

const noop = () => undefined;
const quietLogger = { trace: noop, debug: noop, info: noop, warn: noop, error: console.error, log: noop } as never;
