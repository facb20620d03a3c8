import { ReactFlowProvider } from '@xyflow/react';
import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { enc } from '../api';
import { useCatalogue } from '../catalogue';
import { Canvas } from '../builder/Canvas';
import { completePositions } from '../builder/layout';
import { useApi } from '../context';
import { href } from '../route';
import type { FlowDefinition, FlowLayout, ValidationIssue } from '../types';

// Constants: new ones per render would rebuild every canvas node on each run update.
const NONE_SELECTED = new Set<string>();
const NO_ISSUES: ValidationIssue[] = [];
import { LogPane } from './LogPane';
import { FINISHED, useRunWatch } from './watch';

/** One run: its graph with the path taken, variables, messages, trail, approvals; cancel; Temporal link. */
export function RunPage({ runId }: { runId: string }) {
  const api = useApi();
  const catalogue = useCatalogue();
  const watch = useRunWatch(runId);
  const s = watch.status;
  const [busy, setBusy] = useState(false);
  const version = s?.flowVersion as number | undefined;
  // The version the run started with, drawn as it was saved (or laid out when saved without a layout).
  const flow = useQuery({
    queryKey: ['run-definition', s?.flowId, version],
    enabled: Boolean(s?.flowId),
    queryFn: async (): Promise<{ definition: FlowDefinition; layout?: FlowLayout }> => {
      const d = (s as { definition?: FlowDefinition }).definition;
      if (d) return { definition: d };
      return version !== undefined ? await api.sdk.getFlowVersion(s!.flowId, version) : await api.sdk.getFlow(s!.flowId);
    },
    retry: false,
  });
  const def = { data: flow.data?.definition, error: flow.error };
  const positions = useMemo(() => (flow.data ? completePositions(flow.data.definition, flow.data.layout ?? {}) : {}), [flow.data]);
  const temporalUi = (s?.temporalUi ?? s?.temporalUrl) as string | undefined;
  if (!s) return <p className="loading">{watch.error ?? 'Loading run…'}</p>;
  return (
    <div className="run-page" data-testid="run-page">
      <div className="toolbar">
        <b>{runId}</b>
        <span className={`status ${s.status}`} data-testid="run-status">
          {s.status}
        </span>
        <span className="muted">
          flow <a href={href('flows', s.flowId)}>{s.flowId}</a> {s.version ? `version ${s.version}` : ''}
        </span>
        <span className="spacer" />
        {temporalUi && (
          <a href={temporalUi} target="_blank" rel="noreferrer">
            Open in Temporal Web UI
          </a>
        )}
        {!FINISHED.has(s.status) && (
          <button
            type="button"
            disabled={busy}
            data-testid="cancel-run"
            onClick={async () => {
              setBusy(true);
              await api.post(`/v1/runs/${enc(runId)}/cancel`).finally(() => setBusy(false));
            }}
          >
            Cancel run
          </button>
        )}
      </div>
      <div className="run-body">
        <div className="run-graph">
          {def.data && catalogue.data ? (
            <ReactFlowProvider>
              <Canvas def={def.data} positions={positions} catalogue={catalogue.data} issues={NO_ISSUES} selected={NONE_SELECTED} runStates={watch.runStates} visitedEdges={watch.visitedEdges} readOnly />
            </ReactFlowProvider>
          ) : (
            <p className="muted">{def.error ? `The flow's definition is not in the store (${(def.error as Error).message}).` : 'Loading graph…'}</p>
          )}
        </div>
        <div className="run-side">
          {s.pendingApprovals?.length > 0 && (
            <section>
              <h4>Pending approvals</h4>
              {s.pendingApprovals.map((p) => (
                <p key={p.node}>
                  <b>{p.node}</b>: {p.prompt} — <a href={href('approvals')}>decide in the inbox</a>
                </p>
              ))}
            </section>
          )}
          {s.error && <p className="field-error">{s.error.node ? `${s.error.node}: ` : ''}{s.error.message}</p>}
          <section>
            <h4>Path taken</h4>
            <p data-testid="run-path">{(s.trail ?? []).map((t) => t.node).join(' → ')}</p>
          </section>
          <section>
            <h4>Variables</h4>
            <pre>{JSON.stringify(s.variables ?? {}, null, 2)}</pre>
          </section>
          <section>
            <h4>Messages</h4>
            {(s.messages ?? []).map((m, i) => (
              <div key={i} className={`bubble ${m.role}`}>
                {typeof m.content === 'string' ? m.content : JSON.stringify(m.content)}
              </div>
            ))}
          </section>
          {s.approvals?.length > 0 && (
            <section>
              <h4>Decided approvals</h4>
              {s.approvals.map((a, i) => (
                <p key={i}>
                  <b>{a.node}</b> {a.decision} by {a.by ?? '—'} at {new Date(a.decidedAt).toLocaleString()} {a.comment ? `“${a.comment}”` : ''}
                </p>
              ))}
            </section>
          )}
          <section>
            <h4>Trail</h4>
            <LogPane trail={s.trail ?? []} current={FINISHED.has(s.status) ? undefined : s.currentNode} />
          </section>
        </div>
      </div>
    </div>
  );
}
