/**
 * The one conformance suite of the FlowStore port: every adapter (embedded SQLite, Postgres...)
 * must pass all of it. `open` returns a store on a fresh, empty backend.
 */
import { FlowVersionConflictError, type FlowStore } from '../../client/services/flow-store';
import type { FlowDefinition } from '../../workflows/flow/types';

const def = (id: string, text: string): FlowDefinition => ({
  id,
  version: '1',
  nodes: [
    { id: 'start', type: 'start', outputs: { next: 'r' } },
    { id: 'r', type: 'respond', params: { text } },
  ],
});

export function flowStoreConformance(open: () => Promise<FlowStore>): void {
  let store: FlowStore;
  beforeEach(async () => {
    store = await open();
  });
  afterEach(async () => store.close());

  test('every save is a new version with who, when and message; get reads the latest or a given version', async () => {
    const before = Date.now();
    const v1 = await store.save('greet', def('greet', 'one'), { by: 'alice', message: 'first' });
    const v2 = await store.save('greet', def('greet', 'two'), { by: 'bob' });
    expect([v1.version, v2.version]).toEqual([1, 2]);
    expect(v1).toEqual({ id: 'greet', version: 1, definition: def('greet', 'one'), createdAt: expect.any(String), createdBy: 'alice', message: 'first' });
    expect(Date.parse(v1.createdAt)).toBeGreaterThanOrEqual(before - 1000);
    expect((await store.get('greet'))?.definition.nodes[1].params).toEqual({ text: 'two' });
    expect((await store.get('greet', 1))?.definition.nodes[1].params).toEqual({ text: 'one' });
    expect(await store.get('greet', 3)).toBeUndefined();
    expect(await store.get('nobody')).toBeUndefined();
  });

  test('versions are listed newest first; list gives each flow once with its latest version', async () => {
    await store.save('b', def('b', 'x'), { by: 'alice' });
    await store.save('a', def('a', 'x'), { by: 'alice' });
    await store.save('a', def('a', 'y'), { by: 'carol', message: 'tweak' });
    expect((await store.versions('a')).map((v) => [v.version, v.createdBy, v.message])).toEqual([
      [2, 'carol', 'tweak'],
      [1, 'alice', null],
    ]);
    expect(await store.versions('nobody')).toEqual([]);
    expect((await store.list()).map((f) => [f.id, f.version, f.updatedBy])).toEqual([
      ['a', 2, 'carol'],
      ['b', 1, 'alice'],
    ]);
  });

  test('a save from a version that is not the latest is refused and stores nothing', async () => {
    await store.save('f', def('f', 'one'), { by: 'alice' });
    await store.save('f', def('f', 'two'), { by: 'bob', baseVersion: 1 });
    const err = await store.save('f', def('f', 'lost?'), { by: 'carol', baseVersion: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FlowVersionConflictError);
    expect(err).toMatchObject({ code: 'version_conflict', baseVersion: 1, latest: 2 });
    expect((await store.get('f'))?.version).toBe(2);
    // A base version for a flow that is not stored conflicts too (someone deleted it).
    await expect(store.save('new', def('new', 'x'), { by: 'a', baseVersion: 1 })).rejects.toBeInstanceOf(FlowVersionConflictError);
    // Base version 0 means "this flow is new": it creates once, then conflicts.
    expect((await store.save('new', def('new', 'x'), { by: 'a', baseVersion: 0 })).version).toBe(1);
    await expect(store.save('new', def('new', 'y'), { by: 'b', baseVersion: 0 })).rejects.toMatchObject({ latest: 1 });
  });

  test('concurrent saves from the same base version: exactly one wins', async () => {
    await store.save('race', def('race', '0'), { by: 'a' });
    const results = await Promise.allSettled([1, 2, 3].map((i) => store.save('race', def('race', String(i)), { by: `u${i}`, baseVersion: 1 })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected' && r.reason instanceof FlowVersionConflictError)).toHaveLength(2);
    expect((await store.versions('race')).map((v) => v.version)).toEqual([2, 1]);
  });

  test('delete hides the flow; a later save continues the numbering, so pinned versions stay unique', async () => {
    await store.save('gone', def('gone', 'one'), { by: 'a' });
    await store.save('gone', def('gone', 'two'), { by: 'a' });
    expect(await store.delete('gone', 'admin')).toBe(true);
    expect(await store.delete('gone', 'admin')).toBe(false);
    expect(await store.get('gone')).toBeUndefined();
    expect(await store.versions('gone')).toEqual([]);
    expect((await store.list()).map((f) => f.id)).not.toContain('gone');
    const again = await store.save('gone', def('gone', 'three'), { by: 'b' });
    expect(again.version).toBe(3);
    expect((await store.get('gone', 1))?.definition.nodes[1].params).toEqual({ text: 'one' });
  });

  test('a layout is saved with its version and read back with it; versions saved without one have none', async () => {
    const drawn = { start: { x: 10.5, y: -20 }, r: { x: 300, y: 140 } };
    await store.save('drawn', def('drawn', 'one'), { by: 'a' });
    await store.save('drawn', def('drawn', 'two'), { by: 'a', layout: drawn });
    expect(await store.get('drawn', 1)).not.toHaveProperty('layout');
    expect((await store.get('drawn'))?.layout).toEqual(drawn);
    expect((await store.get('drawn', 2))?.layout).toEqual(drawn);
    // The version list stays small: layouts are read with one version.
    expect((await store.versions('drawn'))[0]).not.toHaveProperty('layout');
  });

  test('definitions round-trip exactly, including nested params and unicode', async () => {
    const d: FlowDefinition = { ...def('rt', 'héllo ✓ {message}'), variables: { n: { type: 'number', default: 3 } }, defaults: { model: 'local:echo', temperature: 0.5 } };
    await store.save('rt', d, { by: 'a' });
    expect((await store.get('rt'))?.definition).toEqual(d);
  });
}
