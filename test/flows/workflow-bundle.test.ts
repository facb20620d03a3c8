// The worker's cached workflow bundle: reused while the workflow code is unchanged, rebuilt when
// it changes, and still usable when the cache cannot be written.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadWorkflowBundle, workflowBundleKey } from '../../workers/workflow-bundle';
import { TRACING_WORKFLOW_MODULES } from '../../workers/telemetry';

const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} } as never;

test('a second load of an unchanged workflow code takes the cached file, which holds the workflows', async () => {
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'par-bundle-'));
  const first = await loadWorkflowBundle({ cacheDir, logger: quiet });
  expect(first.cached).toBe(false);
  expect(first.file && path.dirname(first.file)).toBe(cacheDir);
  const second = await loadWorkflowBundle({ cacheDir, logger: quiet });
  expect(second).toEqual({ bundle: { codePath: first.file }, cached: true, file: first.file });
  // The flow workflow is in it (the bundle is the real one, not an empty file).
  expect(fs.readFileSync(first.file!, 'utf8')).toContain('flowWorkflow');
  expect(fs.readdirSync(cacheDir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
}, 120_000);

test('the key changes with the bundling options, so a traced worker never gets an untraced bundle', () => {
  expect(workflowBundleKey()).toBe(workflowBundleKey());
  expect(workflowBundleKey(TRACING_WORKFLOW_MODULES)).not.toBe(workflowBundleKey());
});

test('a cache that cannot be written still gives a bundle, built in memory', async () => {
  const blocker = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'par-bundle-')), 'a-file');
  fs.writeFileSync(blocker, 'not a folder');
  const loaded = await loadWorkflowBundle({ cacheDir: path.join(blocker, 'cache'), logger: quiet });
  expect(loaded.cached).toBe(false);
  expect(loaded.file).toBeUndefined();
  expect((loaded.bundle as { code: string }).code).toContain('flowWorkflow');
}, 120_000);
