/**
 * API key repository, on either store (./store.ts). Only the sha256 hash of a key and its display prefix
 * are stored; the secret itself never reaches the database.
 */
import { and, count, desc, eq, inArray, isNull, lt, max, or } from 'drizzle-orm';
import { KEY_SCOPES, type ApiKey, type KeyScope } from '@shared/keys.js';
import type { apiKeys } from './schema.js';
import type { DataStore } from './store.js';

type Row = typeof apiKeys.$inferSelect;

/** A key as the server checks it on every request. */
export interface KeyRecord {
  id: string;
  name: string;
  prefix: string;
  /** Slugs the key may call; null for all. */
  scenarios: string[] | null;
  /** Requests per minute; null for the server default. */
  rateLimit: number | null;
  /** Extra scopes; empty for none. */
  scopes: KeyScope[];
  revokedAt: number | null;
}

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

/** Null (every scenario) only for SQL null: anything else that is not a list (a damaged row) allows none. */
function slugList(value: unknown): string[] | null {
  if (value === null) return null;
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** The known scopes in a stored list; null (keys made before scopes) and anything damaged read as none. */
function scopeList(value: unknown): KeyScope[] {
  if (!Array.isArray(value)) return [];
  return KEY_SCOPES.filter((scope) => value.includes(scope));
}

function toRecord(row: Row): KeyRecord {
  return { id: row.id, name: row.name, prefix: row.prefix, scenarios: slugList(row.scenarios), rateLimit: row.rateLimit, scopes: scopeList(row.scopes), revokedAt: row.revokedAt };
}

/** A stored key in the shape the admin API shows (no hash). */
export function toApiKey(row: Row): ApiKey {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    scenarios: slugList(row.scenarios),
    rate_limit: row.rateLimit,
    scopes: scopeList(row.scopes),
    created_at: new Date(row.createdAt).toISOString(),
    revoked_at: iso(row.revokedAt),
    last_used_at: iso(row.lastUsedAt),
  };
}

/** Stores a new key (already hashed) and returns it as listed. */
export async function insertKey(
  store: DataStore,
  key: { id: string; name: string; prefix: string; hash: string; scenarios: string[] | null; rateLimit: number | null; scopes: KeyScope[] },
  now = Date.now(),
): Promise<ApiKey> {
  const { db, t } = store;
  const [row] = await db.insert(t.apiKeys).values({ ...key, createdAt: now }).returning();
  return toApiKey(row as Row);
}

/** Every key, newest first. */
export async function listKeys(store: DataStore): Promise<ApiKey[]> {
  const { db, t } = store;
  return (await db.select().from(t.apiKeys).orderBy(desc(t.apiKeys.createdAt), desc(t.apiKeys.id))).map(toApiKey);
}

/** The key with this hash (revoked or not), or undefined. */
export async function findKeyByHash(store: DataStore, hash: string): Promise<KeyRecord | undefined> {
  const { db, t } = store;
  const [row] = await db.select().from(t.apiKeys).where(eq(t.apiKeys.hash, hash)).limit(1);
  return row ? toRecord(row) : undefined;
}

export type RevokeOutcome = { ok: true; key: ApiKey } | { ok: false; reason: 'not_found' | 'ambiguous' };

/**
 * Revokes a key named by its id or its display prefix (a prefix must name exactly one key). Revoking a
 * revoked key keeps its first revocation time. Runs in `store`'s transaction, or its own.
 */
export async function revokeKey(store: DataStore, idOrPrefix: string, now = Date.now()): Promise<RevokeOutcome> {
  return store.transaction(async (tx) => {
    const { db, t } = tx;
    let rows = await db.select().from(t.apiKeys).where(eq(t.apiKeys.id, idOrPrefix));
    if (rows.length === 0) rows = await db.select().from(t.apiKeys).where(eq(t.apiKeys.prefix, idOrPrefix));
    if (rows.length === 0) return { ok: false, reason: 'not_found' } as const;
    if (rows.length > 1) return { ok: false, reason: 'ambiguous' } as const;
    const row = rows[0] as Row;
    if (row.revokedAt !== null) return { ok: true, key: toApiKey(row) } as const;
    // Only a key not revoked meanwhile (PostgreSQL: another server may revoke it between the read and this).
    const [updated] = await db.update(t.apiKeys).set({ revokedAt: now }).where(and(eq(t.apiKeys.id, row.id), isNull(t.apiKeys.revokedAt))).returning();
    if (updated) return { ok: true, key: toApiKey(updated) } as const;
    const [current] = await db.select().from(t.apiKeys).where(eq(t.apiKeys.id, row.id)).limit(1);
    return current ? ({ ok: true, key: toApiKey(current) } as const) : ({ ok: false, reason: 'not_found' } as const);
  });
}

/**
 * A cheap fingerprint of the key table that changes whenever a key is created or revoked, by this
 * process or another (the CLI, another server): a server compares it at most once a second to drop its cache.
 */
export async function keysStamp(store: DataStore): Promise<string> {
  const { db, t } = store;
  const [row] = await db
    .select({ n: count(), revoked: count(t.apiKeys.revokedAt), lastRevoked: max(t.apiKeys.revokedAt), lastCreated: max(t.apiKeys.createdAt) })
    .from(t.apiKeys);
  // PostgreSQL hands bigint aggregates over as text: Number() makes both stores' stamps alike.
  return row ? `${Number(row.n)}:${Number(row.revoked)}:${Number(row.lastRevoked ?? 0)}:${Number(row.lastCreated ?? 0)}` : '';
}

/** Records when keys were last used (never moving a time back), in one transaction (called in batches, never per request). */
export async function touchKeys(store: DataStore, lastUsed: Map<string, number>): Promise<void> {
  if (lastUsed.size === 0) return;
  await store.transaction(async (tx) => {
    const { db, t } = tx;
    for (const [id, at] of lastUsed) {
      // The later of the stored time and `at`, written the same on both stores (SQLite's max(a, b) is PostgreSQL's greatest).
      await db.update(t.apiKeys).set({ lastUsedAt: at }).where(and(eq(t.apiKeys.id, id), or(isNull(t.apiKeys.lastUsedAt), lt(t.apiKeys.lastUsedAt, at))));
    }
  });
}

/** Keys by id (for tests and tools). */
export async function getKeys(store: DataStore, ids: string[]): Promise<ApiKey[]> {
  if (ids.length === 0) return [];
  const { db, t } = store;
  return (await db.select().from(t.apiKeys).where(inArray(t.apiKeys.id, ids))).map(toApiKey);
}
