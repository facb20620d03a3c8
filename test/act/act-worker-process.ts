// A PAR worker with the act activity in a process of its own, so a test can kill it with
// SIGKILL in the middle of a script. Usage: node bin/run-ts.js test/act/act-worker-process.ts QUEUE
import { NativeConnection, Worker } from '@temporalio/worker';
import { createActActivities } from '../../activities/act/activities';
import { loadActConfig } from '../../activities/act/config';
import { readTestEnv } from '../helpers/test-env';

async function main(): Promise<void> {
  const env = readTestEnv();
  const connection = await NativeConnection.connect({ address: env.temporalAddress });
  const worker = await Worker.create({
    connection,
    taskQueue: process.argv[2],
    workflowBundle: { codePath: env.bundlePath },
    activities: createActActivities({ config: loadActConfig({ PAR_ACT_POOL_SIZE: '0' }), host: { search: async () => [], chat: async () => '' } }),
  });
  process.stdout.write('polling\n');
  await worker.run();
}

main().catch((err) => {
  process.stderr.write(`${err}\n`);
  process.exit(1);
});
