/**
 * The audit changes of evaluation runs: which set revision ran on which target, never the cases.
 */
import type { AuditChange } from './record.js';

/** A run as an entry digests it. `version` null: the draft (frozen at the start). */
interface RunState {
  id: string;
  scenarioId: string;
  setId: string;
  setRevision: number;
  version: number | null;
  graphHash: string;
  jobId: string;
  total: number;
}

const target = (run: RunState): AuditChange['target'] => ({ type: 'eval_run', id: run.id, name: null });
const state = (run: RunState) => ({ id: run.id, scenario_id: run.scenarioId, set_id: run.setId, set_revision: run.setRevision, version: run.version, graph_hash: run.graphHash, job_id: run.jobId });
const what = (run: RunState) => `${run.version === null ? 'draft' : `version ${run.version}`} on set revision ${run.setRevision}`;

/** A run was started: its set revision, target and case count. */
export function evalRunStartedChange(run: RunState): AuditChange {
  return { action: 'eval_run.start', target: target(run), after: state(run), summary: `${what(run)}, ${run.total} cases`, details: { scenario_id: run.scenarioId, set_id: run.setId, revision: run.setRevision, version: run.version, cases: run.total, job_id: run.jobId } };
}

/** A run was cancelled before it ended. */
export function evalRunCancelledChange(run: RunState): AuditChange {
  return { action: 'eval_run.cancel', target: target(run), before: state(run), summary: what(run), details: { scenario_id: run.scenarioId, set_id: run.setId, version: run.version, job_id: run.jobId } };
}
