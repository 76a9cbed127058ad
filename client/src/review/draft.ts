/**
 * The review page's logic apart from React: a reason in words, the inspector's draft of the reviewed
 * outputs and what it changed, audit items toggled, and the keys that drive the page. Framework-free.
 */
import type { TFunction } from 'i18next';
import { isRecord } from '@shared/json';
import type { ReviewItemDetail, ReviewOutputView, ReviewReason } from '@shared/review';

/** A reason as a short text: 置信度 0.42 < 0.6, 红线：abuse, 分歧：low ≠ high, 抽样 5%, 全量复核. */
export function reasonText(t: TFunction, reason: ReviewReason): string {
  switch (reason.code) {
    case 'low_confidence':
      return t('review.reason.low_confidence', { output: reason.output, value: typeof reason.value === 'number' ? Math.round(reason.value * 1000) / 1000 : '?', threshold: reason.threshold });
    case 'red_line':
      return reason.items && reason.items.length > 0 ? t('review.reason.red_line', { output: reason.output, items: reason.items.join(', ') }) : t('review.reason.verdict_fail', { output: reason.output });
    case 'disagreement': {
      const [a, b] = Array.isArray(reason.value) ? reason.value : [];
      const show = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));
      return t('review.reason.disagreement', { a: reason.outputs?.[0], b: reason.outputs?.[1], va: show(a), vb: show(b) });
    }
    case 'daily_sample':
      return t('review.reason.daily_sample', { percent: reason.threshold });
    case 'always':
      return t('review.reason.always');
  }
}

/** The starting draft: each reviewed output's value as the model gave it. */
export function initialDraft(item: ReviewItemDetail): Record<string, unknown> {
  const source = item.decision?.outputs ?? {};
  return Object.fromEntries(item.views.filter((v) => v.reviewed).map((v) => [v.name, v.name in source ? source[v.name] : v.value]));
}

/** The reviewed outputs whose draft differs from the model's value (what a correction sends). */
export function changedOutputs(item: ReviewItemDetail, draft: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const view of item.views) {
    if (!view.reviewed || !(view.name in draft)) continue;
    if (JSON.stringify(draft[view.name]) !== JSON.stringify(view.value)) out[view.name] = draft[view.name];
  }
  return out;
}

/** A form's fields with the draft's value over the model's. */
export function withField(form: unknown, field: string, value: unknown): Record<string, unknown> {
  return { ...(isRecord(form) ? form : {}), [field]: value };
}

/** An audit output (its items list, or an object holding `items`) with item `id` set to `result`. */
export function withItemResult(audit: unknown, id: string, result: 'pass' | 'fail'): unknown {
  const flip = (items: unknown[]) => items.map((it) => (isRecord(it) && it.id === id ? { ...it, result } : it));
  if (Array.isArray(audit)) return flip(audit);
  if (isRecord(audit) && Array.isArray(audit.items)) return { ...audit, items: flip(audit.items) };
  return audit;
}

/** The audit items of an output value (a list, or an object's `items`). */
export function auditItems(value: unknown): Array<{ id: string; name: string; result: string; fatal: boolean; evidence: string[]; reason: string }> {
  const list = Array.isArray(value) ? value : isRecord(value) && Array.isArray(value.items) ? value.items : [];
  return list.flatMap((it) =>
    isRecord(it) && typeof it.id === 'string'
      ? [{ id: it.id, name: typeof it.name === 'string' ? it.name : it.id, result: typeof it.result === 'string' ? it.result : '', fatal: it.fatal === true, evidence: Array.isArray(it.evidence) ? it.evidence.filter((e): e is string => typeof e === 'string') : [], reason: typeof it.reason === 'string' ? it.reason : '' }]
      : [],
  );
}

/** What a key press asks of the page: decide (confirm, or save the correction when something changed), or move in the queue. */
export function keyAction(e: { key: string; ctrlKey: boolean; metaKey: boolean; altKey: boolean }, typing: boolean): 'decide' | 'next' | 'previous' | undefined {
  if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) return 'decide';
  if (typing || e.ctrlKey || e.metaKey || e.altKey) return undefined;
  if (e.key === 'j' || e.key === 'ArrowDown') return 'next';
  if (e.key === 'k' || e.key === 'ArrowUp') return 'previous';
  return undefined;
}

/** An output's name as people read it: its label where the graph declares one, else its key. */
export function outputLabel(view: Pick<ReviewOutputView, 'name' | 'label'>): string {
  return view.label ?? view.name;
}

/** A form field's name as people read it (联系电话 for `phone`): its label where the graph declares one, else its key. */
export function fieldLabel(view: Pick<ReviewOutputView, 'field_labels'>, key: string): string {
  return view.field_labels?.[key] ?? key;
}
