import fs from 'node:fs';
import type { DevServer } from '../scripts/temporal-dev-server';
import type { PostgresServer } from '../scripts/postgres-server';
import { readTestEnv } from './helpers/test-env';

export default async function globalTeardown(): Promise<void> {
  const server = (globalThis as { __parDevServer?: DevServer }).__parDevServer;
  await server?.stop();
  await (globalThis as { __parPostgres?: PostgresServer }).__parPostgres?.stop();
  fs.rmSync(readTestEnv().tmpDir, { recursive: true, force: true });
}
