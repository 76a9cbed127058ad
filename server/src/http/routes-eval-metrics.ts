/**
 * `/api/eval-sets/:setId/metrics`: how a set's runs score each end output — the type-based plan of the
 * scenario's draft, the set's overrides, and the plan with them (`eval:read`); replace the overrides
 * (`eval:write`, audited as `eval_set.metrics`). See `server/src/evaluation/metric-settings.ts`.
 */
import { Router, type Request, type Response } from 'express';
import { MetricSettingsBodySchema } from '@shared/evaluation-metrics.js';
import { evalSetMetricsChange, recordAuditIn } from '../audit/index.js';
import type { CompileOptions } from '../engine/index.js';
import { metricSettings, saveMetricOverrides, storedOverrides } from '../evaluation/metric-settings.js';
import { getEvalSet } from '../storage/evaluation.js';
import { allow } from './access.js';
import { audits, requestActor } from './audit-context.js';
import type { DataStore } from '../storage/store.js';
import { parseBody } from './errors.js';
import { acceptsQuery } from './query-params.js';

/**
 * The routes; `compile` gives the options a draft is compiled with (template limits, the endpoints'
 * aliases); `store` is where the sets and their scenarios are (SQLite or PostgreSQL).
 */
export function evalMetricRoutes(store: DataStore, compile: () => CompileOptions): Router {
  const router = Router();
  router.get('/eval-sets/:setId/metrics', allow('eval:read'), acceptsQuery(), async (req: Request<{ setId: string }>, res: Response) => {
    res.json(await metricSettings(store, req.params.setId, compile()));
  });
  router.put('/eval-sets/:setId/metrics', allow('eval:write'), acceptsQuery(), audits('eval_set.metrics'), async (req: Request<{ setId: string }>, res: Response) => {
    const body = parseBody(MetricSettingsBodySchema, req.body ?? {});
    const before = storedOverrides(await getEvalSet(store, req.params.setId));
    const settings = await saveMetricOverrides(store, req.params.setId, body.overrides, compile());
    const set = await getEvalSet(store, req.params.setId);
    if (set) await recordAuditIn(store, requestActor(res), evalSetMetricsChange(set, before, settings.overrides));
    res.json(settings);
  });
  return router;
}
