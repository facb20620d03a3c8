import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleHeader, prebuiltBundle, WorkflowBundleError } from './workflow-bundle';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'par-bundle-'));
const write = (name: string, text: string) => {
  const f = path.join(dir, name);
  fs.writeFileSync(f, text);
  return f;
};

test('a bundle from the bundle script is used; a missing, foreign or untraced one is refused naming the fix', () => {
  const plain = write('plain.js', `${bundleHeader({ tracing: false })}var __TEMPORAL__;`);
  const traced = write('traced.js', `${bundleHeader({ tracing: true })}var __TEMPORAL__;`);
  expect(prebuiltBundle(plain, { tracing: false })).toEqual({ codePath: plain });
  expect(prebuiltBundle(traced, { tracing: true })).toEqual({ codePath: traced });
  expect(() => prebuiltBundle(plain, { tracing: true })).toThrow(/built without it: rebuild it with --tracing/);
  expect(() => prebuiltBundle(write('foreign.js', 'var __TEMPORAL__;'), { tracing: false })).toThrow(/was not made by scripts\/bundle-workflows\.ts/);
  expect(() => prebuiltBundle(path.join(dir, 'missing.js'), { tracing: false })).toThrow(WorkflowBundleError);
  expect(() => prebuiltBundle(path.join(dir, 'missing.js'), { tracing: false })).toThrow(/cannot be read \(ENOENT\): build it with/);
});
