/**
 * Human review (人工复核) under `/api`: a scenario's review rules (`GET` with `review:read`, `PUT` with
 * `scenarios:write`), the queue (`GET /review/items` with filters, cursor pages and counts by status),
 * one item with everything needed to review it, a decision (`confirm`, `correct` with `review:write`;
 * a second decision is 409 `already_decided` unless the body says `"redecide": true`), and the decided
 * items exported as JSONL or CSV. Decisions and rule changes are audited. A reader without `pii:read`
 * sees inputs and outputs masked.
 */
import { Router, type Request } from 'express';
import { REVIEW_RULE_KINDS, ReviewConfirmBodySchema, ReviewCorrectBodySchema, ReviewRulesBodySchema, ReviewStatusSchema, type ReviewItemDetail } from '@shared/review.js';
import { maskRecord, maskText, maskValue } from '@shared/pii.js';
import { reviewDecisionChange, reviewRulesChange } from '../audit/index.js';
import { DomainError } from '../common/domain-error.js';
import { reviewCsv, reviewJsonl } from '../review/export.js';
import type { ReviewExportRow, ReviewService } from '../review/service.js';
import type { ReviewFilter } from '../storage/review.js';
import { getScenario } from '../storage/scenarios.js';
import { allow } from './access.js';
import { audits, auditedRequestIn, requestActor } from './audit-context.js';
import { HttpError, parseBody } from './errors.js';
import { canReadPii, type PiiAccess } from './pii-access.js';

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The queue filter of a request's query (`scenario`, `status`, `reason`). Throws `invalid_filter`. */
function filterOf(req: Request): ReviewFilter {
  const status = text(req.query.status);
  const reason = text(req.query.reason);
  if (status !== undefined && !ReviewStatusSchema.safeParse(status).success) throw new DomainError('invalid', 'invalid_filter', 'status is pending, confirmed or corrected', { path: 'status' });
  if (reason !== undefined && !(REVIEW_RULE_KINDS as readonly string[]).includes(reason)) throw new DomainError('invalid', 'invalid_filter', `reason is one of ${REVIEW_RULE_KINDS.join(', ')}`, { path: 'reason' });
  const parsedStatus = status === undefined ? undefined : ReviewStatusSchema.parse(status);
  return { scenarioId: text(req.query.scenario), ...(parsedStatus ? { status: parsedStatus } : {}), ...(reason ? { reason } : {}) };
}

/** An item as a reader without `pii:read` sees it: the customer's words and numbers masked. */
function masked(item: ReviewItemDetail): ReviewItemDetail {
  const transcripts = Object.fromEntries(Object.entries(item.transcripts).map(([name, turns]) => [name, turns.map((t) => ({ ...t, text: maskText(t.text) }))]));
  return {
    ...item,
    inputs: item.inputs === null ? null : maskRecord(item.inputs),
    transcripts,
    outputs: maskRecord(item.outputs),
    views: item.views.map((v) => ({ ...v, value: maskValue(v.value) })),
    decision: item.decision === null ? null : { ...item.decision, outputs: maskRecord(item.decision.outputs) },
  };
}

function maskedRow(row: ReviewExportRow): ReviewExportRow {
  return { ...row, before: maskRecord(row.before), after: maskRecord(row.after) };
}

/** The routes over one review service. */
export function reviewRoutes(review: ReviewService, readsPii: PiiAccess = canReadPii): Router {
  const router = Router();
  const shown = (req: Request, item: ReviewItemDetail) => (readsPii(req) ? item : masked(item));
  const by = (res: Parameters<typeof requestActor>[0]) => requestActor(res).name ?? 'unknown';

  router.get('/scenarios/:id/review-rules', allow('review:read'), async (req, res) => {
    res.json(await review.rules(req.params.id));
  });
  router.put('/scenarios/:id/review-rules', allow('scenarios:write'), audits('review.rules'), async (req, res) => {
    const body = parseBody(ReviewRulesBodySchema, req.body ?? {});
    const scenario = await getScenario(review.store, req.params.id);
    if (!scenario) throw new DomainError('not_found', 'not_found', `no scenario with id "${req.params.id}"`);
    const done = await auditedRequestIn(review.store, res, (tx) => review.within(tx).setRules(scenario.id, body, by(res)), (d) => reviewRulesChange(scenario, d.before, d.after));
    res.json(done.after);
  });

  router.get('/review/items', allow('review:read'), async (req, res) => {
    const limitText = text(req.query.limit);
    if (limitText !== undefined && !/^\d{1,3}$/.test(limitText)) throw new DomainError('invalid', 'invalid_filter', 'limit is a whole number from 1 to 200', { path: 'limit' });
    const limit = Math.min(Math.max(Number(limitText ?? 50), 1), 200);
    res.json(await review.list(filterOf(req), limit, text(req.query.cursor)));
  });
  router.get('/review/export', allow('review:read'), async (req, res) => {
    const format = text(req.query.format) ?? 'jsonl';
    if (format !== 'jsonl' && format !== 'csv') throw new DomainError('invalid', 'invalid_export_format', 'format is jsonl or csv', { path: 'format' });
    const rows = (await review.decided(filterOf(req))).map((r) => (readsPii(req) ? r : maskedRow(r)));
    const stamp = new Date().toISOString().slice(0, 10);
    if (format === 'csv') res.attachment(`review-${stamp}.csv`).type('text/csv; charset=utf-8').send(reviewCsv(rows));
    else res.attachment(`review-${stamp}.jsonl`).type('application/x-ndjson; charset=utf-8').send(reviewJsonl(rows));
  });
  router.get('/review/items/:id', allow('review:read'), async (req, res) => {
    res.json(shown(req, await review.detail(req.params.id)));
  });
  router.post('/review/items/:id/confirm', allow('review:write'), audits('review.decide'), async (req, res) => {
    const body = parseBody(ReviewConfirmBodySchema, req.body ?? {});
    const done = await auditedRequestIn(review.store, res, (tx) => review.within(tx).decide(req.params.id, body, by(res)), (d) => reviewDecisionChange(d.item, d.previous.status !== 'pending'));
    const { previous: _previous, ...reply } = done;
    res.json({ ...reply, item: shown(req, reply.item) });
  });
  router.post('/review/items/:id/correct', allow('review:write'), audits('review.decide'), async (req, res) => {
    const body = parseBody(ReviewCorrectBodySchema, req.body ?? {});
    // A reader without pii:read sees masked values: a correction of them would store the masks as the answer.
    if (!readsPii(req)) throw new HttpError(403, 'pii_read_required', 'correcting a result needs pii:read: its values are masked for you (confirm it, or ask an inspector)');
    const done = await auditedRequestIn(review.store, res, (tx) => review.within(tx).decide(req.params.id, body, by(res), body.outputs), (d) => reviewDecisionChange(d.item, d.previous.status !== 'pending'));
    const { previous: _previous, ...reply } = done;
    res.json({ ...reply, item: shown(req, reply.item) });
  });
  return router;
}
