import { useEffect, useMemo, useRef, useState } from 'react';
import { enc } from '../api';
import { useApi } from '../context';
import type { NodeRunState } from '../builder/Canvas';
import { edgeId } from '../builder/Canvas';
import type { RunStatusView, TrailEntry } from '../types';

export const FINISHED = new Set(['completed', 'failed', 'cancelled', 'terminated', 'timed_out']);

/**
 * Follows a run: its model tokens over SSE (/v1/runs/{run}/events, resumed by event id across
 * model calls) and its state (trail, current node, approvals) from GET /v1/runs/{run} until it ends.
 */
export function useRunWatch(runId: string | undefined) {
  const api = useApi();
  const [status, setStatus] = useState<RunStatusView>();
  const [streamed, setStreamed] = useState('');
  const [error, setError] = useState<string>();
  const statusRef = useRef<RunStatusView>(undefined);

  useEffect(() => {
    if (!runId) return;
    setStatus(undefined);
    setStreamed('');
    setError(undefined);
    const ac = new AbortController();
    let stopped = false;

    // Tokens: one SSE request per model call (the stream closes at each call's done), until the run ends.
    (async () => {
      let lastId = 0;
      while (!ac.signal.aborted) {
        try {
          for await (const ev of api.sdk.runEvents(runId, lastId, { signal: ac.signal, maxReconnects: 0 })) {
            if (ev.id !== undefined) lastId = ev.id;
            if (ev.type === 'token') setStreamed((s) => s + ev.text);
            else if (ev.type === 'restart') setStreamed('');
            else if (ev.type === 'done') setStreamed((s) => (s.endsWith('\n\n') ? s : s + '\n\n'));
          }
        } catch {
          // A stream with nothing more to say ends idle; the state poll says whether the run goes on.
        }
        if (ac.signal.aborted || (statusRef.current && FINISHED.has(statusRef.current.status))) return;
        await new Promise((r) => setTimeout(r, 300));
      }
    })();

    // State: poll while the run is live, slower while it waits for a person or a timer.
    (async () => {
      while (!stopped) {
        try {
          const s = await api.get<RunStatusView>(`/v1/runs/${enc(runId)}`);
          statusRef.current = s;
          setStatus(s);
          setError(undefined);
          if (FINISHED.has(s.status)) {
            setTimeout(() => ac.abort(), 1500);
            return;
          }
          await new Promise((r) => setTimeout(r, s.status.startsWith('waiting') ? 1500 : 400));
        } catch (e) {
          setError((e as Error).message);
          await new Promise((r) => setTimeout(r, 1500));
        }
      }
    })();
    return () => {
      stopped = true;
      ac.abort();
    };
  }, [api, runId]);

  const highlight = useMemo(() => runHighlight(status), [status]);
  return { status, streamed, error, ...highlight };
}

/** Which nodes ran, which one runs now, and which outputs the run took, for the canvas. */
export function runHighlight(status: RunStatusView | undefined): { runStates: Record<string, NodeRunState>; visitedEdges: Set<string> } {
  const runStates: Record<string, NodeRunState> = {};
  const visitedEdges = new Set<string>();
  if (!status) return { runStates, visitedEdges };
  const trail: TrailEntry[] = status.trail ?? [];
  for (const t of trail) {
    runStates[t.node] = t.error ? 'failed' : 'visited';
    if (t.output) visitedEdges.add(edgeId(t.node, t.output));
  }
  if (status.currentNode && !FINISHED.has(status.status)) runStates[status.currentNode] = status.status.startsWith('waiting') ? 'waiting' : 'running';
  return { runStates, visitedEdges };
}
