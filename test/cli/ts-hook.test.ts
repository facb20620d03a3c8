// bin/ts-hook.js: how `par`, the worker, the API and every script load the project's TypeScript.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

/** Runs `script` in a fresh node with the hook loaded and a cache folder of its own; returns its JSON answer. */
function probe(cacheDir: string, script: string): Record<string, unknown> {
  const r = spawnSync(process.execPath, ['-e', `require('./bin/ts-hook'); ${script}`], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, PAR_TS_CACHE_DIR: cacheDir } });
  if (r.status !== 0) throw new Error(`node exited ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

const loadsEsbuild = 'Object.keys(require.cache).some((k) => k.includes("/node_modules/esbuild/"))';

test('TypeScript loads by require: .ts before .json, function names kept, and a second start compiles nothing', () => {
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'par-ts-cache-'));
  try {
    const script = `
      const openapi = require('./client/api/openapi');
      const { flowWorkflow } = require('./workflows');
      console.log(JSON.stringify({ loadOpenApi: typeof openapi.loadOpenApi, workflowName: flowWorkflow.name, esbuild: ${loadsEsbuild} }));`;
    const first = probe(cacheDir, script);
    // './openapi' is the module, not client/api/openapi.json beside it.
    expect(first.loadOpenApi).toBe('function');
    // A workflow started by typed reference is named by its function: compiling must not rename it.
    expect(first.workflowName).toBe('flowWorkflow');
    expect(first.esbuild).toBe(true);
    expect(fs.readdirSync(cacheDir).length).toBeGreaterThan(0);
    // The same sources again: everything comes from the cache, and esbuild is never loaded.
    expect(probe(cacheDir, script)).toEqual({ ...first, esbuild: false });
  } finally {
    fs.rmSync(cacheDir, { recursive: true, force: true });
  }
});

test('an error in compiled code points at the TypeScript source line', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'par-ts-src-'));
  try {
    const file = path.join(dir, 'fails.ts');
    fs.writeFileSync(file, ['type Shape = { width: number };', '', 'export function fail(s: Shape): never {', '  throw new Error(`bad width ${s.width}`);', '}', ''].join('\n'));
    const out = probe(path.join(dir, 'cache'), `try { require(${JSON.stringify(file)}).fail({ width: 3 }); } catch (e) { console.log(JSON.stringify({ stack: e.stack })); }`);
    expect(out.stack).toMatch(/bad width 3/);
    expect(out.stack).toContain(`${file}:4:`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
