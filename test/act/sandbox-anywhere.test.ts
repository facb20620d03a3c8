// Act sandboxes work wherever PAR is installed: a checkout (and a node binary) in a folder the
// sandbox's uid cannot enter, such as a `mktemp -d` folder or /root, is staged where that uid can
// read it; a temp folder closed to it too gives an error that says what to change.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createActActivities } from '../../activities/act/activities';
import { loadActConfig } from '../../activities/act/config';
import { detectIsolation, readableByOthers } from '../../activities/act/isolation';
import { defaultSandboxFiles, SandboxPool } from '../../activities/act/pool';
import type { SandboxFiles } from '../../activities/act/sandbox';
import { sandboxReadableFiles, SandboxStagingError, sandboxTempDir } from '../../activities/act/staging';
import { recordingHost } from './act-fixture';

const asRoot = process.getuid?.() === 0;

/** A copy of what a sandbox reads, laid out as in a checkout, inside a mode-0700 folder. */
function privateCheckout(dir: string): SandboxFiles {
  const shipped = defaultSandboxFiles();
  const checkout = path.join(dir, 'checkout');
  fs.cpSync(shipped.pyodideDir, path.join(checkout, 'node_modules/pyodide'), { recursive: true });
  fs.mkdirSync(path.join(checkout, 'activities/act'), { recursive: true });
  fs.copyFileSync(shipped.childScript, path.join(checkout, 'activities/act/sandbox-child.js'));
  fs.copyFileSync(shipped.prelude, path.join(checkout, 'activities/act/sandbox-prelude.py'));
  // A node binary of its own there too (as with nvm under /root); a hard link shares its time,
  // so the staged copy is found again on the next run.
  const node = path.join(dir, 'node');
  try {
    fs.linkSync(process.execPath, node);
  } catch {
    fs.copyFileSync(process.execPath, node);
    const st = fs.statSync(process.execPath);
    fs.utimesSync(node, st.atime, st.mtime);
  }
  return {
    pyodideDir: path.join(checkout, 'node_modules/pyodide'),
    childScript: path.join(checkout, 'activities/act/sandbox-child.js'),
    prelude: path.join(checkout, 'activities/act/sandbox-prelude.py'),
    nodeBinary: node,
  };
}

describe('act sandboxes from a checkout the sandbox user cannot read', () => {
  let dir: string;
  let files: SandboxFiles;
  let pool: SandboxPool | undefined;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'par-private-checkout-'));
    fs.chmodSync(dir, 0o700);
    files = privateCheckout(dir);
  });
  afterAll(async () => {
    await pool?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the checkout is closed to others, and used as it is the wrapper says who cannot read what', () => {
    expect(readableByOthers(files.childScript)).toBe(false);
    expect(readableByOthers(files.nodeBinary!)).toBe(false);
    const isolation = detectIsolation([files.pyodideDir, files.childScript, files.prelude], files.nodeBinary);
    if (asRoot) {
      expect(isolation.mode).toBe('permission-only');
      expect(isolation.unavailableReason).toMatch(/uid 65534, which cannot read .*par-private-checkout-.*node/);
      expect(isolation.unavailableReason).not.toMatch(/Node\.js v\d/);
    } else {
      // Without root the sandbox keeps the worker's uid, which reads the checkout.
      expect(isolation.mode).toBe('namespaces');
    }
  });

  test('staged files are readable by others, shared by content, and complete', () => {
    const staged = sandboxReadableFiles(files);
    if (!asRoot) return expect(staged).toEqual(files);
    for (const f of [staged.pyodideDir, staged.childScript, staged.prelude, staged.nodeBinary!]) expect(readableByOthers(f)).toBe(true);
    expect(path.dirname(staged.childScript).startsWith(os.tmpdir())).toBe(true);
    expect(fs.statSync(path.dirname(staged.childScript)).mode & 0o777).toBe(0o755);
    expect(fs.readFileSync(staged.prelude, 'utf8')).toBe(fs.readFileSync(files.prelude, 'utf8'));
    expect(fs.readdirSync(staged.pyodideDir).sort()).toEqual(fs.readdirSync(files.pyodideDir).sort());
    expect(sandboxReadableFiles(files)).toEqual(staged);
  });

  test('an act run from that checkout runs in full isolation and saves its variables', async () => {
    const config = loadActConfig({ PAR_ACT_POOL_SIZE: '1' });
    pool = new SandboxPool(config, { files });
    const { actRun } = createActActivities({ config, pool, host: recordingHost() });
    const result = await actRun({ code: 'import os\nsave["sum"] = 40 + 2\nprint("ran as", os.getcwd())', variables: {}, message: '', history: [], runId: 'anywhere-1' });
    expect(result.error).toBeUndefined();
    expect(result.ok).toBe(true);
    expect(result.saved).toEqual({ sum: 42 });
    expect(pool.stats().isolation).toMatch(/no network/);
    if (asRoot) expect(pool.stats().isolation).toMatch(/uid 65534/);
  }, 180_000);

  test('a temp folder closed to the sandbox user too: the error says what to change', () => {
    if (!asRoot) return;
    expect(() => sandboxReadableFiles(files, { tmpDir: dir })).toThrow(SandboxStagingError);
    expect(() => sandboxReadableFiles(files, { tmpDir: dir })).toThrow(/uid 65534.*Point TMPDIR at a folder that others may traverse/);
  });

  test('a worker whose TMPDIR is private stages in the system temp folder instead', () => {
    expect(sandboxTempDir([dir, '/tmp'])).toBe('/tmp');
    expect(sandboxTempDir([dir])).toBeUndefined();
  });
});
