// A workflow bundle built ahead of time (scripts/bundle-workflows.ts) and loaded by the worker
// from PAR_WORKFLOW_BUNDLE. Its first line says whether it holds the tracing interceptors, so a
// worker that traces refuses a bundle that would silently drop its workflow spans.
import fs from 'node:fs';

const MARK = '// par-workflow-bundle';

export function bundleHeader(opts: { tracing: boolean }): string {
  return `${MARK} tracing=${opts.tracing ? 1 : 0}\n`;
}

export class WorkflowBundleError extends Error {
  override name = 'WorkflowBundleError';
}

/** The bundle at `file`, checked: it exists, was made by the bundle script, and traces when the worker does. */
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
