import { setHandler } from '@temporalio/workflow';
import { approvalSignal, decideApprovalUpdate, runStateQuery } from '../definitions';
import type { RunEngine } from './run-engine';

/** Serves the state query and accepts approval decisions for whichever engine is current. */
export function installRunHandlers(current: () => RunEngine | undefined): void {
  setHandler(runStateQuery, () => {
    const engine = current();
    if (!engine) throw new Error('no flow run has started in this workflow yet');
    return { ...engine.state, pendingApprovals: engine.approvals.pending, approvals: engine.approvals.decided };
  });
  setHandler(approvalSignal, (decision) => {
    const engine = current();
    try {
      if (!engine) throw new Error('no flow run is active');
      engine.approvals.submit(decision);
    } catch (err) {
      // A signal cannot be refused; keep a bounded note of why it was ignored for the state query.
      const notes = engine?.state.ignoredSignals;
      if (notes) {
        notes.push(`${decision?.by ?? '?'}: ${(err as Error).message}`);
        if (notes.length > 20) notes.shift();
      }
    }
  });
  setHandler(
    decideApprovalUpdate,
    (decision) => {
      const target = current()!.approvals.submit(decision);
      return { node: target.node, decision: decision.decision };
    },
    {
      validator: (decision) => {
        const engine = current();
        if (!engine) throw new Error('no flow run is active');
        engine.approvals.check(decision);
      },
    },
  );
}
