// Records the history of each example flow (and of a session turn) for the replay tests
// (test/histories/). Starts its own in-memory dev server and worker; run after changing the
// example flows or the workflow code under a new patch:
//   node bin/run-ts.js scripts/record-example-histories.ts [--tag NAME]
// Files are named <flow>-<tag>-recorded.json, the tag defaulting to the newest patch
// (QUIET_STATUS_PATCH). Never overwrite older recordings: they prove that runs started before a
// patch still replay (the untagged *-recorded.json files predate engine-fast-path-v1).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';

async function main(): Promise<void> {
  process.env.PAR_DATA_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'par-record-'));
  // Imported after PAR_DATA_DIR is set: the stores read it when first used.
  const { loadToolPaths, ROOT_DIR } = require('../workers/config') as typeof import('../workers/config');
  const { freePort, startDevServer } = require('./temporal-dev-server') as typeof import('./temporal-dev-server');
  const { createParWorker } = require('../workers/worker') as typeof import('../workers/worker');
  const { FlowService } = require('../client/services/flows') as typeof import('../client/services/flows');
  const { runStateQuery } = require('../workflows/definitions') as typeof import('../workflows/definitions');
  const { sharedVaultService } = require('../activities/vaults') as typeof import('../activities/vaults');
  const { QUIET_STATUS_PATCH } = require('../workflows/flow/fast-path') as typeof import('../workflows/flow/fast-path');
  const tagAt = process.argv.indexOf('--tag');
  const tag = tagAt >= 0 ? process.argv[tagAt + 1] : QUIET_STATUS_PATCH;
  if (!tag || !/^[\w.-]+$/.test(tag)) throw new Error('--tag must be a name of letters, digits, _ . -');
  const id = (flow: string) => `${flow}-${tag}-recorded`;

  const server = await startDevServer({ cli: loadToolPaths().temporalCli, port: await freePort(), headless: true });
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection });
  const native = await NativeConnection.connect({ address: server.address });
  const worker = await createParWorker({ connection: native, namespace: 'default', taskQueue: 'record' });
  const running = worker.run();
  const svc = new FlowService(client, 'record');
  const vaults = await sharedVaultService();
  await vaults.add('customer_support', 'Tracking numbers are emailed within 24 hours of dispatch. Standard shipping takes 5-7 business days.');
  await vaults.add('research', 'Pricing: the pro plan costs 20 dollars per seat per month. Security: data is encrypted at rest.');

  const historiesDir = path.join(ROOT_DIR, 'test/histories');
  const write = async (workflowType: string, workflowId: string, file: string) => {
    fs.mkdirSync(path.join(historiesDir, workflowType), { recursive: true });
    fs.writeFileSync(path.join(historiesDir, workflowType, `${file}.json`), await svc.history(workflowId));
    console.log(`recorded ${workflowType}/${file}`);
  };
  const record = async (runId: string) => {
    await svc.result(runId);
    await write('flowWorkflow', runId, runId);
  };

  await svc.start('customer_service_agent', { message: 'I have not received my tracking number' }, { runId: id('customer_service_agent') });
  await record(id('customer_service_agent'));
  await svc.start('refund_approval', { message: 'Please refund 45 dollars for order A-1234, it arrived broken.' }, { runId: id('refund_approval') });
  const handle = client.workflow.getHandle(id('refund_approval'));
  for (;;) {
    const state = await handle.query(runStateQuery).catch(() => undefined);
    if (state?.status === 'waiting_approval') break;
    await new Promise((r) => setTimeout(r, 200));
  }
  await svc.decide(id('refund_approval'), { decision: 'approve', by: 'manager', comment: 'recorded for replay tests' });
  await record(id('refund_approval'));
  await svc.start('research_fanout', { message: 'overview please' }, { runId: id('research_fanout') });
  await record(id('research_fanout'));
  // A session of two turns, ended: the session workflow's own start and turn commands.
  const { sessionWorkflowId } = require('../client/services/flows') as typeof import('../client/services/flows');
  const session = `${tag}-session`;
  await svc.sendSessionMessage(session, 'customer_service_agent', 'I have not received my tracking number');
  await svc.sendSessionMessage(session, 'customer_service_agent', 'How long does standard shipping take?');
  const { endSessionSignal } = require('../workflows/definitions') as typeof import('../workflows/definitions');
  const sessionHandle = client.workflow.getHandle(sessionWorkflowId(session));
  await sessionHandle.signal(endSessionSignal);
  await sessionHandle.result();
  await write('sessionWorkflow', sessionWorkflowId(session), `session-${tag}-recorded`);

  worker.shutdown();
  await running;
  await native.close();
  await connection.close();
  await server.stop();
  await vaults.close();
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
