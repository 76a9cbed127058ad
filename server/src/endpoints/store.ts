/**
 * The `model_endpoints` rows: stored endpoints with their API key sealed by the secret box. Nothing here
 * returns a key to a caller outside this module family: {@link EndpointRow} carries the sealed value,
 * and only the service opens it to build a client. On either store (../storage/store.ts); names are
 * unique (`model_endpoints_name_idx`): an insert or rename losing a race for a name to another server
 * changes nothing and says so, rather than failing on the index.
 */
import { isUniqueViolation } from '../storage/db-errors.js';
import { asc, eq } from 'drizzle-orm';
import type { CreateEndpointBody, UpdateEndpointBody } from '@shared/model-endpoints.js';
import { DomainError } from '../common/domain-error.js';
import { newId } from '../common/ids.js';
import type { modelEndpoints } from '../storage/schema.js';
import type { DataStore } from '../storage/store.js';
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
export async function listEndpointRows(store: DataStore): Promise<EndpointRow[]> {
  const { db, t } = store;
  return db.select().from(t.modelEndpoints).orderBy(asc(t.modelEndpoints.createdAt), asc(t.modelEndpoints.id));
}

export async function getEndpointRow(store: DataStore, id: string): Promise<EndpointRow | undefined> {
  const { db, t } = store;
  const [row] = await db.select().from(t.modelEndpoints).where(eq(t.modelEndpoints.id, id)).limit(1);
  return row;
}

export async function findEndpointByName(store: DataStore, name: string): Promise<EndpointRow | undefined> {
  const { db, t } = store;
  const [row] = await db.select().from(t.modelEndpoints).where(eq(t.modelEndpoints.name, name)).limit(1);
  return row;
}

/** Stores a new endpoint, its key sealed; returns the row, or undefined when its name is taken. */
export async function insertEndpoint(store: DataStore, box: SecretBox, body: CreateEndpointBody, now = Date.now()): Promise<EndpointRow | undefined> {
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
  const { db, t } = store;
  const inserted = await db.insert(t.modelEndpoints).values(row).onConflictDoNothing().returning({ id: t.modelEndpoints.id });
  return inserted.length === 1 ? row : undefined;
}

/**
 * Applies a change: absent fields stay; `api_key` absent keeps the key, `""` removes it, other text
 * replaces it. Returns the row before and after, `not_found` when there is no such endpoint, or
 * `name_taken` when another endpoint has the new name (throws DomainError `name_taken` when another
 * server takes it between the check and the write). Runs in `store`'s transaction, or its own.
 */
export async function updateEndpoint(
  store: DataStore,
  box: SecretBox,
  id: string,
  body: UpdateEndpointBody,
  now = Date.now(),
): Promise<{ before: EndpointRow; after: EndpointRow } | 'not_found' | 'name_taken'> {
  return store.transaction(async (tx) => {
    const { db, t } = tx;
    const before = await getEndpointRow(tx, id);
    if (!before) return 'not_found';
    if (body.name !== undefined && body.name !== before.name) {
      const other = await findEndpointByName(tx, body.name);
      if (other && other.id !== id) return 'name_taken';
    }
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
    const { id: _id, ...set } = after;
    try {
      await db.update(t.modelEndpoints).set(set).where(eq(t.modelEndpoints.id, id));
    } catch (error) {
      // Another server took the name since the check: the transaction is spoilt (PostgreSQL), so throw.
      if (isUniqueViolation(error)) throw new DomainError('conflict', 'name_taken', `an endpoint named "${after.name}" exists`);
      throw error;
    }
    return { before, after };
  });
}

/** Deletes an endpoint; returns the row it was, or undefined when there was none. */
export async function deleteEndpoint(store: DataStore, id: string): Promise<EndpointRow | undefined> {
  const { db, t } = store;
  const [gone] = await db.delete(t.modelEndpoints).where(eq(t.modelEndpoints.id, id)).returning();
  return gone;
}
