/**
 * Live alert settings under `/api`: a scenario's alert rules, board risk output and webhook (`GET` with
 * `scenarios:read`, `PUT` with `scenarios:write`, audited as `scenario.alert_rules` without the secret),
 * and the recent webhook deliveries of its alerts (`GET …/alert-deliveries`, `scenarios:read`). A PUT
 * that makes a signing secret shows it in its reply, and never again. A reader who may not change the
 * settings sees the webhook URL without its query or credentials (receivers often take a token there).
 */
import { Router, type Response } from 'express';
import { AlertSettingsBodySchema, type AlertSettings } from '@shared/alerts.js';
import { can } from '@shared/permissions.js';
import { alertRulesChange } from '../audit/index.js';
import { DomainError } from '../common/domain-error.js';
import type { AlertWebhooks } from '../sessions/alert-webhook.js';
import { getScenario } from '../storage/scenarios.js';
import { allow, requestUser } from './access.js';
import { appStore, type AppDeps } from './context.js';
import { audits, auditedRequestIn, requestActor } from './audit-context.js';
import { parseBody } from './errors.js';
import { webhookShown } from './pii.js';

/** Most deliveries one listing returns. */
const MAX_DELIVERIES = 100;

/** Whether the request's user may change alert settings (and so see a webhook URL whole). */
function changesScenarios(res: Response): boolean {
  const user = requestUser(res);
  return user !== undefined && can(user.role, 'scenarios:write');
}

function shownSettings(res: Response, settings: AlertSettings): AlertSettings {
  return changesScenarios(res) || settings.webhook_url === null ? settings : { ...settings, webhook_url: webhookShown(settings.webhook_url) };
}

/** The routes over the server's alerting. */
export function alertRuleRoutes(alerting: AlertWebhooks, deps: Pick<AppDeps, 'store'>): Router {
  const router = Router();
  const settings = alerting.settings;
  const scenarioOf = async (id: string) => {
    const scenario = await getScenario(appStore(deps), id);
    if (!scenario) throw new DomainError('not_found', 'not_found', `no scenario with id "${id}"`);
    return scenario;
  };

  router.get('/scenarios/:id/alert-rules', allow('scenarios:read'), async (req, res) => {
    res.json(shownSettings(res, await settings.get((await scenarioOf(req.params.id)).id)));
  });
  router.put('/scenarios/:id/alert-rules', allow('scenarios:write'), audits('scenario.alert_rules'), async (req, res) => {
    const body = parseBody(AlertSettingsBodySchema, req.body ?? {});
    const scenario = await scenarioOf(req.params.id);
    const by = requestActor(res).name ?? 'unknown';
    const done = await settings.put(scenario.id, body, by, (change) => auditedRequestIn(appStore(deps), res, change, (d) => alertRulesChange(scenario, d.before, d.after, d.secretMade)));
    res.json(done.after);
  });
  router.get('/scenarios/:id/alert-deliveries', allow('scenarios:read'), async (req, res) => {
    const raw = typeof req.query.limit === 'string' ? req.query.limit : '20';
    if (!/^\d{1,3}$/.test(raw)) throw new DomainError('invalid', 'invalid_filter', `limit is a whole number from 1 to ${MAX_DELIVERIES}`, { path: 'limit' });
    const limit = Math.min(Math.max(Number(raw), 1), MAX_DELIVERIES);
    const whole = changesScenarios(res);
    res.json({ deliveries: (await alerting.deliveries((await scenarioOf(req.params.id)).id, limit)).map((d) => (whole ? d : { ...d, url: webhookShown(d.url) })) });
  });
  return router;
}
