import { workflowNowIso } from '../clock';
import { ParError } from '../errors';
import type { ApprovalDecision, DecidedApproval, PendingApproval } from './types';

/** Why a decision was refused; the update validator throws it before anything reaches history. */
export class ApprovalRejectedError extends ParError {
  override name = 'ApprovalRejectedError';
  readonly code = 'approval_refused';
}

/** The approvals a run is waiting for and the decisions made, shared by the signal and update handlers. */
export class ApprovalBook {
  readonly pending: PendingApproval[] = [];
  readonly decided: DecidedApproval[] = [];
  private readonly inbox = new Map<string, ApprovalDecision>();

  /** Throws ApprovalRejectedError when the decision cannot apply now; returns the node it targets. */
  check(d: ApprovalDecision): PendingApproval {
    if (!d || (d.decision !== 'approve' && d.decision !== 'reject')) throw new ApprovalRejectedError('decision must be "approve" or "reject"');
    if (typeof d.by !== 'string' || !d.by.trim()) throw new ApprovalRejectedError('"by" must name who decides');
    if (this.pending.length === 0) {
      const done = d.node ? this.decided.find((a) => a.node === d.node) : undefined;
      throw new ApprovalRejectedError(
        done ? `approval "${d.node}" was already decided (${done.decision}${done.by ? ` by ${done.by}` : ''})` : 'this run is not waiting for an approval',
      );
    }
    let target: PendingApproval | undefined;
    if (d.node) {
      target = this.pending.find((p) => p.node === d.node);
      if (!target) {
        const done = this.decided.find((a) => a.node === d.node);
        if (done) throw new ApprovalRejectedError(`approval "${d.node}" was already decided (${done.decision}${done.by ? ` by ${done.by}` : ''})`);
        throw new ApprovalRejectedError(`no approval "${d.node}" is pending; pending: ${this.pending.map((p) => p.node).join(', ')}`);
      }
    } else if (this.pending.length > 1) {
      throw new ApprovalRejectedError(`several approvals are pending (${this.pending.map((p) => p.node).join(', ')}): name one with "node"`);
    } else {
      target = this.pending[0];
    }
    if (this.inbox.has(target.node)) throw new ApprovalRejectedError(`approval "${target.node}" already has a decision`);
    if (target.approvers.length > 0 && !target.approvers.includes(d.by)) {
      throw new ApprovalRejectedError(`"${d.by}" may not decide approval "${target.node}"; approvers: ${target.approvers.join(', ')}`);
    }
    return target;
  }

  /** Records a checked decision; the waiting node picks it up. */
  submit(d: ApprovalDecision): PendingApproval {
    const target = this.check(d);
    this.inbox.set(target.node, { ...d, node: target.node });
    return target;
  }

  open(p: PendingApproval): void {
    this.pending.push(p);
  }

  decisionFor(node: string): ApprovalDecision | undefined {
    return this.inbox.get(node);
  }

  close(node: string, outcome: ApprovalDecision | 'timeout'): DecidedApproval {
    const i = this.pending.findIndex((p) => p.node === node);
    const [p] = this.pending.splice(i, 1);
    this.inbox.delete(node);
    const decided: DecidedApproval =
      outcome === 'timeout'
        ? { ...p, decision: 'timeout', decidedAt: workflowNowIso() }
        : { ...p, decision: outcome.decision, by: outcome.by, comment: outcome.comment, decidedAt: workflowNowIso() };
    this.decided.push(decided);
    return decided;
  }
}
