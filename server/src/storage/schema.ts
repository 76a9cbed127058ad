/**
 * The SQLite tables. These are storage rows only: API shapes live in `@shared/api.ts`.
 * Times are epoch milliseconds; JSON columns hold text read through `jsonColumn`, whose read never throws
 * (a damaged text reads as the column's marker: null, or an unreadable graph; see json-column.ts).
 */
import { unreadableGraph } from '@shared/graph.js';
import { jsonColumn } from './json-column.js';
import type { AuditDetails } from '@shared/audit.js';
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

export const scenarios = sqliteTable('scenarios', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  description: text('description').notNull().default(''),
  graph: jsonColumn<unknown>('graph', unreadableGraph).notNull(),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
  /** Bumped on every update; a PUT naming an older revision is refused (optimistic concurrency). */
  revision: integer('revision').notNull().default(1),
  /** The published API's path segment, chosen at first publish; unique and never changed after. */
  slug: text('slug'),
  /** The version the API serves by default; null until first published. */
  liveVersion: integer('live_version'),
  /** The template (and its semver version) this scenario was made from or last updated to; null otherwise. */
  templateId: text('template_id'),
  templateVersion: text('template_version'),
}, (t) => [uniqueIndex('scenarios_slug_idx').on(t.slug)]);

/** Immutable published versions: the graph as published and the hash of its compiled plan. */
export const scenarioVersions = sqliteTable(
  'scenario_versions',
  {
    scenarioId: text('scenario_id')
      .notNull()
      .references(() => scenarios.id, { onDelete: 'cascade' }),
    version: integer('version').notNull(),
    graph: jsonColumn<unknown>('graph', unreadableGraph).notNull(),
    planHash: text('plan_hash').notNull(),
    note: text('note').notNull().default(''),
    createdBy: text('created_by').notNull().default(''),
    createdAt: integer('created_at').notNull(),
    /** The publish gate this version went live through (`VersionGate` of @shared/publish-gate), null without one. */
    gate: jsonColumn<unknown>('gate', () => null),
  },
  (t) => [primaryKey({ columns: [t.scenarioId, t.version] })],
);

/** API keys: only a hash is stored; `prefix` (the first characters) lets people tell keys apart. */
export const apiKeys = sqliteTable(
  'api_keys',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    prefix: text('prefix').notNull(),
    hash: text('hash').notNull(),
    /** Scenario slugs the key may call; null for every scenario (a damaged list reads as none). */
    scenarios: jsonColumn<string[] | null>('scenarios', () => []),
    /** Requests per minute; null for the server default. */
    rateLimit: integer('rate_limit'),
    /** Extra scopes (shared/src/keys.ts KEY_SCOPES); null (keys made before scopes) or damaged reads as none. */
    scopes: jsonColumn<string[] | null>('scopes', () => []),
    createdAt: integer('created_at').notNull(),
    revokedAt: integer('revoked_at'),
    lastUsedAt: integer('last_used_at'),
  },
  (t) => [uniqueIndex('api_keys_hash_idx').on(t.hash)],
);

export const runs = sqliteTable(
  'runs',
  {
    id: text('id').primaryKey(),
    scenarioId: text('scenario_id').references(() => scenarios.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: ['test', 'api', 'cli', 'job'] }).notNull(),
    status: text('status', { enum: ['running', 'succeeded', 'failed'] }).notNull(),
    inputs: jsonColumn<unknown>('inputs', () => null),
    outputs: jsonColumn<unknown>('outputs', () => null),
    error: jsonColumn<unknown>('error', () => null),
    usage: jsonColumn<unknown>('usage', () => null),
    latencyMs: integer('latency_ms'),
    model: text('model'),
    /** The published version an API run used (null for test and CLI runs of drafts). */
    version: integer('version'),
    apiKeyId: text('api_key_id'),
    createdAt: integer('created_at').notNull(),
    finishedAt: integer('finished_at'),
    /**
     * The run's events in order, as one JSON array (one row per run, not one per event). Null for runs
     * written before this column existed (and for runs still going): their events are in `run_events`.
     */
    events: jsonColumn<unknown[]>('events', () => null),
    /**
     * When the transcript retention (MOFANG_TRANSCRIPT_RETENTION_DAYS) cleared the run's inputs and
     * events (outputs, error and usage stay); null while they are kept.
     */
    redactedAt: integer('redacted_at'),
  },
  (t) => [index('runs_scenario_created_idx').on(t.scenarioId, t.createdAt), index('runs_kind_created_idx').on(t.kind, t.createdAt)],
);

/** The events of runs written before `runs.events` existed, one row per event; read, no longer written. */
export const runEvents = sqliteTable(
  'run_events',
  {
    runId: text('run_id')
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    seq: integer('seq').notNull(),
    type: text('type').notNull(),
    nodeId: text('node_id'),
    data: jsonColumn<unknown>('data', () => null).notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.seq] })],
);


/** Templates: one row per template id, with the metadata of its newest version (for listing). */
export const templates = sqliteTable('templates', {
  id: text('id').primaryKey(),
  category: text('category').notNull(),
  /** The TemplateMeta of the newest stored version (name, description, tags, changelog). */
  meta: jsonColumn<unknown>('meta', () => null).notNull(),
  source: text('source', { enum: ['builtin', 'admin'] }).notNull(),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
});

/** Immutable template versions: a stored version is never overwritten, only deprecated (or not). */
export const templateVersions = sqliteTable(
  'template_versions',
  {
    templateId: text('template_id')
      .notNull()
      .references(() => templates.id, { onDelete: 'cascade' }),
    /** Semver `MAJOR.MINOR.PATCH`. */
    version: text('version').notNull(),
    graph: jsonColumn<unknown>('graph', unreadableGraph).notNull(),
    /** The full TemplateMeta as of this version (zh/en name and description, changelog up to here). */
    meta: jsonColumn<unknown>('meta', () => null).notNull(),
    /** This version's changelog entry. */
    notes: text('notes').notNull().default(''),
    /** Sample inputs with scripted replies and expected outputs (built-ins and imported files). */
    samples: jsonColumn<unknown>('samples', () => null),
    source: text('source', { enum: ['builtin', 'admin'] }).notNull(),
    createdBy: text('created_by').notNull().default(''),
    createdAt: integer('created_at').notNull(),
    deprecatedAt: integer('deprecated_at'),
  },
  (t) => [primaryKey({ columns: [t.templateId, t.version] })],
);

/**
 * Jobs: one published version (or one frozen draft), many items. `owner` is the API key id that
 * submitted it (`user:<id>` for the UI); an Idempotency-Key is unique per owner. `purpose` tells a batch
 * job (the jobs page, `/v1/jobs`) from an evaluation's job, which only the evaluation reads.
 */
export const jobs = sqliteTable(
  'jobs',
  {
    id: text('id').primaryKey(),
    scenarioId: text('scenario_id')
      .notNull()
      .references(() => scenarios.id, { onDelete: 'cascade' }),
    slug: text('slug').notNull(),
    /** The published version run; 0 for a frozen draft (then `graph` holds it). */
    version: integer('version').notNull(),
    owner: text('owner').notNull(),
    /** `batch`: a job someone submitted over a version; `evaluation`: an evaluation's cases (not listed with the batch jobs). */
    purpose: text('purpose', { enum: ['batch', 'evaluation'] }).notNull().default('batch'),
    /** A frozen draft's graph (JSON text) as it was when the job was submitted; null for a published version. */
    graph: text('graph'),
    /** The compiled plan's hash (as `scenario_versions.plan_hash`) of a frozen draft; null for a published version. */
    graphHash: text('graph_hash'),
    status: text('status', { enum: ['queued', 'running', 'completed', 'cancelled'] }).notNull(),
    total: integer('total').notNull(),
    idempotencyKey: text('idempotency_key'),
    /** sha256 of the submitted items (and webhook), to tell a replay from a different body under a reused key. */
    bodyHash: text('body_hash').notNull(),
    webhookUrl: text('webhook_url'),
    webhookDeliveredAt: integer('webhook_delivered_at'),
    createdAt: integer('created_at').notNull(),
    startedAt: integer('started_at'),
    finishedAt: integer('finished_at'),
    /** When the transcript retention cleared every item's inputs (outputs and errors stay); null while kept. */
    redactedAt: integer('redacted_at'),
  },
  (t) => [uniqueIndex('jobs_owner_idem_idx').on(t.owner, t.idempotencyKey), index('jobs_scenario_created_idx').on(t.scenarioId, t.createdAt), index('jobs_status_idx').on(t.status, t.createdAt)],
);

/** One row per item of a job: its whole life (pending → running → succeeded | failed) and its result. */
export const jobItems = sqliteTable(
  'job_items',
  {
    jobId: text('job_id')
      .notNull()
      .references(() => jobs.id, { onDelete: 'cascade' }),
    /** The item's line (1-based) in the submission. */
    seq: integer('seq').notNull(),
    itemId: text('item_id').notNull(),
    inputs: text('inputs').notNull(),
    status: text('status', { enum: ['pending', 'running', 'succeeded', 'failed'] }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    runId: text('run_id'),
    outputs: text('outputs'),
    error: text('error'),
    latencyMs: integer('latency_ms'),
    startedAt: integer('started_at'),
    finishedAt: integer('finished_at'),
    /**
     * The model that answered the item's run (as its run records it), written with the outcome: results,
     * the simulated count and the dashboard read it here, not from the run log, which is written apart.
     */
    model: text('model'),
    /**
     * PostgreSQL only (jsonb there): what the inspection dashboard reads of a succeeded item's outputs (score,
     * verdict, red-line count, audit items), extracted once by the dashboard's first read of the item
     * (jobs/dashboard-sql.ts), so its aggregates never parse the outputs again. SQLite's dashboard reads the
     * outputs directly and leaves it null.
     */
    audit: jsonColumn<unknown>('audit', () => null),
  },
  (t) => [primaryKey({ columns: [t.jobId, t.seq] }), uniqueIndex('job_items_item_idx').on(t.jobId, t.itemId), index('job_items_status_idx').on(t.jobId, t.status, t.seq)],
);

/** Every delivery attempt of a job's completion webhook. */
export const jobWebhookAttempts = sqliteTable(
  'job_webhook_attempts',
  {
    jobId: text('job_id')
      .notNull()
      .references(() => jobs.id, { onDelete: 'cascade' }),
    attempt: integer('attempt').notNull(),
    at: integer('at').notNull(),
    status: integer('status'),
    error: text('error'),
  },
  (t) => [primaryKey({ columns: [t.jobId, t.attempt] })],
);

/**
 * People who sign in to the app. `name` is the login name; `password_hash` is an argon2id PHC string,
 * null for single-sign-on users (who carry their identity provider's issuer and subject instead).
 */
export const users = sqliteTable(
  'users',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    displayName: text('display_name').notNull().default(''),
    role: text('role', { enum: ['admin', 'designer', 'inspector', 'viewer'] }).notNull(),
    passwordHash: text('password_hash'),
    oidcIssuer: text('oidc_issuer'),
    oidcSubject: text('oidc_subject'),
    disabledAt: integer('disabled_at'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
    lastLoginAt: integer('last_login_at'),
    /** Set for a one-time password (created by an admin or the CLI, or reset): the user must choose their own before anything else. */
    passwordMustChange: integer('password_must_change', { mode: 'boolean' }).notNull().default(false),
    /**
     * The login name's key: NFKC-normalised and lower-cased (`nameKey` of `@shared/users.ts`), unique, so
     * `root` / `ROOT` / `ｒｏｏｔ` are one account. Null only until the store fills it at open (rows of older versions).
     */
    nameKey: text('name_key'),
  },
  (t) => [uniqueIndex('users_name_idx').on(t.name), uniqueIndex('users_name_key_idx').on(t.nameKey), uniqueIndex('users_oidc_idx').on(t.oidcIssuer, t.oidcSubject)],
);

/** Signed-in sessions: `id` is the SHA-256 (hex) of the cookie's random token, which is never stored. */
export const sessions = sqliteTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    csrfToken: text('csrf_token').notNull(),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
    lastSeenAt: integer('last_seen_at').notNull(),
  },
  (t) => [index('sessions_user_idx').on(t.userId), index('sessions_expires_idx').on(t.expiresAt)],
);

/**
 * The audit log: who changed what, when, from where, with a digest of the object before and after.
 * Append-only: triggers (migration `audit_append_only`) abort any UPDATE or DELETE of a row. No foreign
 * keys, so deleting a scenario or a user keeps its history; the transcript retention never touches it.
 * `seq` orders entries as they were written (newest first is `seq` descending); `id` is a UUIDv7.
 */
export const auditLog = sqliteTable(
  'audit_log',
  {
    seq: integer('seq').primaryKey({ autoIncrement: true }),
    id: text('id').notNull(),
    at: integer('at').notNull(),
    actorType: text('actor_type', { enum: ['user', 'api_key', 'cli', 'system'] }).notNull(),
    actorId: text('actor_id'),
    actorName: text('actor_name'),
    clientAddress: text('client_address'),
    action: text('action').notNull(),
    targetType: text('target_type'),
    targetId: text('target_id'),
    targetName: text('target_name'),
    /** SHA-256 (hex) of the RFC 8785 canonical JSON of the object before the change; null when there was none. */
    beforeDigest: text('before_digest'),
    /** Likewise after the change; null when the object is gone (a deletion) or the action changes nothing stored. */
    afterDigest: text('after_digest'),
    /** A short human-readable account of what changed (changed fields, version numbers, old → new role). */
    summary: text('summary').notNull().default(''),
    /** The summary's values (version numbers, old and new role, changed fields) as a JSON object, for the UI to word in zh-CN or en. */
    details: jsonColumn<AuditDetails>('details', () => ({})).notNull().default({}),
  },
  (t) => [
    uniqueIndex('audit_log_id_idx').on(t.id),
    index('audit_log_at_idx').on(t.at),
    index('audit_log_action_idx').on(t.action, t.seq),
    index('audit_log_actor_idx').on(t.actorId, t.seq),
    index('audit_log_target_idx').on(t.targetType, t.targetId, t.seq),
  ],
);

/**
 * Model endpoints added by admins (`/api/model-endpoints`); those of the environment are not stored.
 * `api_key` is AES-256-GCM ciphertext (server/src/endpoints/secret-box.ts), never the key itself;
 * `key_last4` is what the UI shows of it. `models` maps aliases to the endpoint's model names.
 */
export const modelEndpoints = sqliteTable(
  'model_endpoints',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    baseUrl: text('base_url').notNull(),
    apiKey: text('api_key'),
    keyLast4: text('key_last4'),
    models: jsonColumn<Record<string, string>>('models', () => ({})).notNull(),
    maxConcurrency: integer('max_concurrency'),
    timeoutMs: integer('timeout_ms'),
    supportsJsonSchema: integer('supports_json_schema', { mode: 'boolean' }).notNull().default(true),
    stream: integer('stream', { mode: 'boolean' }).notNull().default(true),
    enabled: integer('enabled', { mode: 'boolean' }).notNull().default(true),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [uniqueIndex('model_endpoints_name_idx').on(t.name)],
);

/**
 * The servers sharing the store, each upserting its row every few seconds (server/src/cluster): a row
 * seen within the lease is a live server. Limits that hold across servers (a `/v1` key's rate, a model
 * endpoint's concurrency) are split by the number of live servers. Written on PostgreSQL only (SQLite
 * has one server).
 */
export const serverInstances = sqliteTable('server_instances', {
  id: text('id').primaryKey(),
  host: text('host').notNull(),
  startedAt: integer('started_at').notNull(),
  seenAt: integer('seen_at').notNull(),
});
