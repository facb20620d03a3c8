/** @jest-environment ./test/memory/native-typed-arrays-environment.js */
// Versioned migrations: data folders from before them upgrade in place, a newer schema is
// refused, PAR_DATABASE_AUTO_MIGRATE=false refuses a stale one, bad or unreachable URLs are named,
// and several processes migrating one PostgreSQL database at once apply each migration once.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { DatabaseError, openStoreDatabase, STORE_GROUPS, type DatabaseTarget } from '../../activities/db';
import { LeaseStore } from '../../activities/db/leases';
import { MIGRATIONS, migrationTable, schemaStatus } from '../../activities/db/migrate';
import { reembedLeaseName } from '../../activities/embeddings/model-change';
import { openDatabase } from '../../activities/db/open';
import { createMemoryServices } from '../../activities/memory/services';
import { IngestStaging } from '../../activities/vaults/ingest-staging';
import { SqlKeyValueStore } from '../../activities/vaults/kv-store';
import { SqlVaultSettingsStore } from '../../activities/vaults/vault-settings-store';
import { EmbeddedVectorStore } from '../../activities/vectors';
import { ApiKeyStore } from '../../client/api/auth/key-store';
import { sharedEmbedder } from '../memory/memory-test-services';
import { freshPostgresUrl } from '../helpers/postgres';

const FIXTURE = path.join(__dirname, 'fixtures', 'legacy-data');
const par = (args: string[], env: NodeJS.ProcessEnv) =>
  spawnSync(process.execPath, [path.join(__dirname, '../../bin/par.js'), ...args], { env: { ...process.env, ...env }, encoding: 'utf8' });

describe('a data folder written before versioned migrations', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'par-legacy-'));
  const expected = JSON.parse(fs.readFileSync(path.join(FIXTURE, 'expected.json'), 'utf8')) as Record<string, string>;
  beforeAll(() => {
    for (const f of fs.readdirSync(FIXTURE)) if (f.endsWith('.sqlite')) fs.copyFileSync(path.join(FIXTURE, f), path.join(dir, f));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('par db status shows every migration pending; par db migrate applies them in place', () => {
    const before = par(['db', 'status', '--json'], { PAR_DATA_DIR: dir });
    expect(before.status).toBe(0);
    const groups = (JSON.parse(before.stdout) as { groups: { group: string; state: string; applied: string[] }[] }).groups;
    expect(groups.map((g) => [g.group, g.state, g.applied.length])).toEqual(STORE_GROUPS.map((g) => [g, 'pending', 0]));
    const migrated = par(['db', 'migrate', '--json'], { PAR_DATA_DIR: dir });
    expect(migrated.status).toBe(0);
    const applied = (JSON.parse(migrated.stdout) as { groups: { group: string; applied: string[] }[] }).groups;
    expect(Object.fromEntries(applied.map((g) => [g.group, g.applied]))).toEqual(Object.fromEntries(STORE_GROUPS.map((g) => [g, Object.keys(MIGRATIONS[g]).sort()])));
    expect(par(['db', 'status'], { PAR_DATA_DIR: dir }).stdout).toMatch(/memory +up to date/);
  });

  test('every record written by the old code reads back through today\'s stores', async () => {
    // The folder's vectors are all-MiniLM-L6-v2's, the default model then: the upgrade copies them
    // into today's default model's collections, re-embedded from their text.
    // While another process (a worker) holds the copy's lease, the command refuses and names it.
    const file = (f: string): DatabaseTarget => ({ kind: 'sqlite', file: path.join(dir, f) });
    const leases = await LeaseStore.open(file('vaults.sqlite'));
    const lease = reembedLeaseName((await sharedEmbedder()).model);
    await leases.acquire(lease, 'worker-host:77:abcd', 60_000);
    const refused = par(['db', 'reembed', '--json'], { PAR_DATA_DIR: dir });
    expect(refused.status).toBe(1);
    const { error } = JSON.parse(refused.stdout) as { error: { code: string; message: string } };
    expect(error.code).toBe('lease_held');
    expect(error.message).toMatch(/held by worker-host:77:abcd until .*--wait/);
    await leases.release(lease, 'worker-host:77:abcd');
    await leases.close();
    const reembedded = par(['db', 'reembed', '--json'], { PAR_DATA_DIR: dir });
    expect(reembedded.status).toBe(0);
    // [copied from their text, without text, re-embedded from the memory database instead]: the
    // conversation turns kept their text; the other kinds' vectors did not.
    const stores = (JSON.parse(reembedded.stdout) as { stores: { kind: string; copied: number; withoutText: number; reindexed?: number }[] }).stores;
    expect(Object.fromEntries(stores.map((r) => [r.kind, [r.copied, r.withoutText, r.reindexed]]))).toEqual({
      vaults: [0, 0, undefined],
      memory_vault: [0, 2, 2],
      memory_conversations: [1, 0, undefined],
      memory_facts: [0, 2, 2],
      memory_reasoning: [0, 2, 1],
    });
    const memory = await createMemoryServices({ database: file('memory.sqlite'), embedder: await sharedEmbedder(), vectorStore: new EmbeddedVectorStore(path.join(dir, 'vectors.sqlite')) });
    try {
      expect((await memory.vault.list({ tenant: 'acme' })).map((e) => e.content).sort()).toEqual(['Deploys happen on Tuesdays after the standup.', 'The customer prefers invoices in euros.']);
      expect((await memory.vault.list({ tenant: 'acme', deleted: true })).map((e) => e.id)).toEqual([expected.deletedEntry]);
      expect((await memory.vault.get('acme', expected.vaultEntry)).scope).toBe('billing');
      expect((await memory.vault.search({ tenant: 'acme', query: 'which currency for invoices', minSimilarity: 0.3 })).entries[0]?.id).toBe(expected.vaultEntry);
      expect((await memory.facts.get('acme', 'profile', 'limits'))?.value).toEqual({ seats: 12, trial: false });
      expect(await memory.context.history('acme', 's1')).toEqual([
        { role: 'user', content: 'hello there' },
        { role: 'assistant', content: 'hi! how can I help?' },
      ]);
      expect(await memory.reasoning.get('acme', expected.reasoningItem)).toMatchObject({ confidence: 0.6, evidenceRunIds: ['run-1', 'run-2'], antiPatterns: ['guessing the currency'] });
      expect((await memory.conversations.index({ tenant: 'acme', sessionId: 's1', messages: [{ role: 'user', content: 'We should move the deploy window to Wednesday mornings.' }] })).indexedChunks).toBe(0);
      // A save after the upgrade uses the new topic locks and merges into the old entry.
      const again = await memory.vault.save({ tenant: 'acme', content: 'The customer prefers invoices in euros, always.', scope: 'billing' });
      expect(again.entry.id).toBe(expected.vaultEntry);
    } finally {
      await memory.close();
    }
    const settings = await SqlVaultSettingsStore.open(file('vaults.sqlite'));
    const kv = await SqlKeyValueStore.open(file('vaults.sqlite'));
    const staging = await IngestStaging.open(file('vaults.sqlite'));
    const keys = await ApiKeyStore.open(file('api-keys.sqlite'));
    try {
      expect(await settings.get('docs')).toEqual({ personality: 'terse', promptTemplate: 'Context: {context}\nQ: {content}' });
      expect(await kv.list('docs')).toEqual([{ key: 'config', value: { lang: 'de', tags: ['a', 'b'] } }]);
      expect(await kv.get('account', 'counter')).toEqual({ found: true, value: 41 });
      expect(await staging.read('ingest-1', 0, 10)).toEqual([
        { idx: 0, text: 'first chunk' },
        { idx: 1, text: 'second chunk' },
      ]);
      expect(await keys.verify(expected.apiKey)).toEqual({ principal: { keyId: expected.apiKeyId, name: 'ops', grants: { vaults: { docs: 'write' }, flows: ['*'] } } });
      expect((await keys.get(expected.revokedKeyId))?.revokedAt).toBeTruthy();
    } finally {
      await Promise.all([settings.close(), kv.close(), staging.close(), keys.close()]);
    }
  });
});

describe.each([
  ['SQLite', async (): Promise<DatabaseTarget> => ({ kind: 'sqlite', file: path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'par-mig-')), 'api-keys.sqlite') })],
  ['PostgreSQL', async (): Promise<DatabaseTarget> => ({ kind: 'postgres', url: await freshPostgresUrl('migrations') })],
])('schema checks on %s', (_name, makeTarget) => {
  test('with auto-migration off a fresh database is refused, naming `par db migrate`', async () => {
    const target = await makeTarget();
    const refused = openStoreDatabase('keys', { target, env: { ...process.env, PAR_DATABASE_AUTO_MIGRATE: 'false' } });
    await expect(refused).rejects.toMatchObject({ code: 'schema_outdated', message: expect.stringMatching(/needs migrations 0001_keys_baseline, 0002_keys_unique_active_name, 0003_studio_signin_tokens; run `par db migrate`/) });
  });

  test('a database migrated by a newer PAR is refused, naming the unknown migration', async () => {
    const target = await makeTarget();
    const store = await openStoreDatabase('keys', { target });
    await sql`insert into ${sql.table(migrationTable('keys'))} (name, timestamp) values ('9999_from_the_future', '2030-01-01T00:00:00.000Z')`.execute(store.db);
    await store.release();
    const err = await openStoreDatabase('keys', { target }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatabaseError);
    expect(err).toMatchObject({ code: 'schema_newer', message: expect.stringMatching(/keys store in .* has migrations this PAR does not know \(9999_from_the_future\)/) });
  });
});

describe('PostgreSQL settings', () => {
  test('a bad URL and an unreachable server each stop with one message naming PAR_DATABASE_URL', async () => {
    await expect(openStoreDatabase('keys', { env: { ...process.env, PAR_DATABASE_URL: 'mysql://root@db/par' } })).rejects.toMatchObject({
      code: 'bad_url',
      message: expect.stringMatching(/^PAR_DATABASE_URL must be a postgres:\/\/ URL/),
    });
    await expect(openStoreDatabase('keys', { env: { ...process.env, PAR_DATABASE_URL: 'postgres://par:hunter2@127.0.0.1/' } })).rejects.toMatchObject({ code: 'bad_url' });
    const unreachable = await openStoreDatabase('keys', { env: { ...process.env, PAR_DATABASE_URL: 'postgres://par:hunter2@127.0.0.1:1/par' } }).catch((e: Error) => e);
    expect(unreachable).toMatchObject({ code: 'unreachable', message: expect.stringMatching(/^cannot use PostgreSQL at postgres:\/\/par:\*\*\*@127\.0\.0\.1:1\/par \(PAR_DATABASE_URL\): .*ECONNREFUSED/) });
    expect((unreachable as Error).message).not.toContain('hunter2');
  });

  test('the API process stops at start on an unreachable database, with one line naming it', () => {
    const r = spawnSync(process.execPath, [path.join(__dirname, '../../bin/run-ts.js'), 'client/api/main.ts'], {
      cwd: path.join(__dirname, '../..'),
      env: { ...process.env, PAR_DATABASE_URL: 'postgres://par@127.0.0.1:1/par', PAR_API_PORT: '1' },
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toMatch(/^\[api\] could not start: cannot use PostgreSQL at postgres:\/\/par@127\.0\.0\.1:1\/par \(PAR_DATABASE_URL\): connect ECONNREFUSED/);
  });

  test('five pools migrating one database at once apply each migration exactly once', async () => {
    const url = await freshPostgresUrl('concurrent_migrate');
    // Distinct URLs (application_name) so each gets its own pool and connections.
    const handles = await Promise.all([0, 1, 2, 3, 4].map((i) => openDatabase({ kind: 'postgres', url: `${url}?application_name=migrator${i}` })));
    try {
      await Promise.all(handles.flatMap((h) => STORE_GROUPS.map((g) => openStoreDatabase(g, { target: h.target }).then((s) => s.release()))));
      for (const group of STORE_GROUPS) {
        const status = await schemaStatus(handles[0], group);
        expect(status).toMatchObject({ state: 'current', applied: Object.keys(MIGRATIONS[group]).sort() });
      }
    } finally {
      await Promise.all(handles.map((h) => h.release()));
    }
  });
});
