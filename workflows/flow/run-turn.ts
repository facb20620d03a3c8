import { ApplicationFailure, CancellationScope, isCancellation } from '@temporalio/workflow';
import type { RunEngine } from './run-engine';
import { learnAfterRun, loadRuntimeMemory } from './runtime-memory';

/**
 * Runs the flow once for the engine's current message. The final status (completed, failed,
 * cancelled) is written to the run's search attributes even when the run is being cancelled.
 */
export async function runTurn(engine: RunEngine): Promise<void> {
  try {
    const loading = loadRuntimeMemory(engine);
    if (loading) await loading;
    await engine.interpret(engine.startNode());
    engine.setStatus('completed');
    const learning = learnAfterRun(engine);
    if (learning) {
      const learn = await learning;
      if (engine.state.memory) engine.state.memory.learnWorkflowId = learn;
    }
  } catch (err) {
    if (isCancellation(err)) {
      await CancellationScope.nonCancellable(async () => engine.setStatus('cancelled'));
      throw err;
    }
    engine.setStatus('failed');
    if (!engine.state.error) engine.state.error = { message: err instanceof Error ? err.message : String(err) };
    throw err instanceof ApplicationFailure ? err : ApplicationFailure.nonRetryable(engine.state.error.message, 'FlowFailed');
  }
}
