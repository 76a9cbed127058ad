/**
 * What the agent desk of a live call takes from human review: the session's end outputs as review views
 * (forms with the turns each field came from, audit sheets, labels with their class names), and an
 * agent's confirmation written as a case of the scenario's human-review set, the set review decisions go
 * to (the one the review rules name, else 人工复核, made on first need). No HTTP, no session state here.
 */
import { EvalCaseSourceSchema } from '@shared/evaluation.js';
import { isRecord } from '@shared/json.js';
import type { ReviewOutputView } from '@shared/review.js';
import type { SessionTurn } from '@shared/sessions.js';
import { listEvalSets } from '../storage/evaluation.js';
import type { ReviewService } from './service.js';
import { graphLabels } from './labels.js';
import { classNames, outputViews } from './views.js';

/**
 * The views of a live session's outputs (null before its first update: every output empty), read
 * against the session's published version. Throws `not_found` for a scenario that no longer exists.
 */
export async function liveViews(review: ReviewService, scenarioId: string, version: number, values: Record<string, unknown> | null): Promise<ReviewOutputView[]> {
  const { outputs, graph } = await review.targetOutputs(scenarioId, version);
  return outputViews(outputs, values ?? {}, await review.reviewed(scenarioId, outputs), classNames(graph), graphLabels(graph));
}

/** A confirmed live session as it becomes a case. */
export interface LiveCase {
  scenarioId: string;
  version: number;
  sessionId: string;
  /** The final run, when the session has ended with one. */
  runId: string | null;
  turns: SessionTurn[];
  meta: Record<string, unknown> | null;
  /** The start inputs other than the transcript, as the session's creation gave them. */
  otherInputs: Record<string, unknown> | null;
  /** The outputs as the agent confirmed them (the model's, with the agent's edits over them). */
  outputs: Record<string, unknown>;
  by: string;
}

/** The case's inputs: the other inputs, with the call so far as the scenario's transcript input. */
function caseInputs(input: LiveCase, starts: Array<{ name: string; type: string }>): Record<string, unknown> {
  const inputs: Record<string, unknown> = { ...(input.otherInputs ?? {}) };
  const transcript = starts.find((s) => s.type === 'transcript');
  if (transcript) {
    const turns = input.turns.map((t) => ({ id: t.id, role: t.role, text: t.text, ...(t.start === undefined ? {} : { start: t.start }), ...(t.end === undefined ? {} : { end: t.end }) }));
    inputs[transcript.name] = { turns, ...(isRecord(input.meta) ? { meta: input.meta } : {}) };
  }
  return inputs;
}

/**
 * Writes a confirmation as case `live-<session id>` (a second confirmation replaces it, as a new revision)
 * whose expected outputs are the outputs under review that have a value. Returns null, writing nothing,
 * when the scenario has neither review rules nor an evaluation set, or nothing under review has a value.
 * Throws the case checks of `EvaluationSets.addCases` (`invalid_case_inputs`, `invalid_expected_value`).
 */
export async function writeLiveCase(review: ReviewService, input: LiveCase): Promise<{ set_id: string; case_id: string; revision: number } | null> {
  if ((await review.config(input.scenarioId)) === null && (await listEvalSets(review.store, input.scenarioId)).length === 0) return null;
  const { outputs, inputs } = await review.targetOutputs(input.scenarioId, input.version);
  const expected: Record<string, unknown> = {};
  for (const name of await review.reviewed(input.scenarioId, outputs)) {
    const value = input.outputs[name];
    if (value !== undefined && value !== null) expected[name] = value;
  }
  if (Object.keys(expected).length === 0) return null;
  const set = await review.targetSet(input.scenarioId);
  const caseId = `live-${input.sessionId}`;
  const source = EvalCaseSourceSchema.parse({ kind: 'live', session_id: input.sessionId, ...(input.runId === null ? {} : { run_id: input.runId }) });
  const change = await review.sets.addCases(set.id, [{ id: caseId, inputs: caseInputs(input, inputs), expected }], input.by, 'live_confirm', source);
  return { set_id: set.id, case_id: caseId, revision: change.revision };
}
