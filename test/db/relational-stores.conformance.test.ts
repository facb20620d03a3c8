/** @jest-environment ./test/memory/native-typed-arrays-environment.js */
// One conformance suite per relational store, run against both dialects: the embedded SQLite
// default and a real PostgreSQL (started by global-setup). The stores have one implementation
// (Kysely); this proves both databases give it the same behaviour.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DatabaseTarget } from '../../activities/db';
import { createMemoryServices, type MemoryServices } from '../../activities/memory/services';
import { IngestStaging } from '../../activities/vaults/ingest-staging';
import { LeaseStore, withLease, LeaseHeldError } from '../../activities/db/leases';
import { SqlKeyValueStore } from '../../activities/vaults/kv-store';
import { SqlVaultSettingsStore } from '../../activities/vaults/vault-settings-store';
import { EmbeddedVectorStore } from '../../activities/vectors';
import { ApiKeyStore, KeyNameTakenError } from '../../client/api/auth/key-store';
import { sharedEmbedder } from '../memory/memory-test-services';
import { freshPostgresUrl } from '../helpers/postgres';

const dialects: [string, () => Promise<DatabaseTarget>][] = [
  ['SQLite', async () => ({ kind: 'sqlite', file: path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'par-conf-')), 'stores.sqlite') })],
  ['PostgreSQL', async () => ({ kind: 'postgres', url: await freshPostgresUrl('conformance') })],
];

describe.each(dialects)('relational stores on %s', (_name, makeTarget) => {
  let target: DatabaseTarget;
  beforeAll(async () => {
    target = await makeTarget();
  });

  describe('key-value store', () => {
    test('set, get, overwrite, list by prefix (literally: % and _ are not wildcards), delete', async () => {
      const kv = await SqlKeyValueStore.open(target);
      try {
        expect(await kv.get('ns', 'missing')).toEqual({ found: false });
        await kv.set('ns', 'a%1', { n: 1 });
        await kv.set('ns', 'a_2', [1, 'two', null]);
        await kv.set('ns', 'ab', 'x');
        await kv.set('other', 'a%1', true);
        await kv.set('ns', 'a%1', { n: 2 });
        expect(await kv.get('ns', 'a%1')).toEqual({ found: true, value: { n: 2 } });
        expect(await kv.list('ns', 'a%')).toEqual([{ key: 'a%1', value: { n: 2 } }]);
        expect((await kv.list('ns')).map((r) => r.key)).toEqual(['a%1', 'a_2', 'ab']);
        expect(await kv.delete('ns', 'ab')).toBe(true);
        expect(await kv.delete('ns', 'ab')).toBe(false);
        expect(await kv.get('other', 'a%1')).toEqual({ found: true, value: true });
      } finally {
        await kv.close();
      }
    });
  });

  describe('leases', () => {
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

    test('one holder at a time: refused while held, renewed only by its holder, taken once lapsed, released', async () => {
      const a = await LeaseStore.open(target);
      const b = await LeaseStore.open(target);
      try {
        expect(await a.holder('job')).toBeUndefined();
        expect(await a.acquire('job', 'host-a', 60_000)).toMatchObject({ acquired: true, owner: 'host-a' });
        // Taking it again is a renewal for its holder, and refused to anyone else.
        expect(await a.acquire('job', 'host-a', 60_000)).toMatchObject({ acquired: true, owner: 'host-a' });
        const refused = await b.acquire('job', 'host-b', 60_000);
        expect(refused).toMatchObject({ acquired: false, owner: 'host-a' });
        expect(refused.expiresAt.getTime()).toBeGreaterThan(Date.now() + 50_000);
        expect(await b.renew('job', 'host-b', 60_000)).toBe(false);
        expect(await a.renew('job', 'host-a', 60_000)).toBe(true);
        // Another name is another lease.
        expect(await b.acquire('other', 'host-b', 60_000)).toMatchObject({ acquired: true });
        // Releasing someone else's lease does nothing.
        await b.release('job', 'host-b');
        expect((await a.holder('job'))?.owner).toBe('host-a');

        // A holder that stops renewing loses the lease once it lapses, and learns so at its next renewal.
        await a.acquire('short', 'host-a', 30);
        expect(await b.acquire('short', 'host-b', 60_000)).toMatchObject({ acquired: false });
        await sleep(60);
        expect(await b.acquire('short', 'host-b', 60_000)).toMatchObject({ acquired: true, owner: 'host-b' });
        expect(await a.renew('short', 'host-a', 60_000)).toBe(false);
        await a.release('short', 'host-a');
        expect((await a.holder('short'))?.owner).toBe('host-b');

        await a.release('job', 'host-a');
        expect(await a.holder('job')).toBeUndefined();
        expect(await b.acquire('job', 'host-b', 60_000)).toMatchObject({ acquired: true });
      } finally {
        await a.close();
        await b.close();
      }
    });

    test('twenty owners racing for one free lease: exactly one gets it', async () => {
      const stores = await Promise.all(Array.from({ length: 4 }, () => LeaseStore.open(target)));
      try {
        const results = await Promise.all(Array.from({ length: 20 }, (_, i) => stores[i % 4]!.acquire('race', `owner-${i}`, 60_000)));
        const winners = results.filter((r) => r.acquired);
        expect(winners).toHaveLength(1);
        expect(results.filter((r) => !r.acquired).every((r) => r.owner === winners[0]!.owner)).toBe(true);
      } finally {
        await Promise.all(stores.map((s) => s.close()));
      }
    });

    test('withLease renews while the work runs, releases after, and tells the work when a renewal found it taken', async () => {
      const leases = await LeaseStore.open(target);
      try {
        // Outlives its 90 ms time to live several times over, renewed every 30 ms.
        const result = await withLease(leases, 'long', { owner: 'w1', ttlMs: 90 }, async (lost) => {
          await sleep(300);
          expect(await leases.acquire('long', 'w2', 60_000)).toMatchObject({ acquired: false, owner: 'w1' });
          return lost();
        });
        expect(result).toBe(false);
        expect(await leases.holder('long')).toBeUndefined();

        await leases.acquire('busy', 'w2', 60_000);
        await expect(withLease(leases, 'busy', { owner: 'w1', ttlMs: 60_000 }, async () => 'ran')).rejects.toThrow(LeaseHeldError);
        await expect(withLease(leases, 'busy', { owner: 'w1', ttlMs: 60_000 }, async () => 'ran')).rejects.toMatchObject({ code: 'lease_held', holder: { owner: 'w2' } });

        // Taken away while the work runs (as when the holder stalled past its time to live).
        const sawLost = await withLease(leases, 'stolen', { owner: 'w1', ttlMs: 60 }, async (lost) => {
          await leases.release('stolen', 'w1');
          await leases.acquire('stolen', 'w3', 60_000);
          const until = Date.now() + 2000;
          while (!lost() && Date.now() < until) await sleep(10);
          return lost();
        });
        expect(sawLost).toBe(true);
        // Not released on the way out: it is w3's now.
        expect((await leases.holder('stolen'))?.owner).toBe('w3');
      } finally {
        await leases.close();
      }
    });
  });

  describe('vault settings store', () => {
    test('update merges (undefined keeps, null clears); list and delete', async () => {
      const settings = await SqlVaultSettingsStore.open(target);
      try {
        expect(await settings.get('docs')).toEqual({});
        expect(await settings.update('docs', { personality: 'terse' })).toEqual({ personality: 'terse' });
        expect(await settings.update('docs', { promptTemplate: 'C: {context} Q: {content}' })).toEqual({ personality: 'terse', promptTemplate: 'C: {context} Q: {content}' });
        expect(await settings.update('docs', { personality: null })).toEqual({ promptTemplate: 'C: {context} Q: {content}' });
        await settings.update('faq', {});
        expect(await settings.list()).toEqual(['docs', 'faq']);
        await settings.delete('docs');
        expect(await settings.get('docs')).toEqual({});
      } finally {
        await settings.close();
      }
    });
  });

  describe('ingest staging', () => {
    test('stages more chunks than one INSERT takes, reads ranges in order, re-staging replaces, remove clears', async () => {
      const staging = await IngestStaging.open(target);
      try {
        const chunks = Array.from({ length: 1234 }, (_, i) => ({ text: `chunk ${i}`, start: i * 10, end: i * 10 + 9 }));
        expect(await staging.staged('job')).toBeUndefined();
        expect(await staging.stage('job', 'docs', chunks)).toBe(1234);
        expect(await staging.staged('job')).toEqual({ vault: 'docs', total: 1234 });
        expect(await staging.read('job', 998, 1002)).toEqual([998, 999, 1000, 1001].map((idx) => ({ idx, text: `chunk ${idx}` })));
        await staging.stage('job', 'docs', chunks.slice(0, 3));
        expect(await staging.staged('job')).toEqual({ vault: 'docs', total: 3 });
        expect(await staging.read('job', 0, 5000)).toHaveLength(3);
        await staging.remove('job');
        expect(await staging.staged('job')).toBeUndefined();
        expect(await staging.read('job', 0, 5000)).toEqual([]);
      } finally {
        await staging.close();
      }
    });
  });

  describe('API key store', () => {
    test('create, verify, list, revoke; an active name is unique and free again once revoked', async () => {
      const keys = await ApiKeyStore.open(target);
      try {
        const a = await keys.create('ops', { vaults: { docs: 'write' }, flows: ['*'] });
        expect(a.key).toMatch(/^par_[0-9a-f]{16}_/);
        expect(await keys.verify(a.key)).toEqual({ principal: { keyId: a.id, name: 'ops', grants: { vaults: { docs: 'write' }, flows: ['*'] } } });
        expect(await keys.verify(a.key.slice(0, -1) + (a.key.endsWith('A') ? 'B' : 'A'))).toEqual({ refused: 'the API key is not valid' });
        await expect(keys.create('ops', { vaults: {}, flows: ['x'] })).rejects.toBeInstanceOf(KeyNameTakenError);
        expect(await keys.revoke(a.id)).toBe(true);
        expect(await keys.verify(a.key)).toEqual({ refused: expect.stringMatching(/revoked/) });
        const b = await keys.create('ops', { vaults: {}, flows: ['x'] });
        expect((await keys.list()).map((k) => [k.id, k.name, !!k.revokedAt])).toEqual([
          [a.id, 'ops', true],
          [b.id, 'ops', false],
        ]);
        expect((await keys.get(b.id))?.lastUsedAt).toBeUndefined();
        await keys.verify(b.key);
        expect((await keys.get(b.id))?.lastUsedAt).toBeTruthy();
        expect(await keys.revoke('0000000000000000')).toBe(false);
      } finally {
        await keys.close();
      }
    });
  });

  describe('memory stores', () => {
    let s: MemoryServices;
    beforeAll(async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'par-conf-vectors-'));
      s = await createMemoryServices({ database: target, embedder: await sharedEmbedder(), vectorStore: new EmbeddedVectorStore(path.join(dir, 'vectors.sqlite')) });
    });
    afterAll(async () => s?.close());

    test('session archive: appends in order, a retried append overwrites, tool calls round-trip', async () => {
      const msgs = [
        { role: 'user' as const, content: 'weather?' },
        { role: 'assistant' as const, content: '', toolCalls: [{ id: 'c1', name: 'weather', arguments: { city: 'Oslo' } }] },
        { role: 'tool' as const, content: 'sunny', toolCallId: 'c1' },
      ];
      expect(await s.context.append({ tenant: 't', sessionId: 's', messages: msgs })).toEqual({ total: 3 });
      expect(await s.context.append({ tenant: 't', sessionId: 's', messages: msgs.slice(0, 1), startIndex: 0 })).toEqual({ total: 3 });
      expect(await s.context.append({ tenant: 't', sessionId: 's', messages: [{ role: 'assistant', content: 'It is sunny.' }] })).toEqual({ total: 4 });
      expect(await s.context.history('t', 's')).toEqual([...msgs, { role: 'assistant', content: 'It is sunny.' }]);
      expect(await s.context.load({ tenant: 'other', sessionId: 's' })).toEqual({ messages: [], total: 0 });
    });

    test('facts: JSON values, created survives replacement, newest first, literal prefixes, similar, delete', async () => {
      const first = await s.facts.put({ tenant: 't', namespace: 'user', key: 'tz', value: 'Europe/Oslo' });
      await s.facts.put({ tenant: 't', namespace: 'user', key: 't%x', value: { a: [1, 2] } });
      const replaced = await s.facts.put({ tenant: 't', namespace: 'user', key: 'tz', value: null });
      expect(replaced).toMatchObject({ value: null, created: first.created });
      expect((await s.facts.list({ tenant: 't', namespace: 'user' })).map((f) => f.key)).toEqual(['tz', 't%x']);
      expect((await s.facts.list({ tenant: 't', namespace: 'user', prefix: 't%' })).map((f) => f.key)).toEqual(['t%x']);
      expect((await s.facts.similar('t', 'which time zone is the user in', 5, -1)).map((f) => f.key)).toContain('tz');
      expect(await s.facts.delete('t', 'user', 'tz')).toBe(true);
      expect(await s.facts.get('t', 'user', 'tz')).toBeUndefined();
    });

    test('memory vault: same-topic merge, idempotent commit, soft delete and restore, scopes, search', async () => {
      const a = await s.vault.save({ tenant: 't', content: 'The customer prefers invoices in euros.', scope: 'billing' });
      const b = await s.vault.save({ tenant: 't', content: 'The customer prefers their invoices in euros.', scope: 'billing' });
      expect(b.plan.action).toBe('update');
      expect(b.entry.id).toBe(a.entry.id);
      expect(await s.vault.commitSave(b.plan)).toEqual(b.entry);
      const other = await s.vault.create({ tenant: 't', content: 'Deploys happen on Tuesdays.' });
      expect((await s.vault.list({ tenant: 't' })).map((e) => e.id).sort()).toEqual([a.entry.id, other.id].sort());
      expect((await s.vault.scopes('t')).sort()).toEqual(['billing', 'private']);
      await s.vault.delete({ tenant: 't', id: other.id });
      expect((await s.vault.list({ tenant: 't', deleted: true })).map((e) => e.id)).toEqual([other.id]);
      expect((await s.vault.search({ tenant: 't', query: 'when do deploys happen' })).entries.map((e) => e.id)).not.toContain(other.id);
      await s.vault.restore({ tenant: 't', id: other.id });
      expect((await s.vault.search({ tenant: 't', query: 'when do deploys happen', minSimilarity: 0.3 })).entries[0]?.id).toBe(other.id);
      expect((await s.vault.importEntries({ tenant: 'bulk', contents: ['one', 'two', 'three'] })).length).toBe(3);
      expect(await s.vault.list({ tenant: 'bulk' })).toHaveLength(3);
      expect(await s.vault.reindex('bulk')).toBe(3);
    });

    test('ReasoningBank: add, merge, outcome once per run, list order, consolidate prunes', async () => {
      const draft = { title: 'Check the schema', description: 'sql', content: 'Read the table schema before writing SQL.', taskSignature: 'write a SQL report', runId: 'r1' };
      const { id } = await s.reasoning.add('t', draft);
      expect(await s.reasoning.add('t', { ...draft, content: 'Read the table schema before you write SQL.', runId: 'r2' })).toEqual({ id, merged: true });
      expect(await s.reasoning.applyOutcome('t', [id], 'success', 'r3')).toEqual([id]);
      expect(await s.reasoning.applyOutcome('t', [id], 'success', 'r3')).toEqual([]);
      const item = await s.reasoning.get('t', id);
      expect(item).toMatchObject({ confidence: 0.6, evidenceRunIds: ['r1', 'r2', 'r3'] });
      await s.reasoning.markUsed('t', [id]);
      expect((await s.reasoning.get('t', id)).lastUsed).not.toBeNull();
      const weak = await s.reasoning.add('t', { ...draft, title: 'Tone', content: 'Ask which tone the customer wants.', taskSignature: 'email', runId: 'r4' });
      for (const r of ['r5', 'r6', 'r7', 'r8']) await s.reasoning.applyOutcome('t', [weak.id], 'failure', r);
      expect((await s.reasoning.list('t')).map((i) => i.id)).toEqual([id, weak.id]);
      expect((await s.reasoning.consolidate('t')).prunedIds).toEqual([weak.id]);
      expect((await s.reasoning.list('t')).map((i) => i.id)).toEqual([id]);
    });

    test('conversation chunks: indexing twice embeds nothing new; forgetting a session removes its chunks', async () => {
      const messages = [{ role: 'user' as const, content: 'We should move the deploy window to Wednesday mornings.' }];
      expect((await s.conversations.index({ tenant: 't', sessionId: 's1', messages })).indexedChunks).toBe(1);
      expect((await s.conversations.index({ tenant: 't', sessionId: 's1', messages })).indexedChunks).toBe(0);
      expect((await s.conversations.search({ tenant: 't', query: 'deploy window', minSimilarity: 0.2 })).hits[0]?.sessionId).toBe('s1');
      expect(await s.conversations.forgetSession('t', 's1')).toBe(1);
      expect((await s.conversations.index({ tenant: 't', sessionId: 's1', messages })).indexedChunks).toBe(1);
    });
  });
});
