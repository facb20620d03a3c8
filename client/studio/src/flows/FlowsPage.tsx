import { useQuery, useQueryClient } from '@tanstack/react-query';
import { enc } from '../api';
import { useApi } from '../context';
import { href } from '../route';

/** The stored flows this key may see. */
export function FlowsPage() {
  const api = useApi();
  const qc = useQueryClient();
  const flows = useQuery({ queryKey: ['flows'], queryFn: () => api.sdk.listFlows() });
  return (
    <div className="page" data-testid="flows-page">
      <div className="row">
        <h2>Flows</h2>
        <span className="spacer" />
        <a className="button primary" href={href('flows', 'new')} data-testid="new-flow">
          New flow
        </a>
      </div>
      {flows.error && <p className="field-error">{(flows.error as Error).message}</p>}
      <table className="list">
        <thead>
          <tr>
            <th>flow</th>
            <th>source</th>
            <th>version</th>
            <th>updated</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {flows.data?.flows.map((f) => (
            <tr key={f.id} data-testid={`flow-row-${f.id}`}>
              <td>
                <a href={href('flows', f.id)}>{f.id}</a>
              </td>
              <td className="muted">{f.source === 'file' ? 'flows/ file' : 'store'}</td>
              <td>{f.version !== null ? `v${f.version}` : ''}</td>
              <td className="muted">
                {f.updatedAt ? new Date(f.updatedAt).toLocaleString() : ''} {f.updatedBy ?? ''}
              </td>
              <td>
                <a href={`${href('runs')}?flow=${enc(f.id)}`}>runs</a>{' '}
                {f.source === 'store' && <button
                  type="button"
                  onClick={async () => {
                    if (!confirm(`Delete flow ${f.id} and its versions?`)) return;
                    await api.sdk.deleteFlow(f.id);
                    await qc.invalidateQueries({ queryKey: ['flows'] });
                  }}
                >
                  delete
                </button>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {flows.data && flows.data.flows.length === 0 && <p className="muted">No stored flows yet: start with “New flow”.</p>}
    </div>
  );
}
