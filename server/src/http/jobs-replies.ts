/**
 * The HTTP side of the job operations both `/v1` and `/api` offer: reads what the request says
 * (headers, query), calls the {@link JobService}, and writes the reply. Refusals come back as
 * {@link DomainError}s and are sent with their kind's status (see `errors.ts`), with the same
 * `{ error: { code, message, details? } }` body as every other error.
 */
import { z } from 'zod';
import type { Request, Response } from 'express';
import { DomainError } from '../common/domain-error.js';
import { assertNoNul } from '../common/nul.js';
import type { JobService } from '../jobs/service.js';
import type { ResolvedScenario } from '../publish/registry.js';
import type { JobRow } from '../storage/jobs.js';
import { XLSX_MEDIA_TYPE, type JobResultLine } from '@shared/jobs.js';
import type { ResultColumn } from '../jobs/result-columns.js';
import { sendDomainError } from './errors.js';
import { recordRequest } from './audit-context.js';
import type { AuditChange } from '../audit/index.js';

/** What a job's audit entries digest: its identity and state, never its items (customers' transcripts). */
function jobState(job: JobRow) {
  return { id: job.id, scenario_id: job.scenarioId, slug: job.slug, version: job.version, owner: job.owner, status: job.status, total: job.total };
}

function jobTarget(job: JobRow): AuditChange['target'] {
  return { type: 'job', id: job.id, name: `${job.slug} v${job.version}` };
}

/** Runs `act`; a DomainError becomes its reply, anything else propagates. */
async function replying(res: Response, act: () => unknown): Promise<void> {
  try {
    await act();
  } catch (error) {
    if (error instanceof DomainError) return sendDomainError(res, error);
    throw error;
  }
}

/** A column mapping: at most 500 inputs, each to a column name of at most 1000 characters. */
const MappingSchema = z.record(z.string(), z.string().max(1000)).refine((m) => Object.keys(m).length <= 500, { message: 'at most 500 inputs', params: { rule: 'mapping_too_many', maximum: 500 } });

/**
 * The `?mapping=` of a submission: a JSON object of input name (or `id`) → the file's column, or
 * undefined without one. Throws a {@link DomainError} `invalid_mapping` when it is not such an object,
 * `nul_character` when it holds U+0000.
 */
export function mappingParam(value: unknown): Record<string, string> | undefined {
  if (value === undefined || value === '') return undefined;
  let parsed: unknown;
  try {
    parsed = typeof value === 'string' ? JSON.parse(value) : undefined;
  } catch {
    parsed = undefined;
  }
  // `\u0000` written inside the JSON passes the front door's `%00` check: the NUL rule holds here too.
  assertNoNul(parsed, 'query.mapping', 'the column mapping');
  const mapping = MappingSchema.safeParse(parsed);
  if (!mapping.success) throw new DomainError('invalid', 'invalid_mapping', 'mapping must be a JSON object of input name → column name, e.g. {"transcript":"通话内容"}', { reason: 'not_object' });
  return mapping.data;
}

/**
 * Submits the request's body as a job for `target`, its columns read through `?mapping=` when given:
 * 202 `{ job_id, total }` for a new job, 200 for a replay (same Idempotency-Key, same body), else 400,
 * 409, 413 or 415 (see {@link JobService.submit}).
 */
export async function replySubmit(jobs: JobService, req: Request, res: Response, target: ResolvedScenario, owner: string): Promise<void> {
  const rawKey = req.headers['idempotency-key'];
  const idempotencyKey = typeof rawKey === 'string' && rawKey.trim() !== '' ? rawKey.trim().slice(0, 200) : null;
  const webhookUrl = typeof req.query.webhook === 'string' && req.query.webhook !== '' ? req.query.webhook : undefined;
  await replying(res, async () => {
    const mapping = mappingParam(req.query.mapping);
    const { outcome, job } = await jobs.submit(req, { contentType: req.headers['content-type'], contentEncoding: req.headers['content-encoding'], idempotencyKey, webhookUrl, mapping }, target, owner);
    // A replay changes nothing. The upload streams in chunks, so the entry follows the job's creation.
    if (outcome === 'created') await recordRequest(jobs.dataStore, res, { action: 'job.submit', target: jobTarget(job), after: jobState(job), summary: `${job.total} items`, details: { items: job.total } });
    res.status(outcome === 'created' ? 202 : 200).json({ job_id: job.id, total: job.total });
  });
}

/** `POST …/jobs/preview`: 200 with the file's columns and first rows (`?rows=`, default 5), or the submission's refusals. */
export async function replyPreview(jobs: JobService, req: Request, res: Response): Promise<void> {
  const rows = typeof req.query.rows === 'string' && /^\d{1,3}$/.test(req.query.rows) ? Number(req.query.rows) : 5;
  await replying(res, async () => {
    res.json(await jobs.preview(req, { contentType: req.headers['content-type'], contentEncoding: req.headers['content-encoding'] }, rows));
  });
}

/** `POST …/cancel`: 200 with the progress, or 409 `job_ended` when the job had already ended. */
export async function replyCancel(jobs: JobService, res: Response, job: JobRow): Promise<void> {
  await replying(res, async () => {
    const progress = await jobs.cancel(job);
    const after = (await jobs.store.getJob(job.id)) ?? job;
    await recordRequest(jobs.dataStore, res, { action: 'job.cancel', target: jobTarget(job), before: jobState(job), after: jobState(after), summary: `${job.status} → ${after.status}`, details: { from: job.status, to: after.status } });
    res.json(progress);
  });
}

/** Retries one failed item, or every failed item without `itemId`: 202 `{ retried, job }`, or 404/409. */
export async function replyRetry(jobs: JobService, res: Response, job: JobRow, itemId?: string): Promise<void> {
  await replying(res, async () => {
    const reply = await jobs.retry(job, itemId);
    const after = (await jobs.store.getJob(job.id)) ?? job;
    const what = itemId === undefined ? `${reply.retried} failed items` : `item ${itemId.slice(0, 100)}`;
    await recordRequest(jobs.dataStore, res, { action: 'job.retry', target: jobTarget(job), before: jobState(job), after: jobState(after), summary: `${what} queued again`, details: itemId === undefined ? { retried: reply.retried } : { item: itemId.slice(0, 100) } });
    res.status(202).json(reply);
  });
}

/** The media type of each results format. */
const RESULT_TYPES = { jsonl: 'application/x-ndjson; charset=utf-8', csv: 'text/csv; charset=utf-8', xlsx: XLSX_MEDIA_TYPE } as const;

/**
 * Streams the results as JSONL, or as a CSV (`?format=csv`) or Excel (`?format=xlsx`) download laid
 * out by `columns`; `shape` turns each line into what this reader may see (customers' data masked, for
 * one without `pii:read`).
 */
export async function replyResults(jobs: JobService, req: Request, res: Response, job: JobRow, columns: ResultColumn[], shape?: (line: JobResultLine) => JobResultLine): Promise<void> {
  const format = req.query.format === 'csv' ? 'csv' : req.query.format === 'xlsx' ? 'xlsx' : 'jsonl';
  res.status(200);
  // A download named by the scenario, the job's day and its id, with the format's extension (the JSONL
  // one was saved as a bare "results"); `attachment` (content-disposition) quotes the name.
  res.attachment(`${job.slug}-${new Date(job.createdAt).toISOString().slice(0, 10)}-${job.id.slice(0, 8)}.${format}`);
  res.setHeader('content-type', RESULT_TYPES[format]);
  await jobs.results(res, job, format, columns, shape);
}
