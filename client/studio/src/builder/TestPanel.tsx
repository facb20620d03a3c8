import { useEffect, useState } from 'react';
import { enc } from '../api';
import { useApi } from '../context';
import { href } from '../route';
import { LogPane } from '../runs/LogPane';
import { FINISHED, useRunWatch } from '../runs/watch';
import type { FlowDefinition, JsonValue } from '../types';
import { StructuredInput } from './fields';
import type { NodeRunState } from './Canvas';

interface Turn {
  role: 'user' | 'assistant';
  content: string;
}

/**
 * Chat with the flow being edited: each message starts a run of the current document (with the
 * conversation so far as history), streams its tokens, and shows its log; the canvas follows it.
 */
export function TestPanel({ def, onHighlight }: { def: FlowDefinition; onHighlight: (h: { runStates: Record<string, NodeRunState>; visitedEdges: Set<string> } | undefined) => void }) {
  const api = useApi();
  const [turns, setTurns] = useState<Turn[]>([]);
  const [message, setMessage] = useState('');
  const [variables, setVariables] = useState<JsonValue | undefined>(() => defaultsOf(def));
  const [runId, setRunId] = useState<string>();
  const [error, setError] = useState<string>();
  const watch = useRunWatch(runId);
  const running = runId !== undefined && (!watch.status || !FINISHED.has(watch.status.status));

  useEffect(() => {
    onHighlight(runId ? { runStates: watch.runStates, visitedEdges: watch.visitedEdges } : undefined);
  }, [runId, watch.runStates, watch.visitedEdges, onHighlight]);

  // When a run ends, its replies join the conversation.
  useEffect(() => {
    const s = watch.status;
    if (!s || !FINISHED.has(s.status)) return;
    const replies = s.responses?.length ? s.responses : watch.streamed.trim() ? [watch.streamed.trim()] : [];
    setTurns((t) => (t.length && t[t.length - 1].role === 'user' ? [...t, ...replies.map((content) => ({ role: 'assistant' as const, content }))] : t));
  }, [watch.status?.status]);

  const send = async () => {
    const text = message.trim();
    if (!text) return;
    setError(undefined);
    try {
      const r = await api.post<{ runId: string }>(`/v1/flows/${enc(def.id)}/runs`, {
        definition: def,
        message: text,
        history: turns,
        ...(variables && typeof variables === 'object' && !Array.isArray(variables) ? { variables } : {}),
      });
      setTurns((t) => [...t, { role: 'user', content: text }]);
      setMessage('');
      setRunId(r.runId);
    } catch (e) {
      setError((e as Error).message);
    }
  };

  const s = watch.status;
  return (
    <div className="test-panel" data-testid="test-panel">
      <details>
        <summary>Input variables</summary>
        <StructuredInput value={variables} onChange={setVariables} testid="test-variables" />
      </details>
      <div className="chat" data-testid="chat">
        {turns.map((t, i) => (
          <div key={i} className={`bubble ${t.role}`} data-testid={`chat-${t.role}`}>
            {t.content}
          </div>
        ))}
        {running && (
          <div className="bubble assistant streaming" data-testid="chat-streaming">
            {watch.streamed || <span className="muted">…</span>}
          </div>
        )}
        {s?.pendingApprovals?.map((p) => (
          <div key={p.node} className="bubble approval" data-testid="chat-approval">
            Waiting for approval at <b>{p.node}</b>: {p.prompt} — <a href={href('approvals')}>open the approvals inbox</a>
          </div>
        ))}
        {s?.status === 'failed' && <div className="field-error">The run failed: {s.error?.message ?? 'see the log'}</div>}
      </div>
      {error && <div className="field-error">{error}</div>}
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          void send();
        }}
      >
        <input placeholder="Message the flow…" value={message} onChange={(e) => setMessage(e.target.value)} data-testid="chat-input" disabled={running} />
        <button type="submit" disabled={running || !message.trim()} data-testid="chat-send">
          Send
        </button>
        <button type="button" onClick={() => (setTurns([]), setRunId(undefined))}>
          New chat
        </button>
      </form>
      {runId && (
        <p className="muted">
          Run <a href={href('runs', runId)}>{runId}</a> · <span data-testid="test-run-status">{s?.status ?? 'starting'}</span>
        </p>
      )}
      {s && <LogPane trail={s.trail ?? []} current={FINISHED.has(s.status) ? undefined : s.currentNode} />}
      {watch.error && <div className="field-error">{watch.error}</div>}
    </div>
  );
}

function defaultsOf(def: FlowDefinition): JsonValue | undefined {
  const out: Record<string, JsonValue> = {};
  for (const [k, v] of Object.entries(def.variables ?? {})) if (v.default !== undefined) out[k] = v.default;
  return Object.keys(out).length ? out : undefined;
}

/** Runs one act node's code alone with sample variables (POST /v1/act/run). */
export function ActTry({ code, onClose }: { code: string; onClose: () => void }) {
  const api = useApi();
  const [variables, setVariables] = useState<JsonValue | undefined>({});
  const [result, setResult] = useState<{ ok: boolean; save?: unknown; stdout?: string; error?: unknown }>();
  const [busy, setBusy] = useState(false);
  return (
    <div className="modal" data-testid="act-try">
      <div className="modal-body">
        <h3>Try the act node</h3>
        <p className="muted">Sample variables (YAML):</p>
        <StructuredInput value={variables} onChange={setVariables} testid="act-variables" />
        <div className="row">
          <button
            type="button"
            disabled={busy}
            data-testid="act-run"
            onClick={async () => {
              setBusy(true);
              try {
                setResult(await api.post('/v1/act/run', { code, variables: variables ?? {} }));
              } catch (e) {
                setResult({ ok: false, error: (e as Error).message });
              } finally {
                setBusy(false);
              }
            }}
          >
            {busy ? 'Running…' : 'Run'}
          </button>
          <button type="button" onClick={onClose}>
            Close
          </button>
        </div>
        {result && (
          <div data-testid="act-result" className={result.ok ? '' : 'failed'}>
            <b>{result.ok ? 'ok' : 'failed'}</b>
            {result.stdout ? <pre>{result.stdout}</pre> : null}
            {result.save !== undefined && <pre>save = {JSON.stringify(result.save, null, 2)}</pre>}
            {result.error !== undefined && <pre className="field-error">{typeof result.error === 'string' ? result.error : JSON.stringify(result.error, null, 2)}</pre>}
          </div>
        )}
      </div>
    </div>
  );
}
