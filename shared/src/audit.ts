/**
 * The audit log's shapes: who changed what, when, from where, with a digest of the object before and
 * after. The server appends an entry for every change (in the same transaction where it can); nothing in
 * the app edits or deletes one. `GET /api/audit` pages through entries newest first; `GET /api/audit.csv`
 * exports them with the same filters.
 */
import { z } from 'zod';

/** Who acted: a signed-in person, an API key (`/v1`), the command line on the server, or the server itself. */
export const AUDIT_ACTOR_TYPES = ['user', 'api_key', 'cli', 'system'] as const;
export const AuditActorTypeSchema = z.enum(AUDIT_ACTOR_TYPES);
export type AuditActorType = z.infer<typeof AuditActorTypeSchema>;

/**
 * Every action the log records, as stable dotted codes `<object>.<verb>` (the client shows each by a
 * translated name; a code is never renamed once released).
 */
export const AUDIT_ACTIONS = [
  'scenario.create',
  'scenario.duplicate',
  'scenario.import',
  'scenario.update',
  'scenario.delete',
  'scenario.publish',
  'scenario.rollback',
  'scenario.template_update',
  'scenario.gate_set',
  'scenario.gate_remove',
  'scenario.alert_rules',
  'template.create',
  'template.import',
  'template.version',
  'template.deprecate',
  'template.undeprecate',
  'key.create',
  'key.revoke',
  'user.create',
  'user.update',
  'user.reset_password',
  'auth.setup',
  'auth.login',
  'auth.login_failed',
  'auth.logout',
  'auth.password_change',
  'job.submit',
  'job.cancel',
  'job.retry',
  'endpoint.create',
  'endpoint.update',
  'endpoint.delete',
  'endpoint.test',
  'eval_set.create',
  'eval_set.delete',
  'eval_set.change',
  'eval_set.metrics',
  'eval_run.start',
  'eval_run.cancel',
  'review.rules',
  'review.decide',
  'live.confirm',
] as const;
export const AuditActionSchema = z.enum(AUDIT_ACTIONS);
export type AuditAction = z.infer<typeof AuditActionSchema>;

/** The kinds of object an entry names as its target. */
export const AUDIT_TARGET_TYPES = ['scenario', 'template', 'key', 'user', 'job', 'endpoint', 'eval_set', 'eval_run', 'review_item', 'call_session'] as const;
export const AuditTargetTypeSchema = z.enum(AUDIT_TARGET_TYPES);
export type AuditTargetType = z.infer<typeof AuditTargetTypeSchema>;

/** The action groups (the part before the dot), for filtering by prefix. */
export const AUDIT_ACTION_GROUPS = [...new Set(AUDIT_ACTIONS.map((a) => a.split('.')[0] ?? a))];

/** The values of an entry's summary (versions, roles, changed fields, counts), for the client to word in its language. */
export const AuditDetailsSchema = z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]));
export type AuditDetails = z.infer<typeof AuditDetailsSchema>;

/** One entry as the API sends it. Times are ISO 8601; digests are SHA-256 hex, null where there was no object. */
export const AuditEntrySchema = z.object({
  id: z.string(),
  at: z.string(),
  actor_type: AuditActorTypeSchema,
  /** The user's id, the API key's id, the OS user name for the CLI; null when unknown (a failed sign-in of no such user). */
  actor_id: z.string().nullable(),
  /** The actor's name as it was then (user login name, key name). */
  actor_name: z.string().nullable(),
  client_address: z.string().nullable(),
  action: z.string(),
  target_type: z.string().nullable(),
  target_id: z.string().nullable(),
  target_name: z.string().nullable(),
  before_digest: z.string().nullable(),
  after_digest: z.string().nullable(),
  /** What changed, in English (as the CSV and a search read it); the UI words it from `details`. */
  summary: z.string(),
  details: AuditDetailsSchema,
});
export type AuditEntry = z.infer<typeof AuditEntrySchema>;

/** A page of entries, newest first; `next_cursor` fetches the next (older) page, null at the end. */
export const AuditPageSchema = z.object({
  entries: z.array(AuditEntrySchema),
  next_cursor: z.string().nullable(),
});
export type AuditPage = z.infer<typeof AuditPageSchema>;

/** `scenario.publish` (exact), or `scenario` / `scenario.*` (every action of that group). */
const ACTION_FILTER = /^[a-z_]+(\.[a-z_]+|\.\*)?$/;

const isoTime = z
  .string()
  .refine((s) => /^\d{4}-\d{2}-\d{2}([T ][0-9:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(s) && !Number.isNaN(Date.parse(s)), {
    message: 'must be an ISO 8601 date or date-time, e.g. 2026-12-01 or 2026-12-01T08:00:00Z', params: { rule: 'iso_date_time' },
  });

/**
 * The filters of `GET /api/audit` and `/api/audit.csv` (query parameters). `actor` matches an actor's id or
 * name exactly; `action` is exact or a group prefix; `from` ≤ at < `to`; `cursor` comes from a page.
 */
export const AuditQuerySchema = z
  .object({
    actor: z.string().trim().min(1).max(200).optional(),
    actor_type: AuditActorTypeSchema.optional(),
    action: z.string().trim().regex(ACTION_FILTER, 'must be an action such as scenario.publish, or a group such as scenario or scenario.*').optional(),
    target_type: z.string().trim().min(1).max(50).optional(),
    target_id: z.string().trim().min(1).max(200).optional(),
    from: isoTime.optional(),
    to: isoTime.optional(),
    cursor: z.string().regex(/^[1-9]\d{0,15}$/, 'must be a next_cursor from a page').optional(),
    limit: z.coerce.number().int().min(1).max(500).default(50),
  })
  .refine((q) => q.from === undefined || q.to === undefined || Date.parse(q.from) < Date.parse(q.to), { message: '"from" must be before "to"', path: ['from'], params: { rule: 'from_before_to' } });
export type AuditQuery = z.infer<typeof AuditQuerySchema>;

/** The query parameters the client sends (everything optional, no limit or cursor). */
export type AuditFilters = Partial<Pick<AuditQuery, 'actor' | 'actor_type' | 'action' | 'target_type' | 'target_id' | 'from' | 'to'>>;

/** The query string of `filters` (empty values left out), for `/api/audit` and `/api/audit.csv`. */
export function auditQueryString(filters: AuditFilters, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries({ ...filters, ...extra })) {
    if (typeof value === 'string' && value.trim() !== '') params.set(name, value.trim());
  }
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}
