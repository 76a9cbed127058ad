/** The jobs and dashboard admin endpoints under `/api`, as the jobs page calls them. */
import type { JobCreated, JobDetail, JobList, JobProgress, JobUploadPreview, JobUploadTemplate } from '@shared/jobs';
import type { CallDetail, CallPage, Dashboard, JobScenario } from '@shared/dashboard';
import type { VersionSummary } from '@shared/publish';
import { DetailedApiError, query, send } from '../publish/http';
import { isRecord, sendJson } from '../api';
import type { PreparedUpload } from './upload';

/** One job as the jobs list shows it. */
export type JobListItem = JobList['jobs'][number];
export type { CallDetail, CallPage, Dashboard, JobDetail, JobProgress, JobScenario, JobUploadPreview, JobUploadTemplate, VersionSummary };

const enc = encodeURIComponent;

/** The scope of a dashboard: one job, or a time range (epoch ms) over all the scenario's jobs. */
export interface DashboardScope {
  job_id?: string;
  from?: number;
  to?: number;
}

function scopeParams(scope: DashboardScope): Record<string, string | number | undefined> {
  return { job_id: scope.job_id, from: scope.from, to: scope.to, tz: -new Date().getTimezoneOffset() };
}

/**
 * Sends a prepared file as the job's body, its columns read through `mapping` (input → the file's
 * column) when given; a refused line comes back as a DetailedApiError with `details.line` (and `column`).
 */
async function submit(scenarioId: string, version: number | undefined, upload: PreparedUpload, mapping?: Record<string, string>): Promise<JobCreated> {
  const created = await sendJson<unknown>('POST', `/api/scenarios/${enc(scenarioId)}/jobs${query({ version, mapping: mapping === undefined ? undefined : JSON.stringify(mapping) })}`, upload.body, upload.contentType);
  const reply = isRecord(created) ? created : {};
  return { job_id: String(reply.job_id), total: Number(reply.total) };
}

/** Where a refused upload went wrong: its line (a sheet row with `sheet`), and for a text encoding refused, what it looks like. */
export function refusalPlace(error: unknown): { line?: number; sheet?: string; encoding?: string; column?: string } {
  if (!(error instanceof DetailedApiError) || !isRecord(error.details)) return {};
  const { line, sheet, encoding, column } = error.details;
  return {
    ...(typeof column === 'string' ? { column } : {}),
    ...(typeof line === 'number' ? { line } : {}),
    ...(typeof sheet === 'string' ? { sheet } : {}),
    ...(error.code === 'unsupported_encoding' && typeof encoding === 'string' ? { encoding } : {}),
  };
}

export const jobsApi = {
  scenarios: async () => (await send<{ scenarios: JobScenario[] }>('GET', '/api/dashboard/scenarios')).scenarios,
  versions: (scenarioId: string) => send<VersionSummary[]>('GET', `/api/scenarios/${enc(scenarioId)}/versions`),
  list: async (scenarioId: string) => (await send<JobList>('GET', `/api/jobs${query({ scenario_id: scenarioId, limit: 50 })}`)).jobs,
  get: (jobId: string, offset: number, limit: number) => send<JobDetail>('GET', `/api/jobs/${enc(jobId)}${query({ offset, limit })}`),
  submit,
  /** The first rows of a file as the server reads it (its columns and `rows` rows as text). */
  preview: (scenarioId: string, upload: PreparedUpload, rows = 5) => sendJson<JobUploadPreview>('POST', `/api/scenarios/${enc(scenarioId)}/jobs/preview${query({ rows })}`, upload.body, upload.contentType),
  /** The upload template of a version (its inputs, an example row). */
  template: (scenarioId: string, version: number | undefined) => send<JobUploadTemplate>('GET', `/api/scenarios/${enc(scenarioId)}/jobs/template${query({ version })}`),
  /** The upload template as a CSV or Excel download. */
  templateUrl: (scenarioId: string, version: number | undefined, format: 'csv' | 'xlsx', lang: 'zh' | 'en') => `/api/scenarios/${enc(scenarioId)}/jobs/template${query({ version, format, lang })}`,
  cancel: (jobId: string) => send<JobProgress>('POST', `/api/jobs/${enc(jobId)}/cancel`),
  retryFailed: (jobId: string) => send<{ retried: number }>('POST', `/api/jobs/${enc(jobId)}/retry-failed`),
  retryItem: (jobId: string, itemId: string) => send<{ retried: number }>('POST', `/api/jobs/${enc(jobId)}/items/${enc(itemId)}/retry`),
  /** The results download: JSONL, or CSV / .xlsx with item columns in `lang`. */
  resultsUrl: (jobId: string, format: 'jsonl' | 'csv' | 'xlsx', lang: 'zh' | 'en' = 'zh') => `/api/jobs/${enc(jobId)}/results${format === 'jsonl' ? '' : `?format=${format}&lang=${lang}`}`,
};

export const dashboardApi = {
  get: (scenarioId: string, scope: DashboardScope) => send<Dashboard>('GET', `/api/scenarios/${enc(scenarioId)}/dashboard${query(scopeParams(scope))}`),
  calls: (scenarioId: string, scope: DashboardScope, bucket: string, offset: number, limit: number) =>
    send<CallPage>('GET', `/api/scenarios/${enc(scenarioId)}/dashboard/calls${query({ ...scopeParams(scope), bucket, offset, limit })}`),
  /** One call, by its line in the job when known (item ids may reach this user masked), else by its id. */
  call: (scenarioId: string, jobId: string, itemId: string, line?: number) =>
    send<CallDetail>('GET', `/api/scenarios/${enc(scenarioId)}/dashboard/calls/${enc(jobId)}/${line === undefined ? enc(itemId) : `lines/${line}`}`),
};
