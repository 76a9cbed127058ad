/**
 * The audit log's domain code (no Express here): recording changes, reading them with filters and
 * pages, and exporting them as CSV.
 */
export { auditedChange, cliActor, defaultSummary, recordAudit, SYSTEM_ACTOR, type AuditActor, type AuditChange } from './record.js';
export { auditPages, listAudit, toAuditEntry, type AuditFilterQuery } from './query.js';
export { AUDIT_CSV_COLUMNS, auditCsvHeader, auditCsvRows, writeAuditCsv } from './csv.js';
export { changedFields, digestOf } from './digest.js';
export { keyCreatedChange, keyRevokedChange, userCreatedChange, userPasswordResetChange, userUpdatedChange } from './changes.js';
