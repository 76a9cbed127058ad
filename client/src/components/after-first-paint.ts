import { createContext, useContext, useEffect, useState } from 'react';

/**
 * What the panel around a component shows (the inspector's selected node id): a panel kept mounted from
 * one node to the next tells its parts which node they now show, so that per-node state starts afresh.
 * Undefined outside such a panel.
 */
export const PanelSubject = createContext<string | undefined>(undefined);

/** The id of the node the surrounding panel shows (see {@link PanelSubject}), or undefined. */
export function usePanelSubject(): string | undefined {
  return useContext(PanelSubject);
}

/**
 * False on mount and whenever the surrounding panel turns to another node (see {@link PanelSubject}),
 * true once the first frame after that has painted: heavy parts of a panel (Monaco editors, rows below
 * the fold) render right after the panel shows, so selecting a node paints its panel without waiting
 * for them (issue 13: panel rendered ≤ 100 ms after selection, `npm run bench:panel`).
 */
export function useAfterFirstPaint(): boolean {
  const subject = usePanelSubject();
  // The subject the last paint was for: comparing it with the current one resets in the same render.
  const [paintedFor, setPaintedFor] = useState<{ subject: string | undefined } | null>(null);
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const frame = requestAnimationFrame(() => {
      timer = setTimeout(() => setPaintedFor({ subject }), 0);
    });
    return () => {
      cancelAnimationFrame(frame);
      clearTimeout(timer);
    };
  }, [subject]);
  return paintedFor !== null && paintedFor.subject === subject;
}
