/**
 * `GET /api/audit` (a page of entries, newest first, with filters and a cursor) and `GET /api/audit.csv`
 * (every matching entry as CSV, written a page at a time), both for `audit:read`. Bad filters are 400
 * `invalid_query` naming each parameter.
 */
import { Router, type Request } from 'express';
import { AuditQuerySchema, type AuditQuery } from '@shared/audit.js';
import { auditPages, listAudit, writeAuditCsv } from '../audit/index.js';
import type { DataStore } from '../storage/store.js';
import { allow } from './access.js';
import { issueDetails } from '@shared/issues.js';
import { HttpError } from './errors.js';

/** The query's filters, or a 400 naming each bad parameter. */
function parseQuery(req: Request): AuditQuery {
  const parsed = AuditQuerySchema.safeParse(req.query);
  if (parsed.success) return parsed.data;
  const issues = issueDetails(parsed.error.issues);
  throw new HttpError(400, 'invalid_query', `bad filter: ${issues.map((i) => `${i.path || 'query'}: ${i.message}`).join('; ')}`, { issues });
}

/** The audit routes (mounted under `/api`). */
export function auditRoutes(store: DataStore): Router {
  const router = Router();

  router.get('/audit', allow('audit:read'), async (req, res) => {
    res.json(await listAudit(store, parseQuery(req)));
  });

  router.get('/audit.csv', allow('audit:read'), async (req, res) => {
    const { cursor: _cursor, limit: _limit, ...filters } = parseQuery(req);
    const name = `mofang-audit-${new Date().toISOString().slice(0, 10)}.csv`;
    res.status(200).type('text/csv; charset=utf-8').set('content-disposition', `attachment; filename="${name}"`);
    await writeAuditCsv(res, auditPages(store, filters));
  });

  return router;
}
