/**
 * The `model_endpoints` rows: stored endpoints with their API key sealed by the secret box. Nothing here
 * returns a key to a caller outside this module family: {@link EndpointRow} carries the sealed value,
 * and only the service opens it to build a client.
 */
import { asc, eq } from 'drizzle-orm';
import type { CreateEndpointBody, UpdateEndpointBody } from '@shared/model-endpoints.js';
import { newId } from '../common/ids.js';
import { writeTransaction, type Db } from '../storage/db.js';
import { modelEndpoints } from '../storage/schema.js';
import type { SecretBox } from './secret-box.js';

/** A stored endpoint as read (the key still sealed). */
export type EndpointRow = typeof modelEndpoints.$inferSelect;

/** The context the key is sealed to: a sealed key copied into another row does not open. */
export const keyContext = (id: string) => `model_endpoint:${id}`;

/** The last four characters shown of a key; null for none (a key of 8 or fewer characters shows none). */
function last4(key: string): string | null {
  return key.length > 8 ? key.slice(-4) : null;
}

/** Every stored endpoint, oldest first (the order aliases are resolved in). */
export function listEndpointRows(db: Db): EndpointRow[] {
  return db.select().from(modelEndpoints).orderBy(asc(modelEndpoints.createdAt), asc(modelEndpoints.id)).all();
}

export function getEndpointRow(db: Db, id: string): EndpointRow | undefined {
  return db.select().from(modelEndpoints).where(eq(modelEndpoints.id, id)).get();
}

export function findEndpointByName(db: Db, name: string): EndpointRow | undefined {
  return db.select().from(modelEndpoints).where(eq(modelEndpoints.name, name)).get();
}

/** Stores a new endpoint, its key sealed; returns the row. */
export function insertEndpoint(db: Db, box: SecretBox, body: CreateEndpointBody, now = Date.now()): EndpointRow {
  const id = newId();
  const key = body.api_key?.trim() ? body.api_key.trim() : null;
  const row: EndpointRow = {
    id,
    name: body.name,
    baseUrl: body.base_url,
    apiKey: key === null ? null : box.seal(key, keyContext(id)),
    keyLast4: key === null ? null : last4(key),
    models: body.models,
    maxConcurrency: body.max_concurrency,
    timeoutMs: body.timeout_ms,
    supportsJsonSchema: body.supports_json_schema,
    stream: body.stream,
    enabled: body.enabled,
    createdAt: now,
    updatedAt: now,
  };
  writeTransaction(db, (tx) => tx.insert(modelEndpoints).values(row).run());
  return row;
}

/**
 * Applies a change: absent fields stay; `api_key` absent keeps the key, `""` removes it, other text
 * replaces it. Returns the row before and after, or undefined when there is no such endpoint.
 */
export function updateEndpoint(db: Db, box: SecretBox, id: string, body: UpdateEndpointBody, now = Date.now()): { before: EndpointRow; after: EndpointRow } | undefined {
  return writeTransaction(db, (tx) => {
    const before = tx.select().from(modelEndpoints).where(eq(modelEndpoints.id, id)).get();
    if (!before) return undefined;
    const key = body.api_key === undefined ? undefined : body.api_key.trim();
    const after: EndpointRow = {
      ...before,
      ...(body.name !== undefined ? { name: body.name } : {}),
      ...(body.base_url !== undefined ? { baseUrl: body.base_url } : {}),
      ...(key === undefined ? {} : key === '' ? { apiKey: null, keyLast4: null } : { apiKey: box.seal(key, keyContext(id)), keyLast4: last4(key) }),
      ...(body.models !== undefined ? { models: body.models } : {}),
      ...(body.max_concurrency !== undefined ? { maxConcurrency: body.max_concurrency } : {}),
      ...(body.timeout_ms !== undefined ? { timeoutMs: body.timeout_ms } : {}),
      ...(body.supports_json_schema !== undefined ? { supportsJsonSchema: body.supports_json_schema } : {}),
      ...(body.stream !== undefined ? { stream: body.stream } : {}),
      ...(body.enabled !== undefined ? { enabled: body.enabled } : {}),
      updatedAt: now,
    };
    tx.update(modelEndpoints).set(after).where(eq(modelEndpoints.id, id)).run();
    return { before, after };
  });
}

/** Deletes an endpoint; returns the row it was, or undefined when there was none. */
export function deleteEndpoint(db: Db, id: string): EndpointRow | undefined {
  return writeTransaction(db, (tx) => {
    const before = tx.select().from(modelEndpoints).where(eq(modelEndpoints.id, id)).get();
    if (before) tx.delete(modelEndpoints).where(eq(modelEndpoints.id, id)).run();
    return before;
  });
}
