/**
 * The audit log's domain code (no Express here): recording changes, reading them with filters and
 * pages, and exporting them as CSV.
 */
export { auditedChange, auditedChangeIn, changedFieldList, cliActor, defaultSummary, recordAudit, recordAuditIn, SYSTEM_ACTOR, type AuditActor, type AuditChange } from './record.js';
export { auditPages, listAudit, toAuditEntry, type AuditFilterQuery } from './query.js';
export { AUDIT_CSV_COLUMNS, auditCsvHeader, auditCsvRows, writeAuditCsv } from './csv.js';
export { changedFields, digestOf } from './digest.js';
export { keyCreatedChange, keyRevokedChange, templateVersionChange, userCreatedChange, userPasswordResetChange, userUpdatedChange } from './changes.js';
export {
  publishedSide,
  scenarioCreatedChange,
  scenarioDeletedChange,
  scenarioDuplicatedChange,
  scenarioFromTemplateChange,
  scenarioImportedChange,
  scenarioPublishedChange,
  scenarioGateSetChange,
  scenarioGateRemovedChange,
  scenarioRolledBackChange,
  scenarioTemplateUpdatedChange,
  scenarioUpdatedChange,
  type PublishedSide,
} from './scenario-changes.js';
export { endpointCreatedChange, endpointDeletedChange, endpointTestedChange, endpointUpdatedChange } from './endpoint-changes.js';
export { evalSetCasesChange, evalSetCreatedChange, evalSetDeletedChange, evalSetMetricsChange } from './eval-set-changes.js';
export { evalRunCancelledChange, evalRunStartedChange } from './eval-run-changes.js';
export { liveConfirmChange, type LiveConfirmFacts } from './live-changes.js';
export { reviewDecisionChange, reviewRulesChange } from './review-changes.js';
export { alertRulesChange } from './alert-changes.js';
