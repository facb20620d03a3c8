// Builds the workflow bundle once, ahead of time: `node bin/run-ts.js scripts/bundle-workflows.ts FILE [--tracing]`.
// A worker started with PAR_WORKFLOW_BUNDLE=FILE loads it instead of bundling the workflows at
// every start (seconds of webpack per process; the deploy image builds it once, see deploy/).
import fs from 'node:fs';
import path from 'node:path';
import { buildWorkflowBundle } from '../workers/workflow-bundle';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const tracing = args.includes('--tracing');
  const out = args.find((a) => !a.startsWith('--'));
  if (!out || args.some((a) => a.startsWith('--') && a !== '--tracing')) {
    console.error('usage: node bin/run-ts.js scripts/bundle-workflows.ts FILE [--tracing]  (--tracing: for workers with OTEL_EXPORTER_OTLP_ENDPOINT set)');
    process.exit(2);
  }
  const noop = () => undefined;
  const logger = { trace: noop, debug: noop, info: noop, log: noop, warn: console.warn, error: console.error } as never;
  const code = await buildWorkflowBundle({ tracing, logger });
  fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
  fs.writeFileSync(out, code);
  console.log(`wrote the workflow bundle to ${out} (${(code.length / 1e6).toFixed(1)} MB${tracing ? ', with tracing' : ''})`);
}

main().catch((err) => {
  console.error(`could not bundle the workflows: ${(err as Error).message}`);
  process.exit(1);
});
