import path from 'node:path';
import { loadConfig } from '../../../workers/config';
import type { FlowStore } from './port';
import { SqliteFlowStore } from './sqlite-store';

export * from './port';
export { SqliteFlowStore } from './sqlite-store';

/** The flow store of this installation: the embedded one under the data folder. */
export function openFlowStore(dataDir = loadConfig().dataDir): FlowStore {
  return new SqliteFlowStore(path.join(dataDir, 'flows.sqlite'));
}
