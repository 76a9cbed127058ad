import { useEffect, useState } from 'react';

/**
 * False on mount, true once the first frame after it has painted: heavy parts of a panel (Monaco editors,
 * rows below the fold) render right after the panel shows, so selecting a node paints its panel
 * without waiting for them (issue 13: panel rendered ≤ 100 ms after selection, `npm run bench:panel`).
 */
export function useAfterFirstPaint(): boolean {
  const [painted, setPainted] = useState(false);
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const frame = requestAnimationFrame(() => {
      timer = setTimeout(() => setPainted(true), 0);
    });
    return () => {
      cancelAnimationFrame(frame);
      clearTimeout(timer);
    };
  }, []);
  return painted;
}
