import { ApplicationFailure } from '@temporalio/common';
import { createVaultActivities } from '../../activities/vaults/activities';
import { IngestStaging } from '../../activities/vaults/ingest-staging';
import { sharedVaultService } from '../../activities/vaults';
import type { VaultService } from '../../activities/vaults/service';
import { serviceIn, tempDir } from './service-fixture';
import path from 'node:path';

const dir = tempDir('par-vact-');
let svc: VaultService;
let acts: ReturnType<typeof createVaultActivities>;
let opened = 0;

beforeAll(async () => {
  svc = await serviceIn(dir);
  acts = createVaultActivities({
    service: async () => {
      opened++;
      return svc;
    },
    staging: () => IngestStaging.open({ kind: 'sqlite', file: path.join(dir, 'vaults.sqlite') }),
  });
  await svc.addMany('legal', [{ text: 'The contract may be terminated with 30 days written notice.' }, { text: 'Liability is capped at the fees paid.' }]);
  await svc.addMany('eng', [{ text: 'Deploys run through the blue-green pipeline.' }]);
});
afterAll(async () => svc.close());

test('vaultAdd stores text and returns the new ids', async () => {
  const res = await acts.vaultAdd({ vault: 'notes', text: 'Remember to renew the TLS certificate in May.', metadata: { by: 'ops' } });
  expect(res.ids).toHaveLength(1);
  expect((await svc.getItems('notes', res.ids)).items[0]!.metadata).toEqual({ by: 'ops' });
});

test('vaultSearch over one vault, a list, and per-vault minimums with shortfalls', async () => {
  const one = await acts.vaultSearch({ vault: 'legal', query: 'how do I end the agreement?', n: 1 });
  expect(one.searchQuery).toBe('how do I end the agreement?');
  expect(one.items[0]!.text).toMatch(/terminated/);
  expect(one.items[0]!.vault).toBe('legal');
  const list = await acts.vaultSearch({ vaults: ['legal', 'eng'], query: 'deployment pipeline', n: 2 });
  expect(list.items[0]!.vault).toBe('eng');
  expect(list.shortfalls).toBeUndefined();
  const map = await acts.vaultSearch({ vaults: { legal: 1, eng: null, empty: 2 }, query: 'deployment pipeline', n: 3 });
  expect(map.items.some((i) => i.vault === 'legal')).toBe(true);
  expect(map.shortfalls).toEqual([{ vault: 'empty', wanted: 2, got: 0 }]);
});

test('vaultSearch with smart history search returns the rewritten query it searched for', async () => {
  const res = await acts.vaultSearch({
    vault: 'legal',
    query: 'and what about that?',
    smartHistorySearch: true,
    history: [{ role: 'user', content: 'What is the liability cap in our contract?' }],
    n: 1,
  });
  expect(res.searchQuery).toMatch(/liability/i);
  expect(res.items[0]!.text).toMatch(/Liability/);
});

test('kvStore: set, get, delete', async () => {
  expect(await acts.kvStore({ op: 'set', namespace: 'acct', key: 'count', value: 3 })).toEqual({ found: true, value: 3 });
  expect(await acts.kvStore({ op: 'get', namespace: 'acct', key: 'count' })).toEqual({ found: true, value: 3 });
  expect(await acts.kvStore({ op: 'delete', namespace: 'acct', key: 'count' })).toEqual({ found: true });
  expect(await acts.kvStore({ op: 'get', namespace: 'acct', key: 'count' })).toEqual({ found: false });
  expect(await acts.kvStore({ op: 'delete', namespace: 'acct', key: 'count' })).toEqual({ found: false });
});

test('bad requests fail as non-retryable application failures that name the problem', async () => {
  const fail = async (p: Promise<unknown>) => {
    const err = await p.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect((err as ApplicationFailure).nonRetryable).toBe(true);
    return (err as ApplicationFailure).message;
  };
  expect(await fail(acts.vaultSearch({ query: 'x' }))).toMatch(/vault or vaults/);
  expect(await fail(acts.vaultSearch({ vault: 'legal', query: 'x', n: 5000 }))).toMatch(/n must be/);
  expect(await fail(acts.vaultAdd({ vault: 'legal', text: '' }))).toMatch(/empty/);
  expect(await fail(acts.kvStore({ op: 'set', namespace: 'acct', key: 'k' }))).toMatch(/needs a value/);
  expect(await fail(acts.kvStore({ op: 'pop' as never, namespace: 'acct', key: 'k' }))).toMatch(/get, set or delete/);
});

test('activities resolve the service on each call through the factory they were given', () => {
  expect(opened).toBeGreaterThan(3);
});

test('the default service (model + store) is created once per process, on first use', async () => {
  const first = sharedVaultService();
  const second = sharedVaultService();
  expect(second).toBe(first);
  const a = await first;
  expect(await sharedVaultService()).toBe(a);
  expect(a.embedder.model).toBe('local:e5-small-v2');
  await a.close();
});
