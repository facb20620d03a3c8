import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ParError } from '../../workflows/errors';
import { readableByOthers, SANDBOX_UID } from './isolation';
import type { SandboxFiles } from './sandbox';

// A sandbox run by root drops to uid 65534, which must be able to read Pyodide, the sandbox's two
// files and the node binary. A checkout under /root or in a `mktemp -d` folder (mode 0700) hides
// them from that uid, so the files are staged in a world-readable folder under the OS temp dir,
// named by their content (every worker of the same code shares one copy) and made atomically (a
// rename of a finished folder: no sandbox ever sees half a copy).

const STAGE_PREFIX = 'par-act-files-';

export class SandboxStagingError extends ParError {
  override name = 'SandboxStagingError';
  readonly code = 'sandbox_unavailable';
  override readonly retryable = true;
}

function filesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

function contentKey(files: SandboxFiles, nodeBinary: string | undefined): string {
  const h = crypto.createHash('sha256');
  for (const rel of filesUnder(files.pyodideDir)) h.update(`pyodide/${rel}\0`).update(fs.readFileSync(path.join(files.pyodideDir, rel)));
  h.update('\0child\0').update(fs.readFileSync(files.childScript));
  h.update('\0prelude\0').update(fs.readFileSync(files.prelude));
  if (nodeBinary) {
    // 100 MB: its version, size and time stand for its content.
    const st = fs.statSync(nodeBinary);
    h.update(`\0node\0${process.version}\0${st.size}\0${st.mtimeMs}`);
  }
  return h.digest('hex').slice(0, 20);
}

function copyReadable(from: string, to: string, mode: number): void {
  fs.mkdirSync(path.dirname(to), { recursive: true, mode: 0o755 });
  fs.copyFileSync(from, to);
  fs.chmodSync(to, mode);
}

/** A finished stage folder that this uid made and nobody else can have changed since. */
function trustedStage(dir: string): boolean {
  try {
    const st = fs.lstatSync(dir);
    const uid = typeof process.getuid === 'function' ? process.getuid() : st.uid;
    return st.isDirectory() && st.uid === uid && (st.mode & 0o022) === 0 && fs.existsSync(path.join(dir, '.complete'));
  } catch {
    return false;
  }
}

function stagedPaths(dir: string, files: SandboxFiles, withNode: boolean): SandboxFiles {
  return {
    ...files,
    pyodideDir: path.join(dir, 'pyodide'),
    childScript: path.join(dir, path.basename(files.childScript)),
    prelude: path.join(dir, path.basename(files.prelude)),
    ...(withNode ? { nodeBinary: path.join(dir, 'node') } : {}),
  };
}

/**
 * A temp folder the sandbox's uid can pass through: the OS temp dir, else the usual system ones
 * (a worker may run with TMPDIR set to a private folder). Undefined when there is none.
 */
export function sandboxTempDir(candidates: string[] = [os.tmpdir(), '/tmp', '/var/tmp', '/dev/shm']): string | undefined {
  return candidates.find((dir) => {
    try {
      fs.accessSync(dir, fs.constants.W_OK | fs.constants.X_OK);
      return readableByOthers(dir);
    } catch {
      return false;
    }
  });
}

/**
 * The files a sandbox reads, where the sandbox's uid can read them. When the worker is not root
 * (the sandbox keeps the worker's uid) or every file is readable already, they stay where they
 * are; otherwise they are staged under `tmpDir` (default: sandboxTempDir()) once per content.
 */
export function sandboxReadableFiles(files: SandboxFiles, opts: { tmpDir?: string; asRoot?: boolean } = {}): SandboxFiles {
  const asRoot = opts.asRoot ?? (typeof process.getuid === 'function' && process.getuid() === 0);
  if (!asRoot || process.platform !== 'linux') return files;
  const node = files.nodeBinary ?? process.execPath;
  const nodeHidden = !readableByOthers(node);
  const hidden = [files.pyodideDir, files.childScript, files.prelude].some((f) => !readableByOthers(f));
  if (!hidden && !nodeHidden) return files;
  const tmpDir = sandboxTempDir(opts.tmpDir ? [opts.tmpDir] : undefined);
  if (!tmpDir) {
    throw new SandboxStagingError(
      `act sandboxes run as uid ${SANDBOX_UID}, which cannot read ${hidden ? files.pyodideDir : node}, and no temp folder where PAR would stage a readable copy (${opts.tmpDir ?? `${os.tmpdir()}, /tmp, /var/tmp`}) is open to that uid either. ` +
        'Point TMPDIR at a folder that others may traverse (mode 1777 or 0755, as /tmp is), or install PAR where uid 65534 can read it.',
    );
  }
  const dir = path.join(tmpDir, `${STAGE_PREFIX}${process.getuid!()}-${contentKey(files, nodeHidden ? node : undefined)}`);
  if (trustedStage(dir)) return stagedPaths(dir, files, nodeHidden);
  if (fs.existsSync(dir)) fs.rmSync(dir, { recursive: true, force: true }); // an unfinished or foreign folder
  const work = fs.mkdtempSync(path.join(tmpDir, `${STAGE_PREFIX}tmp-`));
  try {
    fs.chmodSync(work, 0o755);
    for (const rel of filesUnder(files.pyodideDir)) copyReadable(path.join(files.pyodideDir, rel), path.join(work, 'pyodide', rel), 0o644);
    copyReadable(files.childScript, path.join(work, path.basename(files.childScript)), 0o644);
    copyReadable(files.prelude, path.join(work, path.basename(files.prelude)), 0o644);
    if (nodeHidden) copyReadable(node, path.join(work, 'node'), 0o755);
    fs.writeFileSync(path.join(work, '.complete'), '', { mode: 0o644 });
    try {
      fs.renameSync(work, dir);
    } catch (err) {
      // Another worker staged the same content first: use its copy.
      if (!['EEXIST', 'ENOTEMPTY'].includes((err as NodeJS.ErrnoException).code ?? '') || !trustedStage(dir)) throw err;
      fs.rmSync(work, { recursive: true, force: true });
    }
  } catch (err) {
    fs.rmSync(work, { recursive: true, force: true });
    if (err instanceof SandboxStagingError) throw err;
    throw new SandboxStagingError(`staging the act sandbox's files in ${tmpDir} failed: ${(err as Error).message}`);
  }
  return stagedPaths(dir, files, nodeHidden);
}
