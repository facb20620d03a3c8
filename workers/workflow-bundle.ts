// The worker's workflow bundle, built once per change of the code it is made from.
//
// Webpack takes seconds (≈ 4 s on a quiet 2-core machine, 10 s loaded) at every worker start: at
// `npm start`, at each crash restart, in every test that starts a stack. The bundle depends only on
// the sources it is built from, the installed packages and the bundling options, so it is cached
// under a hash of those. The same bytes as a fresh build run the same workflow code, so replay and
// determinism are unaffected; a cache that cannot be written (read-only install) only costs time.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode, type WorkflowBundleOption } from '@temporalio/worker';
import { ROOT_DIR } from './config';
import { WORKFLOWS_PATH } from './worker';

export interface WorkflowBundleRequest {
  /** Extra workflow interceptor modules (tracing), part of the cache key. */
  interceptorModules?: string[];
  /** Where cached bundles live; PAR_WORKFLOW_BUNDLE_CACHE, else node_modules/.cache/par-workflow-bundle. */
  cacheDir?: string;
  logger?: Parameters<typeof bundleWorkflowCode>[0]['logger'];
}

export interface LoadedWorkflowBundle {
  bundle: WorkflowBundleOption;
  /** Whether the bundle came from the cache. */
  cached: boolean;
  /** The cached file, when there is one. */
  file?: string;
}

/** Folders whose sources may end up in the bundle: workflows/ imports pure modules from activities/. */
const SOURCE_DIRS = ['workflows', 'activities'];

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) sourceFiles(p, out);
    else if (/\.(ts|js|json)$/.test(e.name)) out.push(p);
  }
  return out;
}

/** A hash of everything the bundle is made from. */
export function workflowBundleKey(interceptorModules: string[] = []): string {
  const h = crypto.createHash('sha256');
  const files = SOURCE_DIRS.flatMap((d) => sourceFiles(path.join(ROOT_DIR, d))).sort();
  for (const f of files) h.update(path.relative(ROOT_DIR, f)).update('\0').update(fs.readFileSync(f)).update('\0');
  for (const f of ['package-lock.json', 'tsconfig.json']) {
    const p = path.join(ROOT_DIR, f);
    if (fs.existsSync(p)) h.update(fs.readFileSync(p));
  }
  h.update(JSON.stringify({ node: process.versions.node, interceptorModules: interceptorModules.map((m) => path.relative(ROOT_DIR, m)) }));
  return h.digest('hex').slice(0, 32);
}

export async function loadWorkflowBundle(req: WorkflowBundleRequest = {}): Promise<LoadedWorkflowBundle> {
  const interceptorModules = req.interceptorModules ?? [];
  const cacheDir = req.cacheDir ?? (process.env.PAR_WORKFLOW_BUNDLE_CACHE || path.join(ROOT_DIR, 'node_modules', '.cache', 'par-workflow-bundle'));
  const file = path.join(cacheDir, `${workflowBundleKey(interceptorModules)}.js`);
  if (fs.existsSync(file)) return { bundle: { codePath: file }, cached: true, file };
  const { code } = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    logger: req.logger,
    ...(interceptorModules.length ? { workflowInterceptorModules: interceptorModules } : {}),
  });
  try {
    fs.mkdirSync(cacheDir, { recursive: true });
    // Written aside and renamed, so a worker starting at the same moment never reads half a file.
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, code);
    fs.renameSync(tmp, file);
    pruneOldBundles(cacheDir, file);
    return { bundle: { codePath: file }, cached: false, file };
  } catch {
    return { bundle: { code }, cached: false };
  }
}

/** Keeps the newest few bundles: each is ≈ 2.4 MB and a checkout changes often. */
function pruneOldBundles(dir: string, keep: string, max = 5): void {
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.js'))
    .map((f) => ({ f: path.join(dir, f), t: fs.statSync(path.join(dir, f)).mtimeMs }))
    .sort((a, b) => b.t - a.t);
  for (const { f } of files.slice(max)) if (f !== keep) fs.rmSync(f, { force: true });
}
