// Saves a finished run's history for the replay tests:
//   node bin/run-ts.js scripts/record-history.ts WORKFLOW_ID test/histories/<type>/<name>.json
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../workers/config';
import { connectClient } from '../client/temporal';
import { exportHistoryJson } from '../client/history';

async function main(): Promise<void> {
  const [workflowId, out] = process.argv.slice(2);
  if (!workflowId || !out) throw new Error('usage: record-history.ts WORKFLOW_ID OUT.json');
  const client = await connectClient(loadConfig());
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, await exportHistoryJson(client, workflowId));
  console.log(`wrote ${out}`);
  await client.connection.close();
}

main().catch((err) => {
  console.error(err.message);
  process.exit(1);
});
