/** The publish gate endpoints (`/api/scenarios/:id/publish-gate[/check]`) and how a gate reads in words. */
import type { TFunction } from 'i18next';
import type { GateCheck, PublishGate, PublishGateState } from '@shared/publish-gate';
import { send } from './http';

export type { GateCheck, PublishGate, PublishGateState };

const base = (id: string) => `/api/scenarios/${encodeURIComponent(id)}/publish-gate`;

export const gateApi = {
  state: (id: string) => send<PublishGateState>('GET', base(id)),
  set: (id: string, gate: PublishGate) => send<PublishGateState>('PUT', base(id), gate),
  remove: (id: string) => send<void>('DELETE', base(id)),
  /** The check as it stands (starts nothing). */
  check: (id: string) => send<GateCheck>('GET', `${base(id)}/check`),
};

/** A metric value as shown: up to four decimals, `–` for none. */
export function metricValue(value: number | null | undefined): string {
  return value === null || value === undefined ? '–' : String(Number(value.toFixed(4)));
}

/** A gate in words: `warn.accuracy（评测集“投诉”）：不低于 0.8；比线上版本最多低 0.02`. */
export function gateSummary(t: TFunction, gate: PublishGate, setName: string | null): string {
  const bars = [gate.min === null ? null : t('gate.min', { min: metricValue(gate.min) }), gate.max_drop === null ? null : t('gate.maxDrop', { maxDrop: metricValue(gate.max_drop) })].filter(Boolean);
  return t('gate.summary', { metric: gate.metric, set: setName ?? gate.set_id, bars: bars.join(t('gate.sep')) });
}
