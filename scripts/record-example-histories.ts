// Records the history of each example flow for the replay tests (test/histories/flowWorkflow/).
// Starts its own in-memory dev server and worker; run after changing the example flows:
//   node bin/run-ts.js scripts/record-example-histories.ts
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

  const outDir = path.join(ROOT_DIR, 'test/histories/flowWorkflow');
  fs.mkdirSync(outDir, { recursive: true });
  const record = async (runId: string) => {
    await svc.result(runId);
    fs.writeFileSync(path.join(outDir, `${runId}.json`), await svc.history(runId));
    console.log(`recorded ${runId}`);
  };

  await svc.start('customer_service_agent', { message: 'I have not received my tracking number' }, { runId: 'customer_service_agent-recorded' });
  await record('customer_service_agent-recorded');
  await svc.start('refund_approval', { message: 'Please refund 45 dollars for order A-1234, it arrived broken.' }, { runId: 'refund_approval-recorded' });
  const handle = client.workflow.getHandle('refund_approval-recorded');
  for (;;) {
    const state = await handle.query(runStateQuery).catch(() => undefined);
    if (state?.status === 'waiting_approval') break;
    await new Promise((r) => setTimeout(r, 200));
  }
  await svc.decide('refund_approval-recorded', { decision: 'approve', by: 'manager', comment: 'recorded for replay tests' });
  await record('refund_approval-recorded');
  await svc.start('research_fanout', { message: 'overview please' }, { runId: 'research_fanout-recorded' });
  await record('research_fanout-recorded');

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
