/**
 * The audit changes of evaluation sets. An entry names the set and the revision a change made, with
 * its counts; never the cases (they hold customers' transcripts).
 */
import type { EvalChangeReply } from '@shared/evaluation.js';
import type { AuditChange } from './record.js';

/** A set as an entry digests it: identity and revision, not its cases. */
interface SetState {
  id: string;
  scenarioId: string;
  name: string;
  revision: number;
}

const target = (set: SetState): AuditChange['target'] => ({ type: 'eval_set', id: set.id, name: set.name });
const state = (set: SetState) => ({ id: set.id, scenario_id: set.scenarioId, name: set.name, revision: set.revision });

/** A set was created (empty, or with the cases of a shipped set: `change` then says how many). */
export function evalSetCreatedChange(set: SetState, change?: EvalChangeReply): AuditChange {
  return { action: 'eval_set.create', target: target(set), after: state(set), summary: change ? `${change.cases} cases (revision ${change.revision})` : 'empty', details: { scenario_id: set.scenarioId, cases: change?.cases ?? 0, revision: set.revision } };
}

/** A set and all its revisions were deleted. */
export function evalSetDeletedChange(set: SetState): AuditChange {
  return { action: 'eval_set.delete', target: target(set), before: state(set), summary: `had ${set.revision} revisions`, details: { scenario_id: set.scenarioId, revision: set.revision } };
}

/** The cases changed: `kind` says how (upload, edit, remove, promote_run, promote_job_item, add). */
export function evalSetCasesChange(set: SetState, kind: string, reply: EvalChangeReply): AuditChange {
  return {
    action: 'eval_set.change',
    target: target(set),
    before: state(set),
    after: { ...state(set), revision: reply.revision },
    summary: `${kind}: revision ${reply.revision}, +${reply.added} ~${reply.changed} -${reply.removed}, ${reply.cases} cases`,
    details: { change: kind, revision: reply.revision, added: reply.added, changed: reply.changed, removed: reply.removed, cases: reply.cases },
  };
}

/** How a set's runs are scored changed: which outputs have overrides now (kind per output), never the cases. */
export function evalSetMetricsChange(set: SetState, before: Record<string, { kind?: string }>, after: Record<string, { kind?: string }>): AuditChange {
  const words = (o: Record<string, { kind?: string }>) => Object.entries(o).map(([name, v]) => `${name}${v.kind ? `=${v.kind}` : ''}`).join(', ');
  return { action: 'eval_set.metrics', target: target(set), before: { ...state(set), metrics: before }, after: { ...state(set), metrics: after }, summary: words(after) || 'type-based choice for every output', details: { scenario_id: set.scenarioId, overrides: words(after) } };
}
