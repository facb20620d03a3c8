// A process holding act sandboxes, one of them busy in an endless Python loop, so a test can
// SIGKILL it and check that no sandbox outlives it. Usage: node bin/run-ts.js test/act/act-orphan-process.ts
import { createActActivities } from '../../activities/act/activities';
import { loadActConfig } from '../../activities/act/config';

const config = loadActConfig({ PAR_ACT_POOL_SIZE: '2', PAR_ACT_SNAPSHOT: '0' });
const host = {
  async search() {
    // The script has started: the test may now look for its sandbox and kill us.
    process.stdout.write('running\n');
    return [];
  },
  chat: async () => '',
};
const { actRun } = createActActivities({ config, host });
actRun({ code: 'vault.search("go", 1)\nwhile True:\n    pass', variables: {}, message: '', history: [], runId: 'orphan-test', vault: 'v', limits: { timeoutMs: 300_000 } }).catch((err) => {
  process.stderr.write(`${err}\n`);
  process.exit(1);
});
