import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { enc } from '../api';
import { useApi } from '../context';
import { href } from '../route';
import type { InboxApproval } from '../types';

/** Every approval this key may decide, with its prompt and the run's context; and the decided ones. */
export function Inbox() {
  const api = useApi();
  const [view, setView] = useState<'pending' | 'decided'>('pending');
  const list = useQuery({
    queryKey: ['approvals', view],
    queryFn: () => api.sdk.approvals({ status: view }),
    refetchInterval: 3000,
  });
  return (
    <div className="page" data-testid="inbox">
      <div className="row">
        <h2>Approvals</h2>
        <button type="button" className={view === 'pending' ? 'active' : ''} onClick={() => setView('pending')} data-testid="inbox-pending">
          Pending
        </button>
        <button type="button" className={view === 'decided' ? 'active' : ''} onClick={() => setView('decided')} data-testid="inbox-decided">
          Decided
        </button>
      </div>
      {list.error && <p className="field-error">{(list.error as Error).message}</p>}
      {list.data?.approvals.length === 0 && <p className="muted">{view === 'pending' ? 'Nothing is waiting for you.' : 'No decisions yet.'}</p>}
      {list.data?.approvals.map((a) => (
        <ApprovalCard key={`${a.runId}/${a.node}`} a={a} decided={view === 'decided'} onDecided={() => list.refetch()} />
      ))}
    </div>
  );
}

function ApprovalCard({ a, decided, onDecided }: { a: InboxApproval; decided: boolean; onDecided: () => void }) {
  const api = useApi();
  const qc = useQueryClient();
  const [comment, setComment] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const decide = async (d: 'approve' | 'reject') => {
    setBusy(true);
    setError(undefined);
    try {
      await api.post(`/v1/runs/${enc(a.runId)}/${d}`, { node: a.node, comment: comment || undefined });
      await qc.invalidateQueries({ queryKey: ['approvals'] });
      onDecided();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="card approval" data-testid={`approval-${a.runId}-${a.node}`} data-run={a.runId}>
      <div className="row">
        <b>{a.prompt}</b>
      </div>
      <p className="muted">
        flow {a.flowId} · run <a href={href('runs', a.runId)}>{a.runId}</a> · node {a.node}
        {a.flowVersion !== null ? ` v${a.flowVersion}` : ''} · asked {new Date(a.requestedAt).toLocaleString()}
        {a.approvers.length ? ` · approvers: ${a.approvers.join(', ')}` : ''}
      </p>
      {a.context.message && (
        <p className="bubble user" data-testid="approval-message">
          {a.context.message}
        </p>
      )}
      {Object.keys(a.context.variables).length > 0 && (
        <details>
          <summary>Run variables</summary>
          <pre>{JSON.stringify(a.context.variables, null, 2)}</pre>
        </details>
      )}
      {decided && a.decision ? (
        <p data-testid="decision">
          <b>{a.decision.decision}</b> by <span data-testid="decided-by">{a.decision.by ?? '—'}</span> at {new Date(a.decision.at).toLocaleString()}
          {a.decision.comment ? ` — “${a.decision.comment}”` : ''}
        </p>
      ) : !a.canDecide ? (
        <p className="muted">Only {a.approvers.join(', ')} may decide this.</p>
      ) : (
        <div className="row">
          <input placeholder="comment (optional)" value={comment} onChange={(e) => setComment(e.target.value)} data-testid="approval-comment" />
          <button type="button" className="primary" disabled={busy} onClick={() => void decide('approve')} data-testid="approve">
            Approve
          </button>
          <button type="button" disabled={busy} onClick={() => void decide('reject')} data-testid="reject">
            Reject
          </button>
        </div>
      )}
      {error && <p className="field-error">{error}</p>}
    </div>
  );
}
