import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useApi } from '../context';
import type { FlowVersion, StoredFlowVersion } from '../types';
import { diffLines } from './diff';
import { toYaml } from './doc';


/** Version history of a stored flow: diff any two versions, roll back to one. */
export function VersionsPanel({ flowId, onRolledBack }: { flowId: string; onRolledBack: (v: StoredFlowVersion) => void }) {
  const api = useApi();
  const qc = useQueryClient();
  const versions = useQuery({
    queryKey: ['flow-versions', flowId],
    queryFn: () => api.sdk.flowVersions(flowId),
  });
  const [a, setA] = useState<number>();
  const [b, setB] = useState<number>();
  const [error, setError] = useState<string>();
  const load = (v: number) => api.sdk.getFlowVersion(flowId, v);
  const diff = useQuery({
    queryKey: ['flow-diff', flowId, a, b],
    enabled: a !== undefined && b !== undefined,
    queryFn: async () => {
      const [x, y] = await Promise.all([load(a!), load(b!)]);
      return diffLines(toYaml(x.definition), toYaml(y.definition));
    },
  });
  if (versions.isLoading) return <p>Loading versions…</p>;
  if (versions.error) return <p className="field-error">{(versions.error as Error).message}</p>;
  const list: FlowVersion[] = [...(versions.data?.versions ?? [])].sort((x, y) => y.version - x.version);
  return (
    <div className="versions-panel" data-testid="versions-panel">
      {error && <p className="field-error">{error}</p>}
      <table>
        <thead>
          <tr>
            <th>from</th>
            <th>to</th>
            <th>version</th>
            <th>saved</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {list.map((v) => (
            <tr key={v.version} data-testid={`version-${v.version}`}>
              <td>
                <input type="radio" name="diff-a" checked={a === v.version} onChange={() => setA(v.version)} data-testid={`diff-a-${v.version}`} />
              </td>
              <td>
                <input type="radio" name="diff-b" checked={b === v.version} onChange={() => setB(v.version)} data-testid={`diff-b-${v.version}`} />
              </td>
              <td>
                <b>v{v.version}</b> {v.message && <span className="muted">{v.message}</span>}
              </td>
              <td className="muted">
                {new Date(v.createdAt).toLocaleString()} {v.createdBy}
              </td>
              <td>
                <button
                  type="button"
                  data-testid={`rollback-${v.version}`}
                  disabled={v.version === list[0]?.version}
                  onClick={async () => {
                    try {
                      setError(undefined);
                      const r = await api.sdk.rollbackFlow(flowId, v.version);
                      await qc.invalidateQueries({ queryKey: ['flow-versions', flowId] });
                      await qc.invalidateQueries({ queryKey: ['flows'] });
                      onRolledBack(await load(r.version));
                    } catch (e) {
                      setError((e as Error).message);
                    }
                  }}
                >
                  roll back to this
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {a !== undefined && b !== undefined && (
        <pre className="diff" data-testid="version-diff">
          {diff.data?.map((l, i) => (
            <div key={i} className={l.op === '+' ? 'add' : l.op === '-' ? 'del' : ''}>
              {l.op} {l.text}
            </div>
          ))}
        </pre>
      )}
    </div>
  );
}
