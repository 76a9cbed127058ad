/** A bounded undo / redo stack of immutable snapshots. Framework-free. */
export interface History<T> {
  past: T[];
  future: T[];
}

const LIMIT = 100;

/** Records `current` as a state to come back to; clears the redo side. */
export function record<T>(h: History<T>, current: T): History<T> {
  return { past: [...h.past.slice(-(LIMIT - 1)), current], future: [] };
}

/** Steps back: returns the state to show and the new history, or null when there is nothing to undo. */
export function undo<T>(h: History<T>, current: T): { state: T; history: History<T> } | null {
  const state = h.past[h.past.length - 1];
  if (state === undefined) return null;
  return { state, history: { past: h.past.slice(0, -1), future: [current, ...h.future] } };
}

/** Steps forward again after an undo. */
export function redo<T>(h: History<T>, current: T): { state: T; history: History<T> } | null {
  const state = h.future[0];
  if (state === undefined) return null;
  return { state, history: { past: [...h.past, current], future: h.future.slice(1) } };
}
