/**
 * The audit changes of human review: a scenario's rules replaced, and a decision on a queued result. An
 * entry names the item and which outputs changed, never their values (they hold customers' words).
 */
import type { ReviewItemDetail, ReviewRulesReply } from '@shared/review.js';
import type { AuditChange } from './record.js';

const rulesState = (r: ReviewRulesReply) => ({ rules: r.rules, outputs: r.outputs, set_id: r.set_id });

/** A scenario's review rules were replaced. */
export function reviewRulesChange(scenario: { id: string; name: string }, before: ReviewRulesReply, after: ReviewRulesReply): AuditChange {
  return {
    action: 'review.rules',
    target: { type: 'scenario', id: scenario.id, name: scenario.name },
    before: rulesState(before),
    after: rulesState(after),
    summary: `${after.rules.map((r) => r.kind).join(', ') || 'no rules'}`,
    details: { rules: after.rules.length, kinds: after.rules.map((r) => r.kind).join(' '), set_id: after.set_id },
  };
}

/** An item was confirmed or corrected (`redecided` when it replaced an earlier decision). */
export function reviewDecisionChange(item: ReviewItemDetail, redecided: boolean): AuditChange {
  const changed = item.decision?.changed ?? [];
  return {
    action: 'review.decide',
    target: { type: 'review_item', id: item.id, name: `${item.slug} ${item.source.kind === 'job_item' ? `${item.source.job_id}/${item.source.item_id}` : item.source.run_id}` },
    after: { status: item.status, changed, case_id: item.decision?.case_id ?? null },
    summary: `${item.status}${changed.length > 0 ? `: ${changed.join(', ')}` : ''}${redecided ? ' (re-decided)' : ''}`,
    details: { status: item.status, changed: changed.join(' '), scenario_id: item.scenario_id, set_id: item.decision?.set_id ?? null, revision: item.decision?.revision ?? null, redecided },
  };
}
