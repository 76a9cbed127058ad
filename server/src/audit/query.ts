/**
 * Reading the audit log: filters (actor, action or action group, target, time range) and keyset pages,
 * newest first. The cursor is the `seq` of the last entry of a page, so a page costs the same however
 * deep in the log it is, and entries appended meanwhile do not shift the pages that follow.
 */
import { and, desc, eq, gte, lt, or, sql, type SQL } from 'drizzle-orm';
import { AuditDetailsSchema, type AuditDetails, type AuditEntry, type AuditPage, type AuditQuery } from '@shared/audit.js';
import type { auditLog } from '../storage/schema.js';
import type { DataStore, Tables } from '../storage/store.js';

/** The filters of a query without its paging. */
export type AuditFilterQuery = Omit<AuditQuery, 'cursor' | 'limit'>;

type AuditRow = typeof auditLog.$inferSelect;

/** Whether a stored details value has the shape the API sends (a damaged row reads as `{}`). */
function isDetails(value: unknown): value is AuditDetails {
  return AuditDetailsSchema.safeParse(value).success;
}

/** A stored row as the API sends it. */
export function toAuditEntry(row: AuditRow): AuditEntry {
  return {
    id: row.id,
    at: new Date(row.at).toISOString(),
    actor_type: row.actorType,
    actor_id: row.actorId,
    actor_name: row.actorName,
    client_address: row.clientAddress,
    action: row.action,
    target_type: row.targetType,
    target_id: row.targetId,
    target_name: row.targetName,
    before_digest: row.beforeDigest,
    after_digest: row.afterDigest,
    summary: row.summary,
    details: isDetails(row.details) ? row.details : {},
  };
}

/** An exact action, or a group (`scenario`, `scenario.*`): every code starting `scenario.`. */
function actionCondition(auditLog: Tables['auditLog'], action: string): SQL {
  const group = action.endsWith('.*') ? action.slice(0, -2) : action.includes('.') ? undefined : action;
  if (group === undefined) return eq(auditLog.action, action);
  // Action codes are `[a-z_.]`: `_` is LIKE's one-character wildcard, so it is escaped. (Not a range
  // from `scenario.` to `scenario/`: PostgreSQL compares text by its collation, which may skip punctuation.)
  return sql`${auditLog.action} like ${`${group.replace(/[\\%_]/g, (c) => `\\${c}`)}.%`} escape '\\'`;
}

function conditions(auditLog: Tables['auditLog'], query: AuditFilterQuery, beforeSeq?: number): SQL[] {
  const out: SQL[] = [];
  if (query.actor !== undefined) {
    const either = or(eq(auditLog.actorId, query.actor), eq(auditLog.actorName, query.actor));
    if (either) out.push(either);
  }
  if (query.actor_type !== undefined) out.push(eq(auditLog.actorType, query.actor_type));
  if (query.action !== undefined) out.push(actionCondition(auditLog, query.action));
  if (query.target_type !== undefined) out.push(eq(auditLog.targetType, query.target_type));
  if (query.target_id !== undefined) out.push(eq(auditLog.targetId, query.target_id));
  if (query.from !== undefined) out.push(gte(auditLog.at, Date.parse(query.from)));
  if (query.to !== undefined) out.push(lt(auditLog.at, Date.parse(query.to)));
  if (beforeSeq !== undefined) out.push(lt(auditLog.seq, beforeSeq));
  return out;
}

async function page(store: DataStore, query: AuditFilterQuery, limit: number, beforeSeq?: number): Promise<{ rows: AuditRow[]; next: number | null }> {
  const { db, t } = store;
  const rows = await db
    .select()
    .from(t.auditLog)
    .where(and(...conditions(t.auditLog, query, beforeSeq)))
    .orderBy(desc(t.auditLog.seq))
    .limit(limit + 1);
  const more = rows.length > limit;
  const kept = more ? rows.slice(0, limit) : rows;
  return { rows: kept, next: more ? (kept[kept.length - 1]?.seq ?? null) : null };
}

/** One page of entries matching `query`, newest first, with the cursor of the next page (null at the end). */
export async function listAudit(store: DataStore, query: AuditQuery): Promise<AuditPage> {
  const result = await page(store, query, query.limit, query.cursor === undefined ? undefined : Number(query.cursor));
  return { entries: result.rows.map(toAuditEntry), next_cursor: result.next === null ? null : String(result.next) };
}

/**
 * Every entry matching `query`, newest first, read `pageSize` at a time: the export walks a large log
 * without holding it in memory.
 */
export async function* auditPages(store: DataStore, query: AuditFilterQuery, pageSize = 500): AsyncGenerator<AuditEntry[]> {
  let before: number | undefined;
  for (;;) {
    const result = await page(store, query, pageSize, before);
    if (result.rows.length > 0) yield result.rows.map(toAuditEntry);
    if (result.next === null) return;
    before = result.next;
  }
}
