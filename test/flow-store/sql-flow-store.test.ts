// The flow store (one Kysely implementation) against the FlowStore conformance suite, on SQLite
// and on a real PostgreSQL, plus what only a file shows and what only concurrent writers show.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FlowVersionConflictError, SqlFlowStore } from '../../client/services/flow-store';
import type { FlowDefinition } from '../../workflows/flow/types';
import { freshPostgresUrl } from '../helpers/postgres';
import { flowStoreConformance } from './flow-store-conformance';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'par-flow-store-'));
let n = 0;
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const flow: FlowDefinition = { id: 'f', version: '1', nodes: [{ id: 'start', type: 'start' }] };

describe('SqlFlowStore on SQLite', () => {
  flowStoreConformance(async () => SqlFlowStore.open({ kind: 'sqlite', file: path.join(dir, `store-${n++}.sqlite`) }));

  test('versions survive reopening the file, and two handles on one file see each other', async () => {
    const file = path.join(dir, 'shared.sqlite');
    const a = await SqlFlowStore.open({ kind: 'sqlite', file });
    const b = await SqlFlowStore.open({ kind: 'sqlite', file });
    await a.save('f', flow, { by: 'api' });
    expect((await b.get('f'))?.version).toBe(1);
    await a.close();
    await b.close();
    const c = await SqlFlowStore.open({ kind: 'sqlite', file });
    expect((await c.versions('f')).map((v) => v.createdBy)).toEqual(['api']);
    await c.close();
  });
});

describe('SqlFlowStore on PostgreSQL', () => {
  let url: string;
  beforeAll(async () => {
    url = await freshPostgresUrl('flows');
  });
  // Each store gets a schema of its own: a fresh database per opened store.
  flowStoreConformance(async () => SqlFlowStore.open({ kind: 'postgres', url: await freshPostgresUrl('flows') }));

  test('concurrent saves from separate pools: every version number once, one winner per base version', async () => {
    const stores = await Promise.all([0, 1, 2].map((i) => SqlFlowStore.open({ kind: 'postgres', url: `${url}?application_name=flows${i}` })));
    try {
      const saved = await Promise.all(stores.flatMap((s, i) => [0, 1, 2].map((j) => s.save('race', flow, { by: `writer-${i}-${j}` }))));
      expect(saved.map((f) => f.version).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
      const contested = await Promise.allSettled(stores.map((s) => s.save('race', flow, { by: 'editor', baseVersion: 9 })));
      expect(contested.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect(contested.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason)).toEqual([
        expect.any(FlowVersionConflictError),
        expect.any(FlowVersionConflictError),
      ]);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });
});
