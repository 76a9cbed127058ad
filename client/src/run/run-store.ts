import { create } from 'zustand';
import type { RunError, RunEvent } from '@shared/index';
import { applyEvent, idleRun, replay, type RunView } from './reduce';

interface RunState extends RunView {
  apply(e: RunEvent): void;
  show(events: RunEvent[]): void;
  begin(): void;
  fail(error: RunError): void;
  reset(): void;
}

/** The run shown on the canvas: live while streaming, or a reopened one. */
export const useRun = create<RunState>()((set, get) => ({
  ...idleRun,
  apply: (e) => set(applyEvent(get(), e)),
  show: (events) => set({ ...replay(events) }),
  begin: () => set({ ...idleRun, status: 'running' }),
  fail: (error) => set({ status: 'failed', error }),
  reset: () => set({ ...idleRun }),
}));
