/** The evaluation-set endpoints under `/api`, as the 评测集 page and the "add to set" actions call them. */
import type { EvalChangeReply, EvalRevisionList, EvalSetDetail, EvalSetList, EvalSetSummary, EvalTargets, EvalUploadPreview, PromoteBody } from '@shared/evaluation';
import type { VersionSummary } from '@shared/publish';
import type { EvalRunCases, EvalRunComparison, EvalRunDetail, EvalRunList, EvalRunStarted, EvalRunTarget } from '@shared/evaluation-runs';
import { query, send } from '../publish/http';
import { sendJson } from '../api';
import type { PreparedUpload } from '../jobs/upload';

export type { EvalChangeReply, EvalRevisionList, EvalSetDetail, EvalSetSummary, EvalTargets, EvalUploadPreview };

const enc = encodeURIComponent;

/** Characters of a text file a preview sends at most: the first rows are in them, and a 100 MB file is not sent twice. */
export const PREVIEW_HEAD_CHARS = 1_000_000;

/**
 * What a preview sends of a file: a workbook whole (the server unzips it), a text up to its last line
 * break within {@link PREVIEW_HEAD_CHARS} (the whole text when shorter).
 */
export function previewHead(body: string | Blob): string | Blob {
  if (typeof body !== 'string' || body.length <= PREVIEW_HEAD_CHARS) return body;
  const head = body.slice(0, PREVIEW_HEAD_CHARS);
  const end = head.lastIndexOf('\n');
  return end > 0 ? head.slice(0, end + 1) : head;
}

export const evalApi = {
  list: async (scenarioId: string) => (await send<EvalSetList>('GET', `/api/scenarios/${enc(scenarioId)}/eval-sets`)).sets,
  targets: (scenarioId: string) => send<EvalTargets>('GET', `/api/scenarios/${enc(scenarioId)}/eval-sets/targets`),
  create: (scenarioId: string, name: string, description = '') => send<EvalSetSummary>('POST', `/api/scenarios/${enc(scenarioId)}/eval-sets`, { name, description }),
  importBuiltin: (scenarioId: string, name: string) => send<EvalSetSummary>('POST', `/api/scenarios/${enc(scenarioId)}/eval-sets/import`, { name }),
  get: (setId: string, revision?: number) => send<EvalSetDetail>('GET', `/api/eval-sets/${enc(setId)}${query({ revision })}`),
  revisions: async (setId: string) => (await send<EvalRevisionList>('GET', `/api/eval-sets/${enc(setId)}/revisions`)).revisions,
  remove: (setId: string) => send<unknown>('DELETE', `/api/eval-sets/${enc(setId)}`),
  updateCase: (setId: string, caseId: string, expected: Record<string, unknown>) => send<EvalChangeReply>('PUT', `/api/eval-sets/${enc(setId)}/cases/${enc(caseId)}`, { expected }),
  removeCase: (setId: string, caseId: string) => send<EvalChangeReply>('DELETE', `/api/eval-sets/${enc(setId)}/cases/${enc(caseId)}`),
  promote: (setId: string, body: PromoteBody) => send<EvalChangeReply>('POST', `/api/eval-sets/${enc(setId)}/promote`, body),
  /** The first rows of a set file as the server reads it (a text file sends only its head: see {@link previewHead}). */
  preview: (scenarioId: string, upload: PreparedUpload, rows = 5) => sendJson<EvalUploadPreview>('POST', `/api/scenarios/${enc(scenarioId)}/eval-sets/preview${query({ rows })}`, previewHead(upload.body), upload.contentType),
  /** Uploads a file into a set, its columns read through `mapping` (target → column) for a table. */
  upload: (setId: string, upload: PreparedUpload, mapping?: Record<string, string>) =>
    sendJson<EvalChangeReply>('POST', `/api/eval-sets/${enc(setId)}/upload${query({ name: upload.name, mapping: mapping === undefined ? undefined : JSON.stringify(mapping) })}`, upload.body, upload.contentType),
  exportUrl: (setId: string, revision: number) => `/api/eval-sets/${enc(setId)}/export?revision=${revision}`,
  /** The scenario's published versions (what a run may evaluate besides the draft). */
  versions: (scenarioId: string) => send<VersionSummary[]>('GET', `/api/scenarios/${enc(scenarioId)}/versions`),
  /** Evaluation runs: start one (latest revision of the set), list, read, its cases, cancel, compare two. */
  startRun: (scenarioId: string, setId: string, target: EvalRunTarget) => send<EvalRunStarted>('POST', `/api/scenarios/${enc(scenarioId)}/eval-runs`, { set_id: setId, target }),
  runs: async (scenarioId: string) => (await send<EvalRunList>('GET', `/api/scenarios/${enc(scenarioId)}/eval-runs`)).runs,
  run: (runId: string) => send<EvalRunDetail>('GET', `/api/eval-runs/${enc(runId)}`),
  runCases: async (runId: string) => (await send<EvalRunCases>('GET', `/api/eval-runs/${enc(runId)}/cases`)).cases,
  cancelRun: (runId: string) => send<EvalRunDetail>('POST', `/api/eval-runs/${enc(runId)}/cancel`),
  compare: (a: string, b: string) => send<EvalRunComparison>('GET', `/api/eval-runs/compare${query({ a, b })}`),
};
