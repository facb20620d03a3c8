/** @jest-environment ./test/memory/native-typed-arrays-environment.js */
import { MemoryInputError, MemoryNotFoundError } from '../../activities/memory/errors';
import { freshTenant, memoryTestServices } from './memory-test-services';

let s: Awaited<ReturnType<typeof memoryTestServices>>;
beforeAll(async () => {
  s = await memoryTestServices();
});
afterAll(async () => s?.close());

describe('Memory Vault', () => {
  test('save without an id adds an entry with the default scope "private", then search finds it', async () => {
    const tenant = freshTenant('add');
    const { plan, entry } = await s.vault.save({ tenant, content: 'Prefers dark mode in every editor' });
    expect(plan.action).toBe('add');
    expect(entry).toMatchObject({ id: plan.targetId, tenant, scope: 'private', content: 'Prefers dark mode in every editor', deleted: null });
    const { entries } = await s.vault.search({ tenant, query: 'which colour theme does the user like?' });
    expect(entries.map((e) => e.id)).toEqual([entry.id]);
    expect(entries[0].similarity).toBeGreaterThan(0.1);
  });

  test('a save on a topic already stored updates that entry instead of adding a second one', async () => {
    const tenant = freshTenant('dedupe');
    const first = await s.vault.save({ tenant, content: 'I am vegetarian' });
    await s.vault.save({ tenant, content: 'My budget for the trip is $5000' });
    const plan = await s.vault.planSave({ tenant, content: 'I am a vegetarian and do not eat meat' });
    expect(plan).toMatchObject({ action: 'update', targetId: first.entry.id, previousContent: 'I am vegetarian' });
    expect(plan.matchedSimilarity).toBeGreaterThan(0.5);
    await s.vault.commitSave(plan);
    const live = await s.vault.list({ tenant });
    expect(live).toHaveLength(2);
    expect(live.find((e) => e.id === first.entry.id)?.content).toBe('I am a vegetarian and do not eat meat');
  });

  // Held out: none of these pairs is in test/data/memory-merge-pairs.json, on which the thresholds were chosen.
  test.each([
    ['Has a peanut allergy.', 'Allergic to peanuts, including peanut oil.', 'update'],
    ['Yoga class is on Wednesday evenings.', 'Yoga moved to Thursday evenings.', 'update'],
    ['The user works remotely from Lisbon.', 'The user works remotely, based in Lisbon.', 'update'],
    ['The Paris trip budget is 3,000 euros.', 'The garden project budget is 3,000 euros.', 'add'],
    ["Omar's anniversary is on July 4.", "Keiko's anniversary is on July 4.", 'add'],
    ['Favourite film is Arrival.', 'Favourite sport is tennis.', 'add'],
    // A WordNet synonym in place of a word is the same value; another herb is not.
    ['Grows coriander on the balcony.', 'Grows cilantro on the balcony.', 'update'],
    ['Grows coriander on the balcony.', 'Grows basil on the balcony.', 'add'],
  ])('same-topic decision: %j then %j -> %s', async (first, second, action) => {
    const tenant = freshTenant('held-out');
    const saved = await s.vault.save({ tenant, content: first });
    const plan = await s.vault.planSave({ tenant, content: second });
    expect(plan.action).toBe(action);
    if (action === 'update') expect(plan.targetId).toBe(saved.entry.id);
  });

  test('the same-topic merge stays inside the scope', async () => {
    const tenant = freshTenant('dedupe-scope');
    await s.vault.save({ tenant, content: 'I am vegetarian' });
    const other = await s.vault.planSave({ tenant, content: 'I am vegetarian', scope: 'team' });
    expect(other.action).toBe('add');
  });

  test('save with an id updates that entry; an unknown id is a typed error and creates nothing', async () => {
    const tenant = freshTenant('by-id');
    const { entry } = await s.vault.save({ tenant, content: 'Works in Berlin' });
    const updated = await s.vault.update({ tenant, id: entry.id, content: 'Works in Munich since March' });
    expect(updated).toMatchObject({ id: entry.id, content: 'Works in Munich since March', created: entry.created });
    await expect(s.vault.planSave({ tenant, id: 'no-such-id', content: 'x y z' })).rejects.toThrow(MemoryNotFoundError);
    await expect(s.vault.planSave({ tenant, id: 'no-such-id', content: 'x y z' })).rejects.toThrow(/memory entry "no-such-id" does not exist/);
    expect(await s.vault.list({ tenant })).toHaveLength(1);
  });

  test('two-phase save: the plan writes nothing, and committing it twice writes once', async () => {
    const tenant = freshTenant('two-phase');
    const plan = await s.vault.planSave({ tenant, content: 'Allergic to peanuts', scope: 'health' });
    expect(plan).toMatchObject({ action: 'add', scope: 'health' });
    expect(await s.vault.list({ tenant })).toHaveLength(0);
    const a = await s.vault.commitSave(plan);
    const b = await s.vault.commitSave(plan);
    expect(b).toEqual(a);
    expect(await s.vault.list({ tenant })).toHaveLength(1);
    expect((await s.vault.search({ tenant, query: 'peanut allergy' })).entries).toHaveLength(1);
  });

  test('a retried update commit does not overwrite a newer edit', async () => {
    const tenant = freshTenant('retry-update');
    const { entry } = await s.vault.save({ tenant, content: 'Timezone is CET' });
    const plan = await s.vault.planSave({ tenant, id: entry.id, content: 'Timezone is PST' });
    await s.vault.commitSave(plan);
    await s.vault.update({ tenant, id: entry.id, content: 'Timezone is JST' });
    const again = await s.vault.commitSave(plan);
    expect(again.content).toBe('Timezone is JST');
  });

  test('soft delete hides an entry from search and list; restore brings it back', async () => {
    const tenant = freshTenant('delete');
    const { entry } = await s.vault.save({ tenant, content: 'Has a dog called Rex' });
    const deleted = await s.vault.delete({ tenant, id: entry.id });
    expect(deleted.deleted).not.toBeNull();
    expect(await s.vault.list({ tenant })).toHaveLength(0);
    expect((await s.vault.list({ tenant, deleted: true })).map((e) => e.id)).toEqual([entry.id]);
    expect((await s.vault.search({ tenant, query: 'pet dog name' })).entries).toHaveLength(0);
    await expect(s.vault.planSave({ tenant, id: entry.id, content: 'Has two dogs' })).rejects.toThrow(/is deleted/);
    const restored = await s.vault.restore({ tenant, id: entry.id });
    expect(restored).toMatchObject({ deleted: null, content: 'Has a dog called Rex' });
    expect((await s.vault.search({ tenant, query: 'pet dog name' })).entries.map((e) => e.id)).toEqual([entry.id]);
    await expect(s.vault.delete({ tenant, id: 'missing' })).rejects.toThrow(MemoryNotFoundError);
  });

  test('search keeps to the asked scopes, and to all scopes when none are given', async () => {
    const tenant = freshTenant('scopes');
    const priv = await s.vault.create({ tenant, content: 'Likes hiking in the Alps' });
    const team = await s.vault.create({ tenant, content: 'The team hikes every Friday', scope: 'team' });
    const all = await s.vault.search({ tenant, query: 'hiking' });
    expect(all.entries.map((e) => e.id).sort()).toEqual([priv.id, team.id].sort());
    const onlyTeam = await s.vault.search({ tenant, query: 'hiking', scopes: ['team'] });
    expect(onlyTeam.entries.map((e) => e.id)).toEqual([team.id]);
    expect((await s.vault.list({ tenant, scope: 'team' })).map((e) => e.id)).toEqual([team.id]);
  });

  test("one tenant's entries never come back to another, even for identical text", async () => {
    const alice = freshTenant('alice');
    const bob = freshTenant('bob');
    const a = await s.vault.save({ tenant: alice, content: 'My bank PIN hint is the cat birthday' });
    expect((await s.vault.search({ tenant: bob, query: 'My bank PIN hint is the cat birthday' })).entries).toEqual([]);
    expect(await s.vault.list({ tenant: bob })).toEqual([]);
    // Same text in Bob's vault is a new entry, not an update of Alice's.
    const b = await s.vault.save({ tenant: bob, content: 'My bank PIN hint is the cat birthday' });
    expect(b.plan.action).toBe('add');
    await expect(s.vault.planSave({ tenant: bob, id: a.entry.id, content: 'stolen' })).rejects.toThrow(MemoryNotFoundError);
    await expect(s.vault.delete({ tenant: bob, id: a.entry.id })).rejects.toThrow(MemoryNotFoundError);
    const aliceHits = await s.vault.search({ tenant: alice, query: 'bank PIN' });
    expect(aliceHits.entries.map((e) => e.tenant)).toEqual([alice]);
  });

  test('limit defaults to 5 and is capped at 20; minSimilarity drops weak matches', async () => {
    const tenant = freshTenant('limits');
    for (let i = 0; i < 24; i++) await s.vault.create({ tenant, content: `Project note number ${i}: milestone ${i} is due in week ${i + 1}` });
    expect((await s.vault.search({ tenant, query: 'project milestone due date', minSimilarity: 0 })).entries).toHaveLength(5);
    expect((await s.vault.search({ tenant, query: 'project milestone due date', limit: 100, minSimilarity: 0 })).entries).toHaveLength(20);
    expect((await s.vault.search({ tenant, query: 'project milestone due date', minSimilarity: 0.99 })).entries).toHaveLength(0);
  });

  test('bulk import adds every text as its own entry, searchable at once', async () => {
    const tenant = freshTenant('import');
    const ids = await s.vault.importEntries({ tenant, scope: 'imported', contents: ['Owns a red bicycle', 'Owns a red bicycle', 'Speaks Portuguese'] }, 2);
    expect(new Set(ids).size).toBe(3);
    expect(await s.vault.list({ tenant, scope: 'imported' })).toHaveLength(3);
    expect((await s.vault.search({ tenant, query: 'which languages does the user speak?', limit: 1 })).entries[0].id).toBe(ids[2]);
  });

  test('bad input is a typed error naming the field', async () => {
    await expect(s.vault.planSave({ tenant: 't', content: '   ' })).rejects.toThrow(new MemoryInputError('content', 'must not be empty'));
    await expect(s.vault.search({ tenant: 't', query: 'x', limit: 0 })).rejects.toThrow(/limit must be a positive integer/);
    await expect(s.vault.commitSave({ planId: 'p', tenant: 't', action: 'merge' as 'add', targetId: 'x', content: 'c', scope: 's' })).rejects.toThrow(/plan.action/);
  });
});
