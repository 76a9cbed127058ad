/**
 * The SQLite tables of live call sessions and their alerts: storage rows only (server/src/sessions holds
 * the logic). Times are epoch ms; JSON columns are read through `jsonColumn`.
 */
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { jsonColumn } from './json-column.js';
import { scenarios } from './schema.js';

/**
 * One live call session of a published scenario version. `outputs` are the latest update's (the final
 * run's once ended); `alerts` every alert raised, oldest first; `metrics` the running figures
 * (`SessionCounters` of server/src/sessions). `desk_token_hash` is the SHA-256 of the desk token.
 */
export const callSessions = sqliteTable(
  'call_sessions',
  {
    id: text('id').primaryKey(),
    scenarioId: text('scenario_id')
      .notNull()
      .references(() => scenarios.id, { onDelete: 'cascade' }),
    slug: text('slug').notNull(),
    version: integer('version').notNull(),
    apiKeyId: text('api_key_id'),
    callId: text('call_id'),
    meta: jsonColumn<unknown>('meta', () => null),
    /** The start inputs other than the transcript, as the creation body gave them. */
    inputs: jsonColumn<unknown>('inputs', () => null),
    status: text('status', { enum: ['active', 'ending', 'ended'] }).notNull(),
    turnCount: integer('turn_count').notNull().default(0),
    updateCount: integer('update_count').notNull().default(0),
    /** The next event's number on the session's stream. */
    nextEvent: integer('next_event').notNull().default(0),
    outputs: jsonColumn<unknown>('outputs', () => null),
    alerts: jsonColumn<unknown>('alerts', () => []).notNull(),
    metrics: jsonColumn<unknown>('metrics', () => null),
    simulated: integer('simulated', { mode: 'boolean' }).notNull().default(false),
    deskTokenHash: text('desk_token_hash').notNull(),
    createdAt: integer('created_at').notNull(),
    lastTurnAt: integer('last_turn_at'),
    /** Last turn or creation: what the idle timeout counts from. */
    lastActivityAt: integer('last_activity_at').notNull(),
    endedAt: integer('ended_at'),
    endReason: text('end_reason', { enum: ['ended', 'idle', 'max_duration'] }),
    finalRunId: text('final_run_id'),
    finalRun: jsonColumn<unknown>('final_run', () => null),
    /** What the agent confirmed on the desk (`LiveConfirmation`); null until then. */
    confirmation: jsonColumn<unknown>('confirmation', () => null),
    /**
     * The server holding the session (several servers over one PostgreSQL database; null on SQLite, where
     * one process holds every session) and until when its lease runs, epoch ms of the database's clock.
     * Every write of the holder names it, so a server whose lease another took writes nothing more.
     */
    owner: text('owner'),
    leaseExpiresAt: integer('lease_expires_at'),
  },
  (t) => [index('call_sessions_status_idx').on(t.status, t.lastActivityAt), index('call_sessions_scenario_idx').on(t.scenarioId, t.createdAt), index('call_sessions_call_idx').on(t.callId)],
);

/** The turns of a session in call order (`seq` from 1); a turn id is held once per session. */
export const callSessionTurns = sqliteTable(
  'call_session_turns',
  {
    sessionId: text('session_id')
      .notNull()
      .references(() => callSessions.id, { onDelete: 'cascade' }),
    seq: integer('seq').notNull(),
    turnId: text('turn_id').notNull(),
    role: text('role').notNull(),
    text: text('text').notNull(),
    start: real('start'),
    end: real('end'),
    receivedAt: integer('received_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.sessionId, t.seq] }), uniqueIndex('call_session_turns_id_idx').on(t.sessionId, t.turnId)],
);

/** The events of a session's stream, numbered from 0, kept so a stream resumes with `Last-Event-ID`. */
export const callSessionEvents = sqliteTable(
  'call_session_events',
  {
    sessionId: text('session_id')
      .notNull()
      .references(() => callSessions.id, { onDelete: 'cascade' }),
    seq: integer('seq').notNull(),
    name: text('name').notNull(),
    data: jsonColumn<unknown>('data', () => null).notNull(),
    at: integer('at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.sessionId, t.seq] }), index('call_session_events_at_idx').on(t.at)],
);

/**
 * Turns (or an end) posted to a server that does not hold their session (PostgreSQL, several servers): kept here
 * until the holder takes them in (`turns` as the post gave them, `SessionTurnInput[]`), then deleted.
 */
export const callSessionInbox = sqliteTable(
  'call_session_inbox',
  {
    seq: integer('seq').primaryKey({ autoIncrement: true }),
    sessionId: text('session_id')
      .notNull()
      .references(() => callSessions.id, { onDelete: 'cascade' }),
    turns: jsonColumn<unknown>('turns', () => []).notNull(),
    /** Set when the post asked to end the session (with this reason) rather than add turns. */
    endReason: text('end_reason', { enum: ['ended', 'idle', 'max_duration'] }),
    at: integer('at').notNull(),
  },
  (t) => [index('call_session_inbox_session_idx').on(t.sessionId, t.seq)],
);

/**
 * A scenario's alert settings: rules, the board's risk output, the webhook and its signing secret
 * (sealed like model endpoint keys).
 */
export const alertSettings = sqliteTable('alert_settings', {
  scenarioId: text('scenario_id')
    .primaryKey()
    .references(() => scenarios.id, { onDelete: 'cascade' }),
  rules: jsonColumn<unknown>('rules', () => []).notNull(),
  riskOutput: text('risk_output'),
  webhookUrl: text('webhook_url'),
  webhookSecret: text('webhook_secret'),
  updatedAt: integer('updated_at').notNull(),
  updatedBy: text('updated_by'),
});

/** One webhook delivery of an alert, with its attempts (retried with backoff until delivered or given up). */
export const alertDeliveries = sqliteTable(
  'alert_deliveries',
  {
    id: text('id').primaryKey(),
    scenarioId: text('scenario_id')
      .notNull()
      .references(() => scenarios.id, { onDelete: 'cascade' }),
    sessionId: text('session_id').notNull(),
    alertId: text('alert_id').notNull(),
    url: text('url').notNull(),
    payload: jsonColumn<unknown>('payload', () => null).notNull(),
    status: text('status', { enum: ['pending', 'delivered', 'failed'] }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    lastStatus: integer('last_status'),
    lastError: text('last_error'),
    nextAttemptAt: integer('next_attempt_at'),
    createdAt: integer('created_at').notNull(),
    deliveredAt: integer('delivered_at'),
  },
  (t) => [index('alert_deliveries_pending_idx').on(t.status, t.nextAttemptAt), index('alert_deliveries_scenario_idx').on(t.scenarioId, t.createdAt)],
);
