import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_WORKER_TUNING, loadWorkerTuning } from '../../workers/config';
import { devServerArgs, FILE_SQLITE_PRAGMAS } from '../../scripts/temporal-dev-server';
import { FlowRegistry } from '../../client/services/flow-registry';

describe('worker tuning from the environment', () => {
  test('defaults bound the cache; settings override them', () => {
    expect(loadWorkerTuning({})).toEqual(DEFAULT_WORKER_TUNING);
    expect(loadWorkerTuning({ PAR_WORKER_MAX_CACHED_WORKFLOWS: '1000', PAR_WORKER_NON_STICKY_POLL_RATIO: '1' })).toMatchObject({ maxCachedWorkflows: 1000, nonStickyToStickyPollRatio: 1 });
  });

  test('a bad value is refused, naming the variable', () => {
    expect(() => loadWorkerTuning({ PAR_WORKER_MAX_CACHED_WORKFLOWS: 'lots' })).toThrow(/PAR_WORKER_MAX_CACHED_WORKFLOWS=lots must be a whole number/);
    expect(() => loadWorkerTuning({ PAR_WORKER_NON_STICKY_POLL_RATIO: '2' })).toThrow(/PAR_WORKER_NON_STICKY_POLL_RATIO=2/);
    expect(() => loadWorkerTuning({ PAR_WORKER_WORKFLOW_POLLERS: '1' })).toThrow(/PAR_WORKER_WORKFLOW_POLLERS=1 must be at least 2/);
  });

  test('concurrency never exceeds what the cache can hold', () => {
    expect(loadWorkerTuning({ PAR_WORKER_MAX_CACHED_WORKFLOWS: '10' })).toMatchObject({ maxCachedWorkflows: 10, maxConcurrentWorkflowTaskExecutions: 10, maxConcurrentWorkflowTaskPolls: 10 });
  });
});

test('the file-backed dev server runs SQLite in WAL mode with synchronous=NORMAL and one task queue partition', () => {
  const args = devServerArgs({ cli: 'temporal', port: 7233, dbFile: '/x/temporal.sqlite' }).join(' ');
  for (const p of FILE_SQLITE_PRAGMAS) expect(args).toContain(`--sqlite-pragma ${p}`);
  expect(args).toContain('--dynamic-config-value matching.numTaskqueueReadPartitions=1');
  expect(devServerArgs({ cli: 'temporal', port: 7233, fastSqlite: true }).join(' ')).toContain('synchronous=OFF');
});

test('the flow registry reuses a parsed and validated flow until its file changes', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'par-registry-'));
  const file = path.join(dir, 'greet.json');
  const flow = (text: string) => JSON.stringify({ id: 'greet', version: '1', nodes: [{ id: 'start', type: 'start', outputs: { next: 'end' } }, { id: 'end', type: 'end', params: { text } }] });
  fs.writeFileSync(file, flow('hi'));
  const registry = new FlowRegistry([dir]);
  const first = registry.prepare('greet');
  expect(registry.prepare('greet').definition).toBe(first.definition);
  fs.writeFileSync(file, flow('hello there'));
  const changed = registry.prepare('greet');
  expect(changed.definition).not.toBe(first.definition);
  expect(changed.definition.nodes[1].params).toEqual({ text: 'hello there' });
  fs.writeFileSync(file, JSON.stringify({ id: 'greet', version: '1', nodes: [{ id: 'start', type: 'start', outputs: { next: 'nowhere' } }] }));
  expect(() => registry.prepare('greet')).toThrow(/nowhere/);
});
