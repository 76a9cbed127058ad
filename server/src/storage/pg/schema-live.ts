/**
 * The PostgreSQL tables of `../schema-live.ts` (live call sessions and their alerts), one for one:
 * same names, columns, keys and indexes (schema-parity.test.ts checks it).
 * Comments on what the columns mean live in the SQLite file; docs/postgres.md says how the types map.
 */
import { bigint, boolean, doublePrecision, index, integer, pgTable, primaryKey, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { json, ms } from './columns.js';
import { scenarios } from './schema.js';

export const callSessions = pgTable(
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
    meta: json<unknown>('meta'),
    inputs: json<unknown>('inputs'),
    status: text('status', { enum: ['active', 'ending', 'ended'] }).notNull(),
    turnCount: integer('turn_count').notNull().default(0),
    updateCount: integer('update_count').notNull().default(0),
    nextEvent: integer('next_event').notNull().default(0),
    outputs: json<unknown>('outputs'),
    alerts: json<unknown>('alerts').notNull(),
    metrics: json<unknown>('metrics'),
    simulated: boolean('simulated').notNull().default(false),
    deskTokenHash: text('desk_token_hash').notNull(),
    createdAt: ms('created_at').notNull(),
    lastTurnAt: ms('last_turn_at'),
    lastActivityAt: ms('last_activity_at').notNull(),
    endedAt: ms('ended_at'),
    endReason: text('end_reason', { enum: ['ended', 'idle', 'max_duration'] }),
    finalRunId: text('final_run_id'),
    finalRun: json<unknown>('final_run'),
    confirmation: json<unknown>('confirmation'),
    owner: text('owner'),
    leaseExpiresAt: ms('lease_expires_at'),
  },
  (t) => [index('call_sessions_status_idx').on(t.status, t.lastActivityAt), index('call_sessions_scenario_idx').on(t.scenarioId, t.createdAt), index('call_sessions_call_idx').on(t.callId)],
);

export const callSessionTurns = pgTable(
  'call_session_turns',
  {
    sessionId: text('session_id')
      .notNull()
      .references(() => callSessions.id, { onDelete: 'cascade' }),
    seq: integer('seq').notNull(),
    turnId: text('turn_id').notNull(),
    role: text('role').notNull(),
    text: text('text').notNull(),
    start: doublePrecision('start'),
    end: doublePrecision('end'),
    receivedAt: ms('received_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.sessionId, t.seq] }), uniqueIndex('call_session_turns_id_idx').on(t.sessionId, t.turnId)],
);

export const callSessionEvents = pgTable(
  'call_session_events',
  {
    sessionId: text('session_id')
      .notNull()
      .references(() => callSessions.id, { onDelete: 'cascade' }),
    seq: integer('seq').notNull(),
    name: text('name').notNull(),
    data: json<unknown>('data').notNull(),
    at: ms('at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.sessionId, t.seq] }), index('call_session_events_at_idx').on(t.at)],
);

export const callSessionInbox = pgTable(
  'call_session_inbox',
  {
    seq: bigint('seq', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    sessionId: text('session_id')
      .notNull()
      .references(() => callSessions.id, { onDelete: 'cascade' }),
    turns: json<unknown>('turns').notNull(),
    endReason: text('end_reason', { enum: ['ended', 'idle', 'max_duration'] }),
    at: ms('at').notNull(),
  },
  (t) => [index('call_session_inbox_session_idx').on(t.sessionId, t.seq)],
);

export const alertSettings = pgTable('alert_settings', {
  scenarioId: text('scenario_id')
    .primaryKey()
    .references(() => scenarios.id, { onDelete: 'cascade' }),
  rules: json<unknown>('rules').notNull(),
  riskOutput: text('risk_output'),
  webhookUrl: text('webhook_url'),
  webhookSecret: text('webhook_secret'),
  updatedAt: ms('updated_at').notNull(),
  updatedBy: text('updated_by'),
});

export const alertDeliveries = pgTable(
  'alert_deliveries',
  {
    id: text('id').primaryKey(),
    scenarioId: text('scenario_id')
      .notNull()
      .references(() => scenarios.id, { onDelete: 'cascade' }),
    sessionId: text('session_id').notNull(),
    alertId: text('alert_id').notNull(),
    url: text('url').notNull(),
    payload: json<unknown>('payload').notNull(),
    status: text('status', { enum: ['pending', 'delivered', 'failed'] }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    lastStatus: integer('last_status'),
    lastError: text('last_error'),
    nextAttemptAt: ms('next_attempt_at'),
    createdAt: ms('created_at').notNull(),
    deliveredAt: ms('delivered_at'),
  },
  (t) => [index('alert_deliveries_pending_idx').on(t.status, t.nextAttemptAt), index('alert_deliveries_scenario_idx').on(t.scenarioId, t.createdAt)],
);
