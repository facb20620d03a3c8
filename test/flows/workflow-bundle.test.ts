// The worker's workflow bundle: a prebuilt one is checked before use; otherwise a cached one is
// reused while the workflow code is unchanged, and a cache that cannot be written still works.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import { bundleHeader, loadWorkflowBundle, prebuiltBundle, workflowBundleKey, WorkflowBundleError } from '../../workers/workflow-bundle';

const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} } as never;
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'par-bundle-'));

test('a bundle from the bundle script is used; a missing, foreign or untraced one is refused naming the fix', () => {
  const dir = tmp();
  const write = (name: string, text: string) => {
    const f = path.join(dir, name);
    fs.writeFileSync(f, text);
    return f;
  };
  const plain = write('plain.js', `${bundleHeader({ tracing: false })}var __TEMPORAL__;`);
  const traced = write('traced.js', `${bundleHeader({ tracing: true })}var __TEMPORAL__;`);
  expect(prebuiltBundle(plain, { tracing: false })).toEqual({ codePath: plain });
  expect(prebuiltBundle(traced, { tracing: true })).toEqual({ codePath: traced });
  expect(() => prebuiltBundle(plain, { tracing: true })).toThrow(/built without it: rebuild it with --tracing/);
  expect(() => prebuiltBundle(write('foreign.js', 'var __TEMPORAL__;'), { tracing: false })).toThrow(/was not made by scripts\/bundle-workflows\.ts/);
  expect(() => prebuiltBundle(path.join(dir, 'missing.js'), { tracing: false })).toThrow(WorkflowBundleError);
  expect(() => prebuiltBundle(path.join(dir, 'missing.js'), { tracing: false })).toThrow(/cannot be read \(ENOENT\): build it with/);
});

test('a second load of unchanged workflow code takes the cached file, which holds the workflows and the header', async () => {
  const cacheDir = tmp();
  const first = await loadWorkflowBundle({ tracing: false, cacheDir, logger: quiet });
  expect(first.source).toBe('built');
  expect(first.file && path.dirname(first.file)).toBe(cacheDir);
  const second = await loadWorkflowBundle({ tracing: false, cacheDir, logger: quiet });
  expect(second).toEqual({ bundle: { codePath: first.file }, source: 'cache', file: first.file });
  const text = fs.readFileSync(first.file!, 'utf8');
  expect(text.startsWith(bundleHeader({ tracing: false }))).toBe(true);
  expect(text).toContain('flowWorkflow');
  // The cached file is also a valid prebuilt bundle (the tests' worker processes load it so).
  expect(prebuiltBundle(first.file!, { tracing: false })).toEqual({ codePath: first.file });
  expect(fs.readdirSync(cacheDir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
}, 120_000);

test('the key changes with tracing, so a traced worker never gets an untraced bundle', () => {
  expect(workflowBundleKey({ tracing: false })).toBe(workflowBundleKey({ tracing: false }));
  expect(workflowBundleKey({ tracing: true })).not.toBe(workflowBundleKey({ tracing: false }));
});

test('a cache that cannot be written still gives a bundle, built in memory', async () => {
  const blocker = path.join(tmp(), 'a-file');
  fs.writeFileSync(blocker, 'not a folder');
  const loaded = await loadWorkflowBundle({ tracing: false, cacheDir: path.join(blocker, 'cache'), logger: quiet });
  expect(loaded.source).toBe('built');
  expect(loaded.file).toBeUndefined();
  expect((loaded.bundle as { code: string }).code).toContain('flowWorkflow');
});

describe('modules preloaded into the workflow sandbox', () => {
  // The worker evaluates the workflow modules once and shares them, deep-frozen, between runs
  // (workflowBundleOptions). Frozen objects refuse writes, but a module-level `let`, or a Map or
  // Set made at module level (freezing does not stop Map.set), would carry state from one run into
  // the next.
  const ALLOWED = new Set([
    // Activity proxies made on first use; they hold options only and find the current run when called.
    'workflows/flow/activities.ts:models',
    'workflows/flow/activities.ts:vaults',
    'workflows/flow/activities.ts:memory',
    'workflows/flow/activities.ts:local',
  ]);
  let text: string;
  beforeAll(async () => {
    // The worker's own bundle: the default cache, which the test set-up has already filled.
    const loaded = await loadWorkflowBundle({ tracing: false, logger: quiet });
    text = loaded.file ? fs.readFileSync(loaded.file, 'utf8') : (loaded.bundle as { code: string }).code;
  }, 120_000);

  it('preloads the workflows entry point', () => {
    const preload = /exports\.preloadModules = function preloadModules\(\) \{([^}]*)\}/.exec(text);
    expect(preload?.[1]).toContain('workflows');
  });

  it('keeps no per-run state at module level in any of the project files bundled', () => {
    const root = path.resolve(__dirname, '../..');
    const files = [...new Set([...text.matchAll(/^\/\*\*\*\/ "\.\/((?:workflows|activities)\/[^"]+\.ts)"$/gm)].map((m) => m[1]))];
    expect(files).toEqual(expect.arrayContaining(['workflows/flow-workflow.ts', 'workflows/flow/run-engine.ts']));
    const found: string[] = [];
    for (const file of files) {
      const source = ts.createSourceFile(file, fs.readFileSync(path.join(root, file), 'utf8'), ts.ScriptTarget.Latest);
      for (const statement of source.statements) {
        if (!ts.isVariableStatement(statement)) continue;
        const mutable = (statement.declarationList.flags & (ts.NodeFlags.Let | ts.NodeFlags.Const)) !== ts.NodeFlags.Const;
        for (const d of statement.declarationList.declarations) {
          const init = d.initializer;
          // A collection typed ReadonlySet or ReadonlyMap is a lookup table the compiler keeps unwritten.
          const readonly = d.type !== undefined && /^Readonly(Set|Map)</.test(d.type.getText(source));
          const collection = init && ts.isNewExpression(init) && /^(Map|Set|WeakMap|WeakSet)$/.test(init.expression.getText(source)) && !readonly;
          if (mutable || collection) found.push(`${file}:${d.name.getText(source)}`);
        }
      }
    }
    expect(found.filter((f) => !ALLOWED.has(f))).toEqual([]);
  });
});
