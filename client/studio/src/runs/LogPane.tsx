import type { TrailEntry } from '../types';

/** Each node's start and finish, output taken, duration, detail (act stdout among it) and error. */
export function LogPane({ trail, current }: { trail: TrailEntry[]; current?: string }) {
  return (
    <div className="log-pane" data-testid="log-pane">
      {trail.map((t, i) => (
        <div key={i} className={`log-entry ${t.error ? 'failed' : ''}`} data-testid={`log-${t.node}`}>
          <div>
            <b>{t.node}</b> <small className="muted">{t.type}</small> <span className="muted">{new Date(t.startedAt).toLocaleTimeString()}</span>
            {t.finishedAt ? (
              <>
                {' → '}
                {t.output ? <code>{t.output}</code> : 'finished'} <span className="muted">{t.durationMs ?? 0} ms</span>
              </>
            ) : (
              <span className="muted"> started</span>
            )}
          </div>
          {t.error && <div className="field-error">{t.error}</div>}
          {t.detail && Object.keys(t.detail).length > 0 && (
            <dl className="detail">
              {Object.entries(t.detail).map(([k, v]) => (
                <div key={k}>
                  <dt>{k}</dt>
                  <dd>
                    <pre>{typeof v === 'string' ? v : JSON.stringify(v, null, 1)}</pre>
                  </dd>
                </div>
              ))}
            </dl>
          )}
        </div>
      ))}
      {current && !trail.some((t) => t.node === current && !t.finishedAt) && (
        <div className="log-entry running" data-testid={`log-running-${current}`}>
          <b>{current}</b> <span className="muted">running…</span>
        </div>
      )}
    </div>
  );
}
