// The embedded (SQLite) flow store against the FlowStore conformance suite, plus what only a file shows.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SqliteFlowStore } from '../../client/services/flow-store';
import { flowStoreConformance } from './flow-store-conformance';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'par-flow-store-'));
let n = 0;
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('SqliteFlowStore', () => {
  flowStoreConformance(async () => new SqliteFlowStore(path.join(dir, `store-${n++}.sqlite`)));

  test('versions survive reopening the file, and two handles on one file see each other', async () => {
    const file = path.join(dir, 'shared.sqlite');
    const a = new SqliteFlowStore(file);
    const b = new SqliteFlowStore(file);
    await a.save('f', { id: 'f', version: '1', nodes: [{ id: 'start', type: 'start' }] }, { by: 'api' });
    expect((await b.get('f'))?.version).toBe(1);
    await a.close();
    await b.close();
    const c = new SqliteFlowStore(file);
    expect((await c.versions('f')).map((v) => v.createdBy)).toEqual(['api']);
    await c.close();
  });
});
