import type { TFunction } from 'i18next';
import type { AuditDetails, AuditEntry } from '@shared/audit';

const JOB_STATUS: Record<string, string> = { queued: 'jobs.statusQueued', running: 'jobs.statusRunning', completed: 'jobs.statusCompleted', cancelled: 'jobs.statusCancelled' };

function str(d: AuditDetails, key: string): string | undefined {
  const v = d[key];
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}

/** A version number or `–` for none (a first publish had no live version). */
function version(d: AuditDetails, key: string): string {
  return str(d, key) ?? '–';
}

function role(t: TFunction, value: string | undefined): string {
  return value === undefined ? '' : t(`roles.${value}`, { defaultValue: value });
}

function jobStatus(t: TFunction, value: string | undefined): string {
  return value === undefined ? '' : t(JOB_STATUS[value] ?? value, { defaultValue: value });
}

function userChanges(t: TFunction, d: AuditDetails): string {
  const parts: string[] = [];
  if (str(d, 'role_to')) parts.push(t('auditLog.summaries.roleChanged', { from: role(t, str(d, 'role_from')), to: role(t, str(d, 'role_to')) }));
  if (d.disabled === true) parts.push(t('auditLog.summaries.disabled'));
  if (d.disabled === false) parts.push(t('auditLog.summaries.enabled'));
  if (str(d, 'display_name_to') !== undefined) parts.push(t('auditLog.summaries.displayName', { from: str(d, 'display_name_from') ?? '', to: str(d, 'display_name_to') }));
  return parts.join(t('auditLog.summaries.sep'));
}

function templateSummary(t: TFunction, d: AuditDetails): string {
  const v = str(d, 'version') ?? '';
  const scenario = str(d, 'scenario');
  if (scenario) return t('auditLog.summaries.templateFromScenario', { version: v, scenario });
  const created = str(d, 'created');
  if (created === 'template') return t('auditLog.summaries.templateImportedNew', { version: v });
  if (created === 'version') return t('auditLog.summaries.templateImportedVersion', { version: v });
  return t('auditLog.summaries.templateVersion', { version: v });
}

/** A publish's gate in words: passed with its value, or overridden with the admin's note. */
function gateWords(t: TFunction, d: AuditDetails): string | undefined {
  const metric = str(d, 'gate_metric');
  if (!metric) return undefined;
  const value = str(d, 'gate_value') ?? '–';
  return d.gate === 'overridden' ? t('auditLog.summaries.gateOverridden', { metric, value, note: str(d, 'override_note') ?? '' }) : t('auditLog.summaries.gatePassed', { metric, value });
}

/** The summary in the UI's language, worded from the entry's details. */
function worded(t: TFunction, e: AuditEntry): string | undefined {
  const d = e.details;
  switch (e.action) {
    case 'scenario.create':
      return str(d, 'template') ? t('auditLog.summaries.fromTemplate', { template: str(d, 'template'), version: str(d, 'version') ?? '' }) : str(d, 'nodes') && t('auditLog.summaries.nodes', { count: Number(d.nodes) });
    case 'scenario.duplicate':
      return str(d, 'source') && t('auditLog.summaries.copyOf', { source: str(d, 'source') });
    case 'scenario.import':
      return str(d, 'from') && t(str(d, 'from') === 'graph' ? 'auditLog.summaries.fromGraph' : 'auditLog.summaries.fromFile');
    case 'scenario.update': {
      const fields = str(d, 'fields');
      return str(d, 'revision') && `${t('auditLog.summaries.revision', { revision: str(d, 'revision') })}${t('auditLog.summaries.sep')}${fields ? t('auditLog.summaries.changed', { fields }) : t('auditLog.summaries.unchanged')}`;
    }
    case 'scenario.delete':
      return str(d, 'revision') && t('auditLog.summaries.revision', { revision: str(d, 'revision') });
    case 'scenario.publish': {
      const text = str(d, 'version') && t('auditLog.summaries.published', { version: str(d, 'version'), slug: str(d, 'slug'), from: version(d, 'live_from'), to: version(d, 'live_to') });
      const note = str(d, 'note');
      const parts = [text, note && t('auditLog.summaries.note', { note }), gateWords(t, d)].filter(Boolean);
      return text ? parts.join(t('auditLog.summaries.sep')) : text;
    }
    case 'scenario.gate_set': {
      const bars = [str(d, 'min') && t('auditLog.summaries.gateMin', { min: str(d, 'min') }), str(d, 'max_drop') && t('auditLog.summaries.gateMaxDrop', { maxDrop: str(d, 'max_drop') })].filter(Boolean);
      return str(d, 'metric') && t('auditLog.summaries.gateSet', { metric: str(d, 'metric'), set: str(d, 'set_name') ?? str(d, 'set_id'), bars: bars.join(t('auditLog.summaries.sep')) });
    }
    case 'eval_set.metrics':
      return 'overrides' in d ? (str(d, 'overrides') ? t('auditLog.summaries.evalMetrics', { overrides: str(d, 'overrides') }) : t('auditLog.summaries.evalMetricsDefault')) : undefined;
    case 'scenario.gate_remove':
      return str(d, 'metric') && t('auditLog.summaries.gateRemoved', { metric: str(d, 'metric') });
    case 'scenario.rollback':
      return str(d, 'live_to') && t('auditLog.summaries.rolledBack', { slug: str(d, 'slug'), from: version(d, 'live_from'), to: version(d, 'live_to') });
    case 'scenario.template_update':
      return str(d, 'to') && t('auditLog.summaries.templateUpdate', { from: str(d, 'from'), to: str(d, 'to') });
    case 'template.create':
    case 'template.import':
    case 'template.version':
    case 'template.deprecate':
    case 'template.undeprecate':
      return str(d, 'version') && templateSummary(t, d);
    case 'key.create':
      return str(d, 'prefix') && t('auditLog.summaries.keyCreated', { prefix: str(d, 'prefix'), scope: str(d, 'scenarios') ?? t('auditLog.summaries.everyScenario') });
    case 'key.revoke':
      return str(d, 'prefix') && t('auditLog.summaries.prefix', { prefix: str(d, 'prefix') });
    case 'user.create':
      return str(d, 'role') && t('auditLog.summaries.role', { role: role(t, str(d, 'role')) });
    case 'user.update':
      return userChanges(t, d) || t('auditLog.summaries.unchanged');
    case 'user.reset_password':
      return t('auditLog.summaries.passwordReset');
    case 'auth.setup':
      return t('auditLog.summaries.firstAdmin');
    case 'auth.login':
      if (str(d, 'method') !== 'oidc') return t('auditLog.summaries.withPassword');
      return t(d.created === true ? 'auditLog.summaries.withSsoCreated' : 'auditLog.summaries.withSso');
    case 'auth.login_failed':
      if (str(d, 'method') === 'oidc') return t('auditLog.summaries.ssoFailed', { reason: str(d, 'reason') });
      return str(d, 'reason') && t(str(d, 'reason') === 'user_disabled' ? 'auditLog.summaries.accountDisabled' : 'auditLog.summaries.wrongPassword');
    case 'auth.password_change':
      return t('auditLog.summaries.ownPassword');
    case 'auth.logout':
      return '';
    case 'job.submit':
      return str(d, 'items') && t('auditLog.summaries.items', { count: Number(d.items) });
    case 'job.cancel':
      return str(d, 'to') && `${jobStatus(t, str(d, 'from'))} → ${jobStatus(t, str(d, 'to'))}`;
    case 'job.retry':
      return str(d, 'item') ? t('auditLog.summaries.retriedItem', { item: str(d, 'item') }) : str(d, 'retried') && t('auditLog.summaries.retried', { count: Number(d.retried) });
    case 'endpoint.create':
    case 'endpoint.delete': {
      const models = str(d, 'models') && t('auditLog.summaries.endpointModels', { models: str(d, 'models') });
      return models && d.key_set === true ? `${models}${t('auditLog.summaries.sep')}${t('auditLog.summaries.endpointKeySet')}` : models;
    }
    case 'endpoint.update':
      return str(d, 'fields') ? t('auditLog.summaries.changed', { fields: str(d, 'fields') }) : t('auditLog.summaries.unchanged');
    case 'endpoint.test':
      if (d.ok === true) return t('auditLog.summaries.endpointTestOk', { ms: str(d, 'latency_ms') });
      return str(d, 'code') && t('auditLog.summaries.endpointTestFailed', { code: str(d, 'code') });
    default:
      return undefined;
  }
}

/**
 * An entry's summary in the UI's language, worded from its details; the stored English summary when the
 * action is unknown to this client or its details lack what the wording needs.
 */
export function summaryText(t: TFunction, entry: AuditEntry): string {
  return worded(t, entry) ?? entry.summary;
}
