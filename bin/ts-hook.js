'use strict';
// Lets `require` load the project's TypeScript: each .ts file is compiled to CommonJS by esbuild
// (types stripped, nothing checked; `npm run typecheck` does that) and the result is kept in
// node_modules/.cache/par-ts, keyed by the source's hash, so a second start compiles nothing.
//
// Why not tsx's hook (used before): it also inspects every JavaScript file that is required,
// including the ~1,000 modules of the SDKs the CLI loads, which doubled a command's start time
// (`par --help` 3.3 s, of which about half in the hook). This one touches only .ts files.
const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');
const Module = require('node:module');

const ROOT = path.resolve(__dirname, '..');
const CACHE_DIR = process.env.PAR_TS_CACHE_DIR || path.join(ROOT, 'node_modules', '.cache', 'par-ts');
let esbuild;
let esbuildVersion;

const OPTIONS = {
  loader: 'ts',
  format: 'cjs',
  target: 'node20',
  sourcemap: 'inline',
  // Functions keep their names: a workflow started by typed reference is named by its function's
  // name, which esbuild would otherwise rename where two modules' names collide.
  keepNames: true,
  tsconfigRaw: { compilerOptions: { esModuleInterop: true, useDefineForClassFields: true } },
};

function compile(source, filename) {
  // The version names the compiler in the cache key; reading it does not load esbuild itself.
  esbuildVersion ??= JSON.parse(fs.readFileSync(require.resolve('esbuild/package.json'), 'utf8')).version;
  const key = crypto.createHash('sha256').update(`${esbuildVersion}\0${JSON.stringify(OPTIONS)}\0${filename}\0${source}`).digest('hex');
  const cached = path.join(CACHE_DIR, key.slice(0, 2), `${key}.js`);
  try {
    return fs.readFileSync(cached, 'utf8');
  } catch {
    // not compiled yet
  }
  esbuild ??= require('esbuild');
  const { code } = esbuild.transformSync(source, { ...OPTIONS, sourcefile: filename });
  try {
    // Written aside and renamed, so a process reading the cache never sees half a file.
    fs.mkdirSync(path.dirname(cached), { recursive: true });
    const tmp = `${cached}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, code);
    fs.renameSync(tmp, cached);
  } catch {
    // A read-only tree still runs; it compiles again next time.
  }
  return code;
}

if (!Module._extensions['.ts']) {
  // Extensionless requests try the extensions in this object's order: .ts goes before .json, so
  // './openapi' is client/api/openapi.ts, not the openapi.json document beside it.
  const { '.js': js, ...rest } = Module._extensions;
  for (const ext of Object.keys(rest)) delete Module._extensions[ext];
  Module._extensions['.ts'] = function loadTypeScript(module, filename) {
    module._compile(compile(fs.readFileSync(filename, 'utf8'), filename), filename);
  };
  Object.assign(Module._extensions, rest);
  // Stack traces point at the TypeScript lines (the compiled code carries its source map).
  process.setSourceMapsEnabled(true);
}
