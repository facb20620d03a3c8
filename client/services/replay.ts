import fs from 'node:fs';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { workflowBundleOptions } from '../../workers/workflow-bundle';
import { WORKFLOWS_PATH } from '../../workers/worker';

export interface ReplayOutcome {
  file: string;
  ok: boolean;
  error?: string;
}

const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} } as never;

/** Replays recorded histories against the current workflow code (bundled once). */
export async function replayHistoryFiles(files: string[], workflowsPath = WORKFLOWS_PATH): Promise<ReplayOutcome[]> {
  // Bundled the way the worker bundles, so a replay runs the code as the worker runs it.
  const bundle = await bundleWorkflowCode(workflowBundleOptions({ tracing: false, workflowsPath, logger: quiet }));
  const out: ReplayOutcome[] = [];
  for (const file of files) {
    try {
      const history = historyFromJSON(JSON.parse(fs.readFileSync(file, 'utf8')));
      await Worker.runReplayHistory({ workflowBundle: bundle }, history, path.basename(file, '.json'));
      out.push({ file, ok: true });
    } catch (err) {
      out.push({ file, ok: false, error: `${(err as Error).name}: ${(err as Error).message}` });
    }
  }
  return out;
}
