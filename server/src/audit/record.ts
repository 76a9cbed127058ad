/**
 * Appending to the audit log. Callers record inside the same write transaction as the change wherever the
 * change is synchronous ({@link auditedChange}), so a change never lands without its entry; the entry
 * keeps names as they were then and a digest of the object before and after, never the object itself
 * (no passwords, key secrets or customers' transcripts reach the log).
 */
import os from 'node:os';
import type { AuditAction, AuditActorType, AuditDetails, AuditTargetType } from '@shared/audit.js';
import { newId } from '../common/ids.js';
import { writeTransaction, type Db } from '../storage/db.js';
import type { DataStore } from '../storage/store.js';
import { auditLog } from '../storage/schema.js';
import { changedFields, digestOf } from './digest.js';

/** Who made a change: `id` and `name` as of then; `address` the client's IP address (null for the CLI or the server). */
export interface AuditActor {
  type: AuditActorType;
  id: string | null;
  name: string | null;
  address: string | null;
}

/** What changed: the action, its target, and the object before and after (null or absent where there is none). */
export interface AuditChange {
  action: AuditAction;
  target: { type: AuditTargetType; id: string | null; name: string | null } | null;
  before?: unknown;
  after?: unknown;
  /** A short account of what changed, in English; by default the changed top-level fields of before and after. */
  summary?: string;
  /** The summary's values, for the UI to word it in its language; by default `{ fields }` when the summary is the default. */
  details?: AuditDetails;
}

/** Fields every update touches, left out of the default summary. */
const NOISE_FIELDS = ['updatedAt', 'updated_at', 'revision'];

/** Longest summary kept, characters: a summary names what changed, it does not hold content. */
const SUMMARY_MAX = 500;

/** The top-level fields that differ between before and after, leaving out those every update touches. */
export function changedFieldList(before: unknown, after: unknown): string {
  return changedFields(before, after, NOISE_FIELDS).join(', ');
}

/** The summary when the caller gives none: `changed: a, b` for an update, else empty. */
export function defaultSummary(before: unknown, after: unknown): string {
  const fields = changedFieldList(before, after);
  return fields === '' ? '' : `changed: ${fields}`;
}

/**
 * Appends one entry for `change` by `actor` at `now` (ms), in whatever transaction `db` is in. Returns the
 * entry's id. Throws what SQLite throws (the caller's transaction then rolls back with the change).
 */
export function recordAudit(db: Db, actor: AuditActor, change: AuditChange, now = Date.now()): string {
  const row = auditRow(actor, change, now);
  db.insert(auditLog).values(row).run();
  return row.id;
}

/** {@link recordAudit} on a {@link DataStore} (SQLite or PostgreSQL), in whatever transaction `store` is. */
export async function recordAuditIn(store: DataStore, actor: AuditActor, change: AuditChange, now = Date.now()): Promise<string> {
  const row = auditRow(actor, change, now);
  await store.db.insert(store.t.auditLog).values(row);
  return row.id;
}

/** The audit log row of `change` by `actor` at `now`. */
function auditRow(actor: AuditActor, change: AuditChange, now: number): typeof auditLog.$inferInsert & { id: string } {
  const summary = (change.summary ?? defaultSummary(change.before, change.after)).slice(0, SUMMARY_MAX);
  const details = change.details ?? (change.summary === undefined ? { fields: changedFields(change.before, change.after, NOISE_FIELDS).join(', ') } : {});
  return {
    id: newId(),
    at: now,
    actorType: actor.type,
    actorId: actor.id,
    actorName: actor.name,
    clientAddress: actor.address,
    action: change.action,
    targetType: change.target?.type ?? null,
    targetId: change.target?.id ?? null,
    targetName: change.target?.name ?? null,
    beforeDigest: digestOf(change.before),
    afterDigest: digestOf(change.after),
    summary,
    details,
  };
}

/**
 * {@link auditedChange} on a {@link DataStore}: the asynchronous change `act` (given the transaction's
 * store: it writes through `tx`) and its entry in one transaction. A throw from either rolls both back.
 */
export async function auditedChangeIn<T>(store: DataStore, actor: AuditActor, act: (tx: DataStore) => Promise<T>, describe: (result: T) => AuditChange | null): Promise<T> {
  return store.transaction(async (tx) => {
    const result = await act(tx);
    const change = describe(result);
    if (change) await recordAuditIn(tx, actor, change);
    return result;
  });
}

/**
 * Runs the synchronous change `act` and records its entry in one write transaction: `describe` turns
 * act's result into the change (or null to record nothing, e.g. when nothing was found). A throw from
 * either rolls both back. Returns act's result.
 */
export function auditedChange<T>(db: Db, actor: AuditActor, act: () => T, describe: (result: T) => AuditChange | null): T {
  return writeTransaction(db, () => {
    const result = act();
    const change = describe(result);
    if (change) recordAudit(db, actor, change);
    return result;
  });
}

/** The actor of a `mofang` command: the OS user running it (the CLI acts as a local admin on the data directory). */
export function cliActor(): AuditActor {
  let name: string;
  try {
    name = os.userInfo().username;
  } catch {
    name = process.env.USER ?? process.env.USERNAME ?? 'unknown';
  }
  return { type: 'cli', id: name, name, address: null };
}

/** The server itself (start-up work such as syncing the built-in templates). */
export const SYSTEM_ACTOR: AuditActor = { type: 'system', id: null, name: 'mofang', address: null };
