/**
 * API key repository. Only the sha256 hash of a key and its display prefix are stored; the secret
 * itself never reaches the database.
 */
import { desc, eq, inArray, max, count, sql } from 'drizzle-orm';
import { KEY_SCOPES, type ApiKey, type KeyScope } from '@shared/keys.js';
import { writeTransaction, type Db } from './db.js';
import { apiKeys } from './schema.js';

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
export function insertKey(
  db: Db,
  key: { id: string; name: string; prefix: string; hash: string; scenarios: string[] | null; rateLimit: number | null; scopes: KeyScope[] },
  now = Date.now(),
): ApiKey {
  const row = db.insert(apiKeys).values({ ...key, createdAt: now }).returning().get();
  return toApiKey(row);
}

/** Every key, newest first. */
export function listKeys(db: Db): ApiKey[] {
  return db.select().from(apiKeys).orderBy(desc(apiKeys.createdAt), desc(apiKeys.id)).all().map(toApiKey);
}

/** The key with this hash (revoked or not), or undefined. */
export function findKeyByHash(db: Db, hash: string): KeyRecord | undefined {
  const row = db.select().from(apiKeys).where(eq(apiKeys.hash, hash)).get();
  return row ? toRecord(row) : undefined;
}

export type RevokeOutcome = { ok: true; key: ApiKey } | { ok: false; reason: 'not_found' | 'ambiguous' };

/**
 * Revokes a key named by its id or its display prefix (a prefix must name exactly one key). Revoking a
 * revoked key keeps its first revocation time.
 */
export function revokeKey(db: Db, idOrPrefix: string, now = Date.now()): RevokeOutcome {
  return writeTransaction(db, (tx) => {
    let rows = tx.select().from(apiKeys).where(eq(apiKeys.id, idOrPrefix)).all();
    if (rows.length === 0) rows = tx.select().from(apiKeys).where(eq(apiKeys.prefix, idOrPrefix)).all();
    if (rows.length === 0) return { ok: false, reason: 'not_found' } as const;
    if (rows.length > 1) return { ok: false, reason: 'ambiguous' } as const;
    const row = rows[0];
    if (row.revokedAt !== null) return { ok: true, key: toApiKey(row) } as const;
    const updated = tx.update(apiKeys).set({ revokedAt: now }).where(eq(apiKeys.id, row.id)).returning().get();
    return { ok: true, key: toApiKey(updated) } as const;
  });
}

/**
 * A cheap fingerprint of the key table that changes whenever a key is created or revoked, by this
 * process or another (the CLI): a server compares it at most once a second to drop its cache.
 */
export function keysStamp(db: Db): string {
  const row = db
    .select({ n: count(), revoked: sql<number>`count(${apiKeys.revokedAt})`, lastRevoked: max(apiKeys.revokedAt), lastCreated: max(apiKeys.createdAt) })
    .from(apiKeys)
    .get();
  return row ? `${row.n}:${row.revoked}:${row.lastRevoked ?? 0}:${row.lastCreated ?? 0}` : '';
}

/** Records when keys were last used, in one transaction (called in batches, never per request). */
export function touchKeys(db: Db, lastUsed: Map<string, number>): void {
  if (lastUsed.size === 0) return;
  writeTransaction(db, (tx) => {
    for (const [id, at] of lastUsed) {
      tx.update(apiKeys).set({ lastUsedAt: sql`max(coalesce(${apiKeys.lastUsedAt}, 0), ${at})` }).where(eq(apiKeys.id, id)).run();
    }
  });
}

/** Keys by id (for tests and tools). */
export function getKeys(db: Db, ids: string[]): ApiKey[] {
  if (ids.length === 0) return [];
  return db.select().from(apiKeys).where(inArray(apiKeys.id, ids)).all().map(toApiKey);
}
