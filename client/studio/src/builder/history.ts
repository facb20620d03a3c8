import { useCallback, useRef, useState } from 'react';
import type { FlowDefinition } from '../types';
import type { Positions } from './layout';

export interface Snapshot {
  def: FlowDefinition;
  positions: Positions;
}

const LIMIT = 200;

/**
 * The flow being edited with undo/redo. Every edit is a new snapshot; `commit(…, merge)` folds
 * edits to the same thing in a row (typing in one field, dragging one node) into one undo step.
 */
export function useEditHistory(initial: Snapshot) {
  const [state, setState] = useState(initial);
  const past = useRef<Snapshot[]>([]);
  const future = useRef<Snapshot[]>([]);
  const lastMerge = useRef<string | undefined>(undefined);

  const commit = useCallback((next: Snapshot | ((s: Snapshot) => Snapshot), mergeKey?: string) => {
    setState((cur) => {
      const value = typeof next === 'function' ? next(cur) : next;
      if (value === cur) return cur;
      if (!mergeKey || mergeKey !== lastMerge.current) {
        past.current.push(cur);
        if (past.current.length > LIMIT) past.current.shift();
      }
      lastMerge.current = mergeKey;
      future.current = [];
      return value;
    });
  }, []);

  /** Replaces the state without an undo step (loading a stored flow). */
  const reset = useCallback((s: Snapshot) => {
    past.current = [];
    future.current = [];
    lastMerge.current = undefined;
    setState(s);
  }, []);

  const undo = useCallback(() => {
    setState((cur) => {
      const prev = past.current.pop();
      if (!prev) return cur;
      future.current.push(cur);
      lastMerge.current = undefined;
      return prev;
    });
  }, []);

  const redo = useCallback(() => {
    setState((cur) => {
      const next = future.current.pop();
      if (!next) return cur;
      past.current.push(cur);
      lastMerge.current = undefined;
      return next;
    });
  }, []);

  return { state, commit, reset, undo, redo, canUndo: past.current.length > 0, canRedo: future.current.length > 0 };
}
