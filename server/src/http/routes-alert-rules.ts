/**
 * Live alert settings under `/api`: a scenario's alert rules, board risk output and webhook (`GET` with
 * `scenarios:read`, `PUT` with `scenarios:write`, audited as `scenario.alert_rules` without the secret),
 * and the recent webhook deliveries of its alerts (`GET …/alert-deliveries`, `scenarios:read`). A PUT
 * that makes a signing secret shows it in its reply, and never again.
 */
import { Router } from 'express';
import { AlertSettingsBodySchema } from '@shared/alerts.js';
import { alertRulesChange } from '../audit/index.js';
import { DomainError } from '../common/domain-error.js';
import type { AlertWebhooks } from '../sessions/alert-webhook.js';
import { getScenario } from '../storage/scenarios.js';
import { allow } from './access.js';
import { audits, auditedRequest, requestActor } from './audit-context.js';
import { parseBody } from './errors.js';

/** Most deliveries one listing returns. */
const MAX_DELIVERIES = 100;

/** The routes over the server's alerting. */
export function alertRuleRoutes(alerting: AlertWebhooks): Router {
  const router = Router();
  const settings = alerting.settings;
  const scenarioOf = (id: string) => {
    const scenario = getScenario(settings.db, id);
    if (!scenario) throw new DomainError('not_found', 'not_found', `no scenario with id "${id}"`);
    return scenario;
  };

  router.get('/scenarios/:id/alert-rules', allow('scenarios:read'), (req, res) => {
    res.json(settings.get(scenarioOf(req.params.id).id));
  });
  router.put('/scenarios/:id/alert-rules', allow('scenarios:write'), audits('scenario.alert_rules'), (req, res) => {
    const body = parseBody(AlertSettingsBodySchema, req.body ?? {});
    const scenario = scenarioOf(req.params.id);
    const by = requestActor(res).name ?? 'unknown';
    const done = auditedRequest(settings.db, res, () => settings.put(scenario.id, body, by), (d) => alertRulesChange(scenario, d.before, d.after, d.secretMade));
    res.json(done.after);
  });
  router.get('/scenarios/:id/alert-deliveries', allow('scenarios:read'), (req, res) => {
    const raw = typeof req.query.limit === 'string' ? req.query.limit : '20';
    if (!/^\d{1,3}$/.test(raw)) throw new DomainError('invalid', 'invalid_filter', `limit is a whole number from 1 to ${MAX_DELIVERIES}`, { path: 'limit' });
    const limit = Math.min(Math.max(Number(raw), 1), MAX_DELIVERIES);
    res.json({ deliveries: alerting.deliveries(scenarioOf(req.params.id).id, limit) });
  });
  return router;
}
