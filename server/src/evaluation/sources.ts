/**
 * Where a set's cases come from besides a JSON body: an uploaded file (JSONL, CSV, .xlsx), a run from
 * the runs log, a job item (its outputs as the starting `expected`, to be corrected); and where they go:
 * a revision exported as JSONL, the same form an upload reads.
 */
import type { Readable } from 'node:stream';
import type { EvalChangeReply, EvalUploadPreview, PromoteBody } from '@shared/evaluation.js';
import { isRecord } from '@shared/json.js';
import { DomainError } from '../common/domain-error.js';
import { DEFAULT_JOB_UPLOAD_CONFIG, type JobUploadConfig } from '../jobs/upload-config.js';
import { jobItemForCase } from '../storage/evaluation.js';
import { getRun } from '../storage/runs.js';
import { getScenario } from '../storage/scenarios.js';
import type { EvaluationSets } from './sets.js';
import type { CaseTargets } from './targets.js';
import { previewCases, readCases, type CaseUpload } from './upload.js';

/**
 * Reads an uploaded file into the set as one new revision (cases whose id the set holds are replaced).
 * Throws the upload's refusals (see {@link readCases}), `empty_upload`, and the case checks of
 * {@link EvaluationSets.addCases} with the file's line.
 */
export async function uploadCases(sets: EvaluationSets, setId: string, body: Readable, upload: CaseUpload & { fileName?: string }, by: string, limits: JobUploadConfig = DEFAULT_JOB_UPLOAD_CONFIG): Promise<EvalChangeReply> {
  const set = await sets.get(setId);
  const cases = await readCases(body, upload, await sets.caseTargets(set.scenarioId), limits);
  if (cases.length === 0) throw new DomainError('invalid', 'empty_upload', 'the file holds no case');
  return sets.addCases(set.id, cases, by, 'upload', { kind: 'upload', ...(upload.fileName ? { name: upload.fileName.slice(0, 200) } : {}) });
}

/** The mapping preview of a set file for the scenario's cases (see {@link previewCases}); throws what an upload of it would. */
export function previewUploadCases(body: Readable, upload: Pick<CaseUpload, 'contentType' | 'contentEncoding'>, rows: number, targets: CaseTargets, limits: JobUploadConfig = DEFAULT_JOB_UPLOAD_CONFIG): Promise<EvalUploadPreview> {
  return previewCases(body, upload, limits, rows, targets);
}

/** The outputs of a run or item kept as a starting `expected`: those the scenario's end declares. */
function startingExpected(outputs: unknown, outputNames: string[]): Record<string, unknown> {
  if (!isRecord(outputs)) return {};
  return Object.fromEntries(Object.entries(outputs).filter(([name]) => outputNames.includes(name)));
}

/**
 * Makes a run (`run_id`) or a job item (`job_id` + `item_id`) of the set's scenario a case: its inputs,
 * and its outputs as the expected outputs to correct. Throws `unknown_run` / `unknown_item` (none, or
 * of another scenario), `run_not_finished` (running, or failed: no outputs), `transcripts_redacted`
 * (its inputs were cleared by the retention), and the case checks.
 */
/**
 * Refuses a run or job item the set's latest revision already holds as a case (409 `already_in_set`,
 * details `{ case_id }`): promoting it twice would make two copies to keep in step. Passing `case_id`
 * (re-promoting into that case) is taken as replacing it.
 */
async function refuseTwice(sets: EvaluationSets, setId: string, body: PromoteBody): Promise<void> {
  if (body.case_id !== undefined) return;
  const same = (await sets.casesOf(setId)).find((c) => ('run_id' in body ? c.source.kind === 'run' && c.source.run_id === body.run_id : c.source.kind === 'job_item' && c.source.job_id === body.job_id && c.source.item_id === body.item_id));
  if (same) throw new DomainError('conflict', 'already_in_set', `the set already holds this ${'run_id' in body ? 'run' : 'job item'} as case "${same.id}"; edit that case instead`, { case_id: same.id });
}

export async function promote(sets: EvaluationSets, setId: string, body: PromoteBody, by: string): Promise<EvalChangeReply> {
  const set = await sets.get(setId);
  await refuseTwice(sets, set.id, body);
  const outputs = (await sets.caseTargets(set.scenarioId)).outputs.map((o) => o.name);
  const id = body.case_id === undefined ? {} : { id: body.case_id };
  if ('run_id' in body) {
    const run = await getRun(sets.store, body.run_id);
    if (!run || run.scenario_id !== set.scenarioId) throw new DomainError('not_found', 'unknown_run', `the scenario has no run "${body.run_id}"`, { run_id: body.run_id });
    if (run.status !== 'succeeded') throw new DomainError('conflict', 'run_not_finished', `run ${run.id} is ${run.status}: only a succeeded run has outputs to start from`, { status: run.status });
    if (!isRecord(run.inputs)) throw new DomainError('conflict', 'transcripts_redacted', `run ${run.id} is past the transcript retention: its inputs were cleared`);
    return sets.addCases(set.id, [{ ...id, inputs: run.inputs, expected: startingExpected(run.outputs, outputs) }], by, 'promote_run', { kind: 'run', run_id: run.id });
  }
  const item = await jobItemForCase(sets.store, body.job_id, body.item_id);
  if (!item || item.scenarioId !== set.scenarioId) throw new DomainError('not_found', 'unknown_item', `the scenario has no job item "${body.item_id}" in job "${body.job_id}"`, { job_id: body.job_id, item_id: body.item_id });
  if (item.status !== 'succeeded') throw new DomainError('conflict', 'run_not_finished', `item ${body.item_id} is ${item.status}: only a succeeded item has outputs to start from`, { status: item.status });
  if (!isRecord(item.inputs)) throw new DomainError('conflict', 'transcripts_redacted', `job ${body.job_id} is past the transcript retention: its items' inputs were cleared`);
  return sets.addCases(set.id, [{ ...id, inputs: item.inputs, expected: startingExpected(item.outputs, outputs) }], by, 'promote_job_item', { kind: 'job_item', job_id: body.job_id, item_id: body.item_id, ...(item.runId ? { run_id: item.runId } : {}) });
}

/** A name part safe in a download's file name: no path separators, quotes or control characters. */
function namePart(text: string): string {
  const cleaned = text.replace(/[\\/:*?"<>|\u0000-\u001f\s]+/g, '-').replace(/^-+|-+$/g, '');
  return cleaned.slice(0, 60) || 'set';
}

/**
 * A revision as JSONL, one `{ "id", "inputs", "expected" }` a line (what an upload reads back), and its
 * download name `<scenario>-<set>-r<N>.jsonl` (the scenario's slug when published, else its name).
 * Throws `unknown_eval_set`, `unknown_revision`.
 */
export async function exportRevision(sets: EvaluationSets, setId: string, revision?: number): Promise<{ fileName: string; text: string; revision: number }> {
  const set = await sets.get(setId);
  const shown = sets.revisionOf(set, revision);
  const scenario = await getScenario(sets.store, set.scenarioId);
  const text = (await sets.casesOf(set.id, shown))
    .map((c) => `${JSON.stringify({ id: c.id, inputs: c.inputs, expected: c.expected })}\n`)
    .join('');
  return { fileName: `${namePart(scenario?.slug ?? scenario?.name ?? 'scenario')}-${namePart(set.name)}-r${shown}.jsonl`, text, revision: shown };
}
