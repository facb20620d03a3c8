import path from 'node:path';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { readTestEnv } from '../helpers/test-env';
import { loadRecordedHistories, type RecordedHistory } from './histories';

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
      // Recorded with the engine's fast path (local activities for fast reads, patch engine-fast-path-v1).
      'flowWorkflow/customer_service_agent-engine-fast-path-v1-recorded.json',
      'flowWorkflow/refund_approval-engine-fast-path-v1-recorded.json',
      'flowWorkflow/research_fanout-engine-fast-path-v1-recorded.json',
      'sessionWorkflow/session-engine-fast-path-v1-recorded.json',
      // Recorded with statuses written only when the run waits (patch engine-fast-path-v2).
      'flowWorkflow/customer_service_agent-engine-fast-path-v2-recorded.json',
      'flowWorkflow/refund_approval-engine-fast-path-v2-recorded.json',
      'flowWorkflow/research_fanout-engine-fast-path-v2-recorded.json',
      'sessionWorkflow/session-engine-fast-path-v2-recorded.json',
    ]),
  );
});

/** Regular activity types, local activity types, patch ids, upserted search attributes and the ParStatus values written, in order. */
function commandsOf(h: RecordedHistory): { regular: string[]; local: string[]; patches: string[]; upserted: string[]; statuses: string[] } {
  const out = { regular: [] as string[], local: [] as string[], patches: [] as string[], upserted: [] as string[], statuses: [] as string[] };
  for (const e of h.history.events ?? []) {
    const scheduled = e.activityTaskScheduledEventAttributes?.activityType?.name;
    if (scheduled) out.regular.push(scheduled);
    const fields = e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {};
    out.upserted.push(...Object.keys(fields));
    const status = fields.ParStatus?.data;
    if (status) out.statuses.push(JSON.parse(Buffer.from(status).toString('utf8')));
    const m = e.markerRecordedEventAttributes;
    const data = m?.details?.data?.payloads?.[0]?.data;
    if (m?.markerName === 'core_local_activity' && data) out.local.push(JSON.parse(Buffer.from(data).toString('utf8')).activity_type);
    const patch = m?.details?.['patch-data']?.payloads?.[0]?.data;
    if (m?.markerName === 'core_patch' && patch) out.patches.push(JSON.parse(Buffer.from(patch).toString('utf8')).id);
  }
  return out;
}

test('both paths of the fast-path patch are recorded: fast reads as regular activities before it, as local activities after', () => {
  const before = commandsOf(histories.find((h) => h.file === 'flowWorkflow/customer_service_agent-recorded.json')!);
  const after = commandsOf(histories.find((h) => h.file === 'flowWorkflow/customer_service_agent-engine-fast-path-v1-recorded.json')!);
  expect(before.patches).toEqual([]);
  expect(before.regular).toEqual(expect.arrayContaining(['modelDecide', 'vaultSearch', 'modelGenerate']));
  expect(before.local).toEqual([]);
  expect(after.patches).toEqual(['engine-fast-path-v1']);
  expect(after.local).toEqual(expect.arrayContaining(['modelDecideOffline', 'vaultSearch']));
  // model generation stays a regular activity; the reads left the regular path
  expect(after.regular).toEqual(['modelGenerate']);
  // the start carried the run's search attributes: the workflow upserts only status changes (and
  // Temporal its patch attribute), no longer the flow id the start had set
  expect(before.upserted).toContain('ParFlowId');
  expect(after.upserted).not.toContain('ParFlowId');
  expect(after.upserted).toEqual(expect.arrayContaining(['ParStatus', 'TemporalChangeVersion']));
});

test('since engine-fast-path-v2 a run writes its status only when it waits, and records that one patch alone', () => {
  const of = (file: string) => commandsOf(histories.find((h) => h.file === file)!);
  // v1: every change, including the ones no one could see (running between the decision and the
  // end, completed right before the run closes; completed then running again at each session turn)
  expect(of('flowWorkflow/refund_approval-engine-fast-path-v1-recorded.json').statuses).toEqual(['waiting_approval', 'running', 'completed']);
  expect(of('sessionWorkflow/session-engine-fast-path-v1-recorded.json').statuses).toEqual(['completed', 'running', 'completed', 'running']);
  const v2 = of('flowWorkflow/refund_approval-engine-fast-path-v2-recorded.json');
  expect(v2.patches).toEqual(['engine-fast-path-v2']);
  expect(v2.statuses).toEqual(['waiting_approval']);
  // the fast path is kept: fast reads are still local activities
  expect(v2.local.length).toBeGreaterThan(0);
  expect(of('flowWorkflow/customer_service_agent-engine-fast-path-v2-recorded.json').statuses).toEqual([]);
  expect(of('sessionWorkflow/session-engine-fast-path-v2-recorded.json').statuses).toEqual([]);
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
