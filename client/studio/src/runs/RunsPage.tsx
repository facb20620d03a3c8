import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useApi } from '../context';
import { href } from '../route';
import type { RunSummary } from '../types';

const STATUSES = ['', 'running', 'waiting_approval', 'waiting_timer', 'completed', 'failed', 'cancelled'];

function initialFilter(name: string): string {
  return new URLSearchParams(location.hash.split('?')[1] ?? '').get(name) ?? '';
}

/** Runs the key may see, filtered by flow, version, status and text. */
export function RunsPage() {
  const api = useApi();
  const [flow, setFlow] = useState(() => initialFilter('flow'));
  const [version, setVersion] = useState('');
  const [status, setStatus] = useState('');
  const [q, setQ] = useState('');
  const params = new URLSearchParams(Object.entries({ flow, version, status, q }).filter(([, v]) => v));
  const runs = useQuery({
    queryKey: ['runs', params.toString()],
    queryFn: () => api.get<{ runs: RunSummary[] }>(`/v1/runs${params.size ? `?${params}` : ''}`),
    refetchInterval: 3000,
  });
  return (
    <div className="page" data-testid="runs-page">
      <h2>Runs</h2>
      <div className="row filters">
        <input placeholder="flow" value={flow} onChange={(e) => setFlow(e.target.value)} data-testid="filter-flow" />
        <input placeholder="version" value={version} onChange={(e) => setVersion(e.target.value)} data-testid="filter-version" />
        <select value={status} onChange={(e) => setStatus(e.target.value)} data-testid="filter-status">
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {s || 'any status'}
            </option>
          ))}
        </select>
        <input placeholder="text" value={q} onChange={(e) => setQ(e.target.value)} data-testid="filter-text" />
      </div>
      {runs.error && <p className="field-error">{(runs.error as Error).message}</p>}
      <table className="list">
        <thead>
          <tr>
            <th>run</th>
            <th>flow</th>
            <th>version</th>
            <th>status</th>
            <th>started</th>
          </tr>
        </thead>
        <tbody>
          {runs.data?.runs.map((r) => (
            <tr key={r.runId} data-testid="run-row" data-run-id={r.runId} data-status={r.status}>
              <td>
                <a href={href('runs', r.runId)}>{r.runId}</a>
              </td>
              <td>{r.flowId}</td>
              <td>{r.flowVersion !== undefined ? `v${r.flowVersion}` : (r.version ?? '')}</td>
              <td>
                <span className={`status ${r.status}`}>{r.status}</span>
              </td>
              <td className="muted">{r.startTime ? new Date(r.startTime).toLocaleString() : ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
