import { databaseTarget } from '../../../activities/db';
import { loadConfig } from '../../../workers/config';
import type { FlowStore } from './port';
import { SqlFlowStore } from './sql-store';

export * from './port';
export { SqlFlowStore } from './sql-store';

/**
 * The flow store of this installation (PostgreSQL with PAR_DATABASE_URL, else the data folder's
 * flows.sqlite), opened on first use so callers can wire it synchronously.
 */
export function openFlowStore(dataDir = loadConfig().dataDir, env: NodeJS.ProcessEnv = process.env): FlowStore {
  let opened: Promise<SqlFlowStore> | undefined;
  const store = () =>
    (opened ??= SqlFlowStore.open(databaseTarget('flows', { ...env, PAR_DATA_DIR: dataDir })).catch((err) => {
      opened = undefined;
      throw err;
    }));
  return {
    kind: env.PAR_DATABASE_URL?.trim() ? 'postgres' : 'sqlite',
    save: async (id, definition, opts) => (await store()).save(id, definition, opts),
    get: async (id, version) => (await store()).get(id, version),
    list: async () => (await store()).list(),
    versions: async (id) => (await store()).versions(id),
    delete: async (id, by) => (await store()).delete(id, by),
    close: async () => {
      if (opened) await (await opened).close();
    },
  };
}
