import type { Command } from 'commander';
import { temporal } from '@temporalio/proto';
import { loadConfig, readStackState } from '../../../workers/config';
import { connectTemporal } from '../../temporal';
import { emit } from '../output';

const PAR_VERSION: string = require('../../../package.json').version;
const SDK_VERSION: string = require('@temporalio/client/package.json').version;

export interface StackStatus {
  healthy: boolean;
  par: string;
  sdk: string;
  temporal: { address: string; namespace: string; reachable: boolean; serverVersion?: string; error?: string };
  worker: { taskQueue: string; polling: boolean; pollers: number };
  api: { url: string; healthy: boolean; error?: string };
  webUi: string;
}

async function probeApi(url: string): Promise<{ healthy: boolean; error?: string }> {
  try {
    const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
    return res.ok ? { healthy: true } : { healthy: false, error: `HTTP ${res.status}` };
  } catch (err) {
    return { healthy: false, error: (err as Error).message };
  }
}

export async function collectStatus(): Promise<StackStatus> {
  const config = loadConfig();
  const stack = readStackState(config);
  const apiUrl = process.env.PAR_API_URL || stack?.apiUrl || config.apiUrl;
  const status: StackStatus = {
    healthy: false,
    par: PAR_VERSION,
    sdk: SDK_VERSION,
    temporal: { address: config.temporalAddress, namespace: config.temporalNamespace, reachable: false },
    worker: { taskQueue: config.taskQueue, polling: false, pollers: 0 },
    api: { url: apiUrl, healthy: false },
    webUi: config.uiUrl || stack?.uiUrl || '',
  };
  try {
    const connection = await connectTemporal(config, 3000);
    status.temporal.reachable = true;
    const info = await connection.workflowService.getClusterInfo({});
    status.temporal.serverVersion = info.serverVersion ?? undefined;
    const tq = await connection.workflowService.describeTaskQueue({
      namespace: config.temporalNamespace,
      taskQueue: { name: config.taskQueue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
      taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
    });
    status.worker.pollers = tq.pollers?.length ?? 0;
    status.worker.polling = status.worker.pollers > 0;
    await connection.close();
  } catch (err) {
    status.temporal.error = (err as Error).message;
  }
  Object.assign(status.api, await probeApi(apiUrl));
  status.healthy = status.temporal.reachable && status.worker.polling && status.api.healthy;
  return status;
}

function human(s: StackStatus): string {
  const mark = (ok: boolean) => (ok ? 'ok  ' : 'FAIL');
  return [
    `${mark(s.temporal.reachable)} Temporal ${s.temporal.address} (namespace ${s.temporal.namespace})` +
      (s.temporal.serverVersion ? `, server ${s.temporal.serverVersion}` : '') +
      (s.temporal.error ? `: ${s.temporal.error}` : ''),
    `${mark(s.worker.polling)} worker on task queue "${s.worker.taskQueue}": ${s.worker.pollers} poller(s)`,
    `${mark(s.api.healthy)} API ${s.api.url}${s.api.error ? `: ${s.api.error}` : ''}`,
    `     Web UI ${s.webUi || '(not known: set PAR_TEMPORAL_UI_URL)'}`,
    `     par ${s.par}, Temporal SDK ${s.sdk}`,
    s.healthy ? 'The stack is healthy.' : 'The stack is NOT healthy. Start it with `npm start`.',
  ].join('\n');
}

export function register(program: Command): void {
  program
    .command('status')
    .description('Check that Temporal answers, a worker polls and the API is up; exits 1 if not')
    .option('--json', 'print JSON (includes the Temporal address, Web UI and API URLs)')
    .action(async (opts: { json?: boolean }) => {
      const s = await collectStatus();
      emit(s, opts, human);
      if (!s.healthy) process.exitCode = 1;
    });
}
