/**
 * The PostgreSQL tables of `../schema.ts` (scenarios, versions, keys, runs, templates, jobs, users, sessions,
 * audit log, model endpoints), one for one:
 * same names, columns, keys and indexes (schema-parity.test.ts checks it).
 * Comments on what the columns mean live in the SQLite file; docs/postgres.md says how the types map.
 */
import type { AuditDetails } from '@shared/audit.js';
import { bigint, boolean, index, integer, jsonb, pgTable, primaryKey, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { json, ms } from './columns.js';

export const scenarios = pgTable('scenarios', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  description: text('description').notNull().default(''),
  graph: json<unknown>('graph').notNull(),
  createdAt: ms('created_at').notNull(),
  updatedAt: ms('updated_at').notNull(),
  revision: integer('revision').notNull().default(1),
  slug: text('slug'),
  liveVersion: integer('live_version'),
  templateId: text('template_id'),
  templateVersion: text('template_version'),
}, (t) => [uniqueIndex('scenarios_slug_idx').on(t.slug)]);

export const scenarioVersions = pgTable(
  'scenario_versions',
  {
    scenarioId: text('scenario_id')
      .notNull()
      .references(() => scenarios.id, { onDelete: 'cascade' }),
    version: integer('version').notNull(),
    graph: json<unknown>('graph').notNull(),
    planHash: text('plan_hash').notNull(),
    note: text('note').notNull().default(''),
    createdBy: text('created_by').notNull().default(''),
    createdAt: ms('created_at').notNull(),
    gate: json<unknown>('gate'),
  },
  (t) => [primaryKey({ columns: [t.scenarioId, t.version] })],
);

export const apiKeys = pgTable(
  'api_keys',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    prefix: text('prefix').notNull(),
    hash: text('hash').notNull(),
    scenarios: json<string[] | null>('scenarios'),
    rateLimit: integer('rate_limit'),
    scopes: json<string[] | null>('scopes'),
    createdAt: ms('created_at').notNull(),
    revokedAt: ms('revoked_at'),
    lastUsedAt: ms('last_used_at'),
  },
  (t) => [uniqueIndex('api_keys_hash_idx').on(t.hash)],
);

export const runs = pgTable(
  'runs',
  {
    id: text('id').primaryKey(),
    scenarioId: text('scenario_id').references(() => scenarios.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: ['test', 'api', 'cli', 'job'] }).notNull(),
    status: text('status', { enum: ['running', 'succeeded', 'failed'] }).notNull(),
    inputs: json<unknown>('inputs'),
    outputs: json<unknown>('outputs'),
    error: json<unknown>('error'),
    usage: json<unknown>('usage'),
    latencyMs: integer('latency_ms'),
    model: text('model'),
    version: integer('version'),
    apiKeyId: text('api_key_id'),
    createdAt: ms('created_at').notNull(),
    finishedAt: ms('finished_at'),
    events: json<unknown[]>('events'),
    redactedAt: ms('redacted_at'),
  },
  (t) => [index('runs_scenario_created_idx').on(t.scenarioId, t.createdAt), index('runs_kind_created_idx').on(t.kind, t.createdAt)],
);

export const runEvents = pgTable(
  'run_events',
  {
    runId: text('run_id')
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    seq: integer('seq').notNull(),
    type: text('type').notNull(),
    nodeId: text('node_id'),
    data: json<unknown>('data').notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.seq] })],
);

export const templates = pgTable('templates', {
  id: text('id').primaryKey(),
  category: text('category').notNull(),
  meta: json<unknown>('meta').notNull(),
  source: text('source', { enum: ['builtin', 'admin'] }).notNull(),
  createdAt: ms('created_at').notNull(),
  updatedAt: ms('updated_at').notNull(),
});

export const templateVersions = pgTable(
  'template_versions',
  {
    templateId: text('template_id')
      .notNull()
      .references(() => templates.id, { onDelete: 'cascade' }),
    version: text('version').notNull(),
    graph: json<unknown>('graph').notNull(),
    meta: json<unknown>('meta').notNull(),
    notes: text('notes').notNull().default(''),
    samples: json<unknown>('samples'),
    source: text('source', { enum: ['builtin', 'admin'] }).notNull(),
    createdBy: text('created_by').notNull().default(''),
    createdAt: ms('created_at').notNull(),
    deprecatedAt: ms('deprecated_at'),
  },
  (t) => [primaryKey({ columns: [t.templateId, t.version] })],
);

export const jobs = pgTable(
  'jobs',
  {
    id: text('id').primaryKey(),
    scenarioId: text('scenario_id')
      .notNull()
      .references(() => scenarios.id, { onDelete: 'cascade' }),
    slug: text('slug').notNull(),
    version: integer('version').notNull(),
    owner: text('owner').notNull(),
    purpose: text('purpose', { enum: ['batch', 'evaluation'] }).notNull().default('batch'),
    graph: text('graph'),
    graphHash: text('graph_hash'),
    status: text('status', { enum: ['queued', 'running', 'completed', 'cancelled'] }).notNull(),
    total: integer('total').notNull(),
    idempotencyKey: text('idempotency_key'),
    bodyHash: text('body_hash').notNull(),
    webhookUrl: text('webhook_url'),
    webhookDeliveredAt: ms('webhook_delivered_at'),
    createdAt: ms('created_at').notNull(),
    startedAt: ms('started_at'),
    finishedAt: ms('finished_at'),
    redactedAt: ms('redacted_at'),
  },
  (t) => [uniqueIndex('jobs_owner_idem_idx').on(t.owner, t.idempotencyKey), index('jobs_scenario_created_idx').on(t.scenarioId, t.createdAt), index('jobs_status_idx').on(t.status, t.createdAt)],
);

export const jobItems = pgTable(
  'job_items',
  {
    jobId: text('job_id')
      .notNull()
      .references(() => jobs.id, { onDelete: 'cascade' }),
    seq: integer('seq').notNull(),
    itemId: text('item_id').notNull(),
    inputs: text('inputs').notNull(),
    status: text('status', { enum: ['pending', 'running', 'succeeded', 'failed'] }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    runId: text('run_id'),
    outputs: text('outputs'),
    error: text('error'),
    latencyMs: integer('latency_ms'),
    startedAt: ms('started_at'),
    finishedAt: ms('finished_at'),
    model: text('model'),
    audit: jsonb('audit').$type<unknown>(),
  },
  (t) => [primaryKey({ columns: [t.jobId, t.seq] }), uniqueIndex('job_items_item_idx').on(t.jobId, t.itemId), index('job_items_status_idx').on(t.jobId, t.status, t.seq)],
);

export const jobWebhookAttempts = pgTable(
  'job_webhook_attempts',
  {
    jobId: text('job_id')
      .notNull()
      .references(() => jobs.id, { onDelete: 'cascade' }),
    attempt: integer('attempt').notNull(),
    at: ms('at').notNull(),
    status: integer('status'),
    error: text('error'),
  },
  (t) => [primaryKey({ columns: [t.jobId, t.attempt] })],
);

export const users = pgTable(
  'users',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    displayName: text('display_name').notNull().default(''),
    role: text('role', { enum: ['admin', 'designer', 'inspector', 'viewer'] }).notNull(),
    passwordHash: text('password_hash'),
    oidcIssuer: text('oidc_issuer'),
    oidcSubject: text('oidc_subject'),
    disabledAt: ms('disabled_at'),
    createdAt: ms('created_at').notNull(),
    updatedAt: ms('updated_at').notNull(),
    lastLoginAt: ms('last_login_at'),
    passwordMustChange: boolean('password_must_change').notNull().default(false),
    nameKey: text('name_key'),
  },
  (t) => [uniqueIndex('users_name_idx').on(t.name), uniqueIndex('users_name_key_idx').on(t.nameKey), uniqueIndex('users_oidc_idx').on(t.oidcIssuer, t.oidcSubject)],
);

export const sessions = pgTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    csrfToken: text('csrf_token').notNull(),
    createdAt: ms('created_at').notNull(),
    expiresAt: ms('expires_at').notNull(),
    lastSeenAt: ms('last_seen_at').notNull(),
  },
  (t) => [index('sessions_user_idx').on(t.userId), index('sessions_expires_idx').on(t.expiresAt)],
);

export const auditLog = pgTable(
  'audit_log',
  {
    seq: bigint('seq', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    id: text('id').notNull(),
    at: ms('at').notNull(),
    actorType: text('actor_type', { enum: ['user', 'api_key', 'cli', 'system'] }).notNull(),
    actorId: text('actor_id'),
    actorName: text('actor_name'),
    clientAddress: text('client_address'),
    action: text('action').notNull(),
    targetType: text('target_type'),
    targetId: text('target_id'),
    targetName: text('target_name'),
    beforeDigest: text('before_digest'),
    afterDigest: text('after_digest'),
    summary: text('summary').notNull().default(''),
    details: json<AuditDetails>('details').notNull().default({}),
  },
  (t) => [
    uniqueIndex('audit_log_id_idx').on(t.id),
    index('audit_log_at_idx').on(t.at),
    index('audit_log_action_idx').on(t.action, t.seq),
    index('audit_log_actor_idx').on(t.actorId, t.seq),
    index('audit_log_target_idx').on(t.targetType, t.targetId, t.seq),
  ],
);

export const modelEndpoints = pgTable(
  'model_endpoints',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    baseUrl: text('base_url').notNull(),
    apiKey: text('api_key'),
    keyLast4: text('key_last4'),
    models: json<Record<string, string>>('models').notNull(),
    maxConcurrency: integer('max_concurrency'),
    timeoutMs: integer('timeout_ms'),
    supportsJsonSchema: boolean('supports_json_schema').notNull().default(true),
    stream: boolean('stream').notNull().default(true),
    enabled: boolean('enabled').notNull().default(true),
    createdAt: ms('created_at').notNull(),
    updatedAt: ms('updated_at').notNull(),
  },
  (t) => [uniqueIndex('model_endpoints_name_idx').on(t.name)],
);

export const serverInstances = pgTable('server_instances', {
  id: text('id').primaryKey(),
  host: text('host').notNull(),
  startedAt: ms('started_at').notNull(),
  seenAt: ms('seen_at').notNull(),
});
