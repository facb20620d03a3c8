import path from 'node:path';
import { findQdrantBinary, installedQdrant, startQdrant } from '../../scripts/qdrant-server';
import { startFakeQdrant } from '../vaults/qdrant-fake/server';
import { readTestEnv } from './test-env';

export interface TestQdrant {
  url: string;
  /** True for the real server binary; false for the protocol fake (no binary on this machine). */
  real: boolean;
  close(): Promise<void>;
}

/**
 * A Qdrant for a suite: the real server when the project has its binary (../shared/tools/qdrant
 * or PAR_QDRANT_BINARY), else the spec-checking fake, saying so.
 */
export async function startTestQdrant(): Promise<TestQdrant> {
  const { file, looked } = findQdrantBinary();
  if (file) {
    const server = await startQdrant(installedQdrant(file), { logFile: path.join(readTestEnv().tmpDir, 'qdrant.log') });
    return { url: server.url, real: true, close: () => server.stop() };
  }
  console.log(`no Qdrant binary (looked at ${looked.join(', ')} and PAR_QDRANT_BINARY): using the protocol fake in test/vaults/qdrant-fake`);
  const fake = await startFakeQdrant();
  return { url: fake.url, real: false, close: () => fake.close() };
}
