/** @jest-environment ./test/memory/native-typed-arrays-environment.js */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { createMemoryActivities } from '../../activities/memory/activities';
import { EmbeddedVectorStore } from '../../activities/vectors';
import { sharedEmbedder } from './memory-test-services';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'par-memory-acts-'));
let embedderCalls = 0;
const acts = createMemoryActivities({
  dbFile: path.join(dir, 'memory.sqlite'),
  embedder: async () => {
    embedderCalls++;
    return sharedEmbedder();
  },
  vectorStore: () => new EmbeddedVectorStore(path.join(dir, 'vectors.sqlite')),
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

test('the engine path: plan, commit (twice, as a retry would), search; stores open once per process', async () => {
  const plan = await acts.memoryVaultPlanSave({ tenant: 'acme', content: 'Ships only to EU countries' });
  const entry = await acts.memoryVaultCommitSave(plan);
  expect(await acts.memoryVaultCommitSave(plan)).toEqual(entry);
  const { entries } = await acts.memoryVaultSearch({ tenant: 'acme', query: 'where do we ship?' });
  expect(entries.map((e) => e.id)).toEqual([entry.id]);
  expect((await acts.memoryVaultList({ tenant: 'acme' })).length).toBe(1);
  await acts.factPut({ tenant: 'acme', namespace: 'ns', key: 'k', value: [1, 2] });
  expect(await acts.factGet({ tenant: 'acme', namespace: 'ns', key: 'k' })).toMatchObject({ value: [1, 2] });
  expect(await acts.factGet({ tenant: 'acme', namespace: 'ns', key: 'nope' })).toBeNull();
  expect(embedderCalls).toBe(1);
});

test('bad input and unknown ids leave as non-retryable ApplicationFailures typed by the error class', async () => {
  const err = await acts.memoryVaultPlanSave({ tenant: 'acme', id: 'ghost', content: 'x' }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ApplicationFailure);
  expect(err).toMatchObject({ type: 'MemoryNotFoundError', nonRetryable: true, message: expect.stringContaining('"ghost"') });
  const bad = await acts.memoryVaultSearch({ tenant: 'acme', query: '' }).catch((e: unknown) => e);
  expect(bad).toMatchObject({ type: 'MemoryInputError', nonRetryable: true, message: 'query must not be empty' });
});
