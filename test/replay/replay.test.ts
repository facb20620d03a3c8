import path from 'node:path';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { readTestEnv } from '../helpers/test-env';
import { loadRecordedHistories } from './histories';

const histories = loadRecordedHistories();

test('there are recorded histories to replay', () => {
  expect(histories.map((h) => h.file)).toEqual(expect.arrayContaining([expect.stringMatching(/^hello\//)]));
});

test.each(histories.map((h) => [h.file, h] as const))('replays %s against the current workflow code', async (_file, h) => {
  await Worker.runReplayHistory({ workflowBundle: { codePath: readTestEnv().bundlePath } }, h.history, h.workflowId);
});

test('a changed workflow fails replay of a recorded hello history with a determinism violation', async () => {
  const hello = histories.find((h) => h.file.startsWith('hello/'));
  expect(hello).toBeDefined();
  const changed = await bundleWorkflowCode({
    workflowsPath: path.resolve(__dirname, '../fixtures/changed-hello-workflow.ts'),
    logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} } as never,
  });
  await expect(Worker.runReplayHistory({ workflowBundle: changed }, hello!.history, hello!.workflowId)).rejects.toMatchObject({
    name: 'DeterminismViolationError',
  });
});
