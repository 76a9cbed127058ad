import { create } from 'zustand';
import type { RunError, RunEvent } from '@shared/index';
import { applyEvent, idleRun, replay, type RunView } from './reduce';

interface RunState extends RunView {
  apply(e: RunEvent): void;
  show(events: RunEvent[]): void;
  /** Folds the events of one node run alone into the shown run (its entry replaced; the run's status kept). */
  showNode(events: RunEvent[], simulated: boolean): void;
  begin(): void;
  fail(error: RunError): void;
  reset(): void;
}

/** The run shown on the canvas: live while streaming, or a reopened one. */
export const useRun = create<RunState>()((set, get) => ({
  ...idleRun,
  apply: (e) => set(applyEvent(get(), e)),
  show: (events) => set({ ...replay(events) }),
  showNode: (events, simulated) => {
    const before = get();
    const after = events.reduce(applyEvent, before);
    set({ nodes: after.nodes, simulated: before.simulated || simulated });
  },
  begin: () => set({ ...idleRun, status: 'running' }),
  fail: (error) => set({ status: 'failed', error }),
  reset: () => set({ ...idleRun }),
}));
