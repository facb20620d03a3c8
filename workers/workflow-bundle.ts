// The worker's workflow bundle: built ahead of time (PAR_WORKFLOW_BUNDLE, scripts/bundle-workflows.ts,
// the deploy image), or built once per change of the code it is made from and cached.
//
// Webpack takes seconds (≈ 4 s on a quiet 2-core machine, 10 s loaded) at every worker start: at
// `npm start`, at each crash restart, in every test that starts a stack. The bundle depends only on
// the sources it is built from, the installed packages and the bundling options, so it is cached
// under a hash of those. The same bytes as a fresh build run the same workflow code, so replay and
// determinism are unaffected; a cache that cannot be written (read-only install) only costs time.
// Every bundle's first line says whether it holds the tracing interceptors, so a worker that
// traces refuses a bundle that would silently drop its workflow spans.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { ROOT_DIR } from './config';
import { TRACING_WORKFLOW_MODULES } from './telemetry';
import { WORKFLOWS_PATH } from './worker';

const MARK = '// par-workflow-bundle';
/** Changes whenever workflowBundleOptions does, so that cached bundles made otherwise are not reused. */
const BUNDLE_FORMAT = 'preload-1';

type BundleLogger = Parameters<typeof bundleWorkflowCode>[0]['logger'];

export function bundleHeader(opts: { tracing: boolean }): string {
  return `${MARK} tracing=${opts.tracing ? 1 : 0}\n`;
}

export class WorkflowBundleError extends Error {
  override name = 'WorkflowBundleError';
}

/**
 * How PAR bundles its workflows, for the worker and for replays of its histories alike.
 *
 * The workflow modules are preloaded: evaluated once per worker thread and shared, deep-frozen, by
 * every run, instead of evaluated again for each run the worker creates or replays (about a fifth
 * of the worker's CPU per start, docs/performance.md). That is safe because workflows/ keeps no
 * per-run state at module level: run state lives in RunEngine and handler closures, and the only
 * module-level variables are lazily made activity proxies, which look up the current run when
 * called (test/flows/workflow-bundle.test.ts fails on any other module-level state in the bundle).
 */
export function workflowBundleOptions(opts: { tracing: boolean; workflowsPath?: string; logger?: BundleLogger }): Parameters<typeof bundleWorkflowCode>[0] {
  const workflowsPath = opts.workflowsPath ?? WORKFLOWS_PATH;
  return {
    workflowsPath,
    preloadModules: [workflowsPath],
    logger: opts.logger,
    ...(opts.tracing ? { workflowInterceptorModules: TRACING_WORKFLOW_MODULES } : {}),
  };
}

/** Bundles the workflows now (webpack), with the header the worker checks. */
export async function buildWorkflowBundle(opts: { tracing: boolean; logger?: BundleLogger }): Promise<string> {
  const { code } = await bundleWorkflowCode(workflowBundleOptions(opts));
  return bundleHeader(opts) + code;
}

/** The bundle at `file`, checked: it exists, was made by PAR, and traces when the worker does. */
export function prebuiltBundle(file: string, opts: { tracing: boolean }): { codePath: string } {
  let first: string;
  try {
    const fd = fs.openSync(file, 'r');
    const buf = Buffer.alloc(64);
    const n = fs.readSync(fd, buf, 0, 64, 0);
    fs.closeSync(fd);
    first = buf.subarray(0, n).toString('utf8').split('\n')[0];
  } catch (err) {
    throw new WorkflowBundleError(`PAR_WORKFLOW_BUNDLE=${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): build it with \`node bin/run-ts.js scripts/bundle-workflows.ts ${file}\``);
  }
  if (!first.startsWith(MARK)) throw new WorkflowBundleError(`PAR_WORKFLOW_BUNDLE=${file} was not made by scripts/bundle-workflows.ts (its first line is not "${MARK} ...")`);
  if (opts.tracing && !first.includes('tracing=1')) {
    throw new WorkflowBundleError(`tracing is on (OTEL_EXPORTER_OTLP_ENDPOINT) but PAR_WORKFLOW_BUNDLE=${file} was built without it: rebuild it with --tracing`);
  }
  return { codePath: file };
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

/** A hash of everything a bundle is made from. */
export function workflowBundleKey(opts: { tracing: boolean }): string {
  const h = crypto.createHash('sha256');
  const files = SOURCE_DIRS.flatMap((d) => sourceFiles(path.join(ROOT_DIR, d))).sort();
  for (const f of files) h.update(path.relative(ROOT_DIR, f)).update('\0').update(fs.readFileSync(f)).update('\0');
  for (const f of ['package-lock.json', 'tsconfig.json']) {
    const p = path.join(ROOT_DIR, f);
    if (fs.existsSync(p)) h.update(fs.readFileSync(p));
  }
  h.update(JSON.stringify({ node: process.versions.node, tracing: opts.tracing, format: BUNDLE_FORMAT }));
  return h.digest('hex').slice(0, 32);
}

export interface WorkflowBundleRequest {
  tracing: boolean;
  /** A bundle built ahead of time (PAR_WORKFLOW_BUNDLE); checked, never rebuilt. */
  prebuilt?: string;
  /** Where cached bundles live; PAR_WORKFLOW_BUNDLE_CACHE, else node_modules/.cache/par-workflow-bundle. */
  cacheDir?: string;
  logger?: BundleLogger;
}

export interface LoadedWorkflowBundle {
  bundle: { codePath: string } | { code: string };
  /** Where it came from. */
  source: 'prebuilt' | 'cache' | 'built';
  /** The file holding it, when there is one. */
  file?: string;
}

export async function loadWorkflowBundle(req: WorkflowBundleRequest): Promise<LoadedWorkflowBundle> {
  if (req.prebuilt) return { bundle: prebuiltBundle(req.prebuilt, req), source: 'prebuilt', file: req.prebuilt };
  const cacheDir = req.cacheDir ?? (process.env.PAR_WORKFLOW_BUNDLE_CACHE || path.join(ROOT_DIR, 'node_modules', '.cache', 'par-workflow-bundle'));
  const file = path.join(cacheDir, `${workflowBundleKey(req)}.js`);
  if (fs.existsSync(file)) return { bundle: { codePath: file }, source: 'cache', file };
  const code = await buildWorkflowBundle(req);
  try {
    fs.mkdirSync(cacheDir, { recursive: true });
    // Written aside and renamed, so a worker starting at the same moment never reads half a file.
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, code);
    fs.renameSync(tmp, file);
    pruneOldBundles(cacheDir, file);
    return { bundle: { codePath: file }, source: 'built', file };
  } catch {
    return { bundle: { code }, source: 'built' };
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

/**
 * The bundle as a file, for processes started with PAR_WORKFLOW_BUNDLE: the cached file, or, when
 * the cache cannot be written, the bundle written into `fallbackDir`.
 */
export async function workflowBundleFile(req: WorkflowBundleRequest, fallbackDir: string): Promise<string> {
  const loaded = await loadWorkflowBundle(req);
  if (loaded.file) return loaded.file;
  const file = path.join(fallbackDir, 'workflow-bundle.js');
  fs.writeFileSync(file, (loaded.bundle as { code: string }).code);
  return file;
}
