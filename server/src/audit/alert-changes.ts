/**
 * The audit change of live alert settings: a scenario's alert rules, risk output and webhook replaced.
 * An entry never holds the webhook's signing secret: only whether one was made.
 */
import type { AlertSettings } from '@shared/alerts.js';
import type { AuditChange } from './record.js';

const state = (s: AlertSettings) => ({ rules: s.rules, risk_output: s.risk_output, webhook_url: s.webhook_url, webhook_secret_set: s.webhook_secret_set });

/** A scenario's alert settings were replaced (`secretMade`: a new signing secret was made). */
export function alertRulesChange(scenario: { id: string; name: string }, before: AlertSettings, after: AlertSettings, secretMade: boolean): AuditChange {
  return {
    action: 'scenario.alert_rules',
    target: { type: 'scenario', id: scenario.id, name: scenario.name },
    before: state(before),
    after: state(after),
    summary: `${after.rules.map((r) => `${r.id} ${r.kind}`).join(', ') || 'no rules'}${after.webhook_url ? ', webhook' : ''}${secretMade ? ', new secret' : ''}`,
    details: { rules: after.rules.length, kinds: after.rules.map((r) => r.kind).join(' '), risk_output: after.risk_output, webhook: after.webhook_url !== null, secret_made: secretMade },
  };
}
