import path from 'node:path';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { readTestEnv } from '../helpers/test-env';
import { loadRecordedHistories } from './histories';

const histories = loadRecordedHistories();

const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} } as never;
const bundleOf = (file: string) => bundleWorkflowCode({ workflowsPath: path.resolve(__dirname, '../fixtures', file), logger: quiet });

test('there are recorded histories of hello and of every example flow', () => {
  expect(histories.map((h) => h.file)).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/^hello\//),
      'flowWorkflow/customer_service_agent-recorded.json',
      'flowWorkflow/refund_approval-recorded.json',
      'flowWorkflow/research_fanout-recorded.json',
      // Recorded before sessions archived old messages, with keepMessages 3 and 4 turns: replay
      // reaches the archiving step, which the patch marker keeps off for this old run.
      'sessionWorkflow/session-pre-archive-recorded.json',
    ]),
  );
});

test.each(histories.map((h) => [h.file, h] as const))('replays %s against the current workflow code', async (_file, h) => {
  await Worker.runReplayHistory({ workflowBundle: { codePath: readTestEnv().bundlePath } }, h.history, h.workflowId);
});

test('a changed workflow fails replay of a recorded hello history with a determinism violation', async () => {
  const hello = histories.find((h) => h.file.startsWith('hello/'));
  expect(hello).toBeDefined();
  const changed = await bundleOf('changed-hello-workflow.ts');
  await expect(Worker.runReplayHistory({ workflowBundle: changed }, hello!.history, hello!.workflowId)).rejects.toMatchObject({
    name: 'DeterminismViolationError',
  });
});

test('a node implementation changed without patched() fails replay of a recorded flow', async () => {
  const recorded = histories.find((h) => h.file.endsWith('customer_service_agent-recorded.json'))!;
  await expect(Worker.runReplayHistory({ workflowBundle: await bundleOf('changed-respond-node.ts') }, recorded.history, recorded.workflowId)).rejects.toMatchObject({
    name: 'DeterminismViolationError',
  });
});

test('the same change behind patched() replays the recorded flow', async () => {
  const recorded = histories.find((h) => h.file.endsWith('customer_service_agent-recorded.json'))!;
  await Worker.runReplayHistory({ workflowBundle: await bundleOf('patched-respond-node.ts') }, recorded.history, recorded.workflowId);
});
