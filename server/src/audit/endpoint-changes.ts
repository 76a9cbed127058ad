/**
 * The audit changes of model endpoints. An endpoint is described without its key: whether one is set is
 * all an entry (and its digest) holds of it; a changed key shows as `api_key` among the changed fields.
 */
import type { EndpointTestReply } from '@shared/model-endpoints.js';
import type { modelEndpoints } from '../storage/schema.js';
import { changedFieldList } from './record.js';
import type { AuditChange } from './record.js';

/** A stored endpoint row (its key sealed). */
type EndpointRow = typeof modelEndpoints.$inferSelect;

/** What an entry digests of an endpoint: its settings, and a fingerprint-free mark of its key. */
function endpointState(row: EndpointRow) {
  return {
    id: row.id,
    name: row.name,
    base_url: row.baseUrl,
    // The sealed value changes with every save of a key (fresh IV), so it marks a changed key without revealing it.
    api_key: row.apiKey === null ? null : `sealed:${row.apiKey.slice(3, 19)}`,
    models: row.models,
    max_concurrency: row.maxConcurrency,
    timeout_ms: row.timeoutMs,
    supports_json_schema: row.supportsJsonSchema,
    stream: row.stream,
    enabled: row.enabled,
  };
}

const target = (row: { id: string; name: string }): AuditChange['target'] => ({ type: 'endpoint', id: row.id, name: row.name });

/** An endpoint was added. */
export function endpointCreatedChange(row: EndpointRow): AuditChange {
  const aliases = Object.keys(row.models).join(', ');
  return { action: 'endpoint.create', target: target(row), after: endpointState(row), summary: `models: ${aliases}; key ${row.apiKey === null ? 'not set' : 'set'}`, details: { models: aliases, key_set: row.apiKey !== null } };
}

/** An endpoint's settings changed: the summary lists the fields (a new key shows as `api_key`, never its value). */
export function endpointUpdatedChange(before: EndpointRow, after: EndpointRow): AuditChange {
  const fields = changedFieldList(endpointState(before), endpointState(after));
  return { action: 'endpoint.update', target: target(after), before: endpointState(before), after: endpointState(after), summary: fields ? `changed: ${fields}` : 'no change', details: { fields } };
}

/** An endpoint was removed. */
export function endpointDeletedChange(row: EndpointRow): AuditChange {
  return { action: 'endpoint.delete', target: target(row), before: endpointState(row), summary: `models: ${Object.keys(row.models).join(', ')}`, details: { models: Object.keys(row.models).join(', ') } };
}

/** A connection test was made (it changes nothing stored; the entry says who called the endpoint and how it went). */
export function endpointTestedChange(endpoint: { id: string; name: string }, reply: EndpointTestReply): AuditChange {
  const outcome = reply.ok ? `ok in ${reply.latency_ms} ms` : `failed: ${reply.error.code}`;
  return { action: 'endpoint.test', target: target(endpoint), summary: `connection test ${outcome}`, details: { ok: reply.ok, code: reply.ok ? null : reply.error.code, latency_ms: reply.latency_ms, alias: reply.alias } };
}
