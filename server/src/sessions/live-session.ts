/**
 * One live call session in memory: its turns, its latest outputs and the update loop. At most one run is
 * in flight per session; turns that arrive meanwhile wait and are taken in together by the next update
 * (coalesced). Each update runs the published plan on the transcript so far with final-only nodes
 * deferred and the session's node cache (./node-cache.ts); the final run, at the end, runs everything.
 * Every step is written to the store (turns, events, state) before its events reach followers.
 */
import { loggableMessage } from '../storage/db-errors.js';
import { quantile } from 'simple-statistics';
import type { SessionAlert } from '@shared/alerts.js';
import type { RunEvent } from '@shared/events.js';
import type { SessionEndReason, SessionFinalRun, SessionMetrics, SessionStatus, SessionTurn, SessionTurnInput } from '@shared/sessions.js';
import type { LiveConfirmation } from '@shared/live.js';
import { newId } from '../common/ids.js';
import { runPlan, type ExecutionPlan, type RunResult } from '../engine/index.js';
import type { ApiRunRecord } from '../storage/run-log.js';
import { SessionLeaseLost } from '../storage/session-writer.js';
import { writeSessionStep, type CallSessionEventRow, type CallSessionPatch } from '../storage/sessions.js';
import type { DataStore } from '../storage/store.js';
import { outputChanges } from './changes.js';
import { NodeCache } from './node-cache.js';
import { liveView, round, storedMetrics, type StoredCounters } from './stored.js';
import type { SessionEventRecord, SessionView } from './ports.js';
import { freshTurns } from './turns.js';
import type { SessionDeps, SessionFixed, SessionState } from './live-types.js';

export type { SessionDeps } from './live-types.js';

/** Lags kept per session for its percentiles (the newest). */
const MAX_LAGS = 2_000;

export class LiveSession {
  status: SessionStatus;
  readonly turns: SessionTurn[];
  private readonly turnIds: Set<string>;
  /** Characters of text over all turns held. */
  textLength: number;
  outputs: Record<string, unknown> | null;
  alerts: SessionAlert[];
  updateCount: number;
  nextEvent: number;
  simulated: boolean;
  lastTurnAt: number | null;
  lastActivityAt: number;
  endedAt: number | null = null;
  endReason: SessionEndReason | null = null;
  finalRunId: string | null = null;
  finalRun: SessionFinalRun | null = null;
  confirmation: LiveConfirmation | null;
  /** Turns already read by an update; those after it wait for the next one. */
  private reflected: number;
  /** Arrival time (performance.now) of each turn not yet reflected, in order. */
  private readonly arrivals: number[] = [];
  private readonly lags: number[] = [];
  /** The lags' median and 99th percentile, worked out when an update adds lags. */
  private lagPercentiles: { p50: number; p99: number } | undefined;
  private readonly cache = new NodeCache();
  private readonly base: StoredCounters;
  private running: Promise<void> | undefined;
  private ending: Promise<void> | undefined;

  /** Set once another server holds the session (its lease was taken): no more updates start here. */
  private released = false;

  constructor(
    readonly deps: SessionDeps,
    readonly plan: ExecutionPlan,
    /** The start input the turns fill. */
    readonly transcriptInput: string,
    readonly fixed: SessionFixed,
    state: SessionState,
  ) {
    this.status = state.status;
    this.turns = state.turns;
    this.turnIds = new Set(state.turns.map((t) => t.id));
    this.textLength = state.turns.reduce((sum, t) => sum + t.text.length, 0);
    this.outputs = state.outputs;
    this.alerts = state.alerts;
    this.updateCount = state.updateCount;
    this.nextEvent = state.nextEvent;
    this.simulated = state.simulated;
    this.lastTurnAt = state.lastTurnAt;
    this.lastActivityAt = state.lastActivityAt;
    this.confirmation = state.confirmation;
    const m = (state.metrics ?? {}) as Partial<StoredCounters>;
    this.base = { turns: 0, updates: 0, model_calls: m.model_calls ?? 0, reused_calls: m.reused_calls ?? 0, prompt_chars: m.prompt_chars ?? 0, prefix_chars: m.prefix_chars ?? 0, lag_ms_p50: m.lag_ms_p50 ?? null, lag_ms_p99: m.lag_ms_p99 ?? null };
    // Turns held before a restart and read by no stored update are read by the next one (see `schedule`).
    this.reflected = Math.min(state.reflected ?? state.turns.length, state.turns.length);
  }

  get id(): string {
    return this.fixed.id;
  }

  /** Whether a turn id is held already. */
  has(turnId: string): boolean {
    return this.turnIds.has(turnId);
  }

  /**
   * Holds the posted turns that are new (./turns.ts: idempotent by id, limits checked); resolves once
   * they are stored. Throws `too_large` past the limits, {@link SessionLeaseLost} when another server
   * holds the session now.
   */
  async add(inputs: readonly SessionTurnInput[]): Promise<{ accepted: number; duplicates: number; turnCount: number }> {
    const { fresh, duplicates } = freshTurns({ count: this.turns.length, textLength: this.textLength, has: (id) => this.turnIds.has(id) }, inputs);
    // The count when this post's turns are held (a post racing this one may add more while they are stored).
    const turnCount = this.turns.length + fresh.length;
    if (fresh.length > 0) await this.hold(fresh, performance.now());
    return { accepted: fresh.length, duplicates, turnCount };
  }

  /** Stops starting updates: another server holds the session now (what is in flight fails to write). */
  release(): void {
    this.released = true;
  }

  /**
   * Holds new turns (ids already checked unique: they count at once, so a post racing this one sees
   * them), stores them with a `session.turns` event, then hands the event on and schedules an update.
   * Resolves once they are stored.
   */
  async hold(turns: SessionTurn[], arrivedAt: number): Promise<void> {
    const now = this.deps.now();
    for (const t of turns) {
      this.turns.push(t);
      this.turnIds.add(t.id);
      this.textLength += t.text.length;
      this.arrivals.push(arrivedAt);
    }
    this.lastTurnAt = now;
    this.lastActivityAt = now;
    const event = this.event('session.turns', { session_id: this.id, turns, turn_count: this.turns.length }, now);
    await this.deps.writer.write(this.id, {
      turns: turns.map((t) => ({ sessionId: this.id, seq: t.seq, turnId: t.id, role: t.role, text: t.text, start: t.start ?? null, end: t.end ?? null, receivedAt: now })),
      events: [event],
      patch: { turnCount: this.turns.length, lastTurnAt: now, lastActivityAt: now, nextEvent: this.nextEvent },
    });
    this.deps.publish(toRecord(event), this);
    this.schedule();
  }

  /** Starts an update when turns wait and none is in flight. */
  schedule(): void {
    if (this.running || this.released || this.status !== 'active' || this.reflected >= this.turns.length) return;
    this.running = this.update()
      .catch((error: unknown) => {
        if (!(error instanceof SessionLeaseLost)) console.error(`[mofang] session ${this.id}: an update failed:`, loggableMessage(error));
      })
      .finally(() => {
        this.running = undefined;
        this.schedule();
      });
  }

  /** The run inputs on the first `upto` turns. */
  private inputsFor(upto: number): Record<string, unknown> {
    const turns = this.turns.slice(0, upto).map(({ seq: _seq, ...t }) => t);
    return { ...this.fixed.inputs, [this.transcriptInput]: { turns, ...(this.fixed.meta ? { meta: this.fixed.meta } : {}) } };
  }

  private async update(): Promise<void> {
    const upto = this.turns.length;
    const newTurns = this.turns.slice(this.reflected, upto);
    const arrivals = this.arrivals.splice(0, newTurns.length);
    const run = this.cache.forRun(this.deps.models);
    let result: RunResult;
    try {
      result = await runPlan(this.plan, this.inputsFor(upto), { models: run.models, services: this.deps.services, scenario: this.fixed.slug, deadlineMs: this.deps.deadlineMs, priority: 0, deferFinalOnly: true });
    } finally {
      run.commit();
    }
    this.reflected = upto;
    this.updateCount++;
    const now = this.deps.now();
    const done = performance.now();
    for (const at of arrivals) this.lags.push(done - at);
    if (this.lags.length > MAX_LAGS) this.lags.splice(0, this.lags.length - MAX_LAGS);
    // Once per update, not on every read of the session (each event hands followers a view).
    const sorted = [...this.lags].sort((x, y) => x - y);
    this.lagPercentiles = sorted.length > 0 ? { p50: round(quantile(sorted, 0.5)), p99: round(quantile(sorted, 0.99)) } : undefined;
    if (result.simulated) this.simulated = true;
    const ok = result.status === 'succeeded';
    const outputs = ok ? (result.outputs ?? {}) : (this.outputs ?? {});
    const changes = ok ? outputChanges(this.outputs, outputs) : [];
    if (ok) this.outputs = outputs;
    const stats = { latency_ms: result.latency_ms, model_calls: run.sent, reused_calls: run.reused, turns: newTurns.length, simulated: result.simulated ?? false };
    const lastTurn = newTurns[newTurns.length - 1]?.id ?? null;
    const events = [this.event('session.updated', { session_id: this.id, update: this.updateCount, turn_count: upto, last_turn_id: lastTurn, outputs, changes, ...(ok ? {} : { error: result.error }), stats, at: new Date(now).toISOString() }, now)];
    const raisedNow = ok ? await this.deps.alerting.check({ scenarioId: this.fixed.scenarioId, outputs, newTurns, raised: new Set(this.alerts.map((a) => a.rule_id)), lastTurnId: lastTurn, now }) : [];
    for (const alert of raisedNow) {
      this.alerts.push(alert);
      events.push(this.event('session.alert', { session_id: this.id, alert }, now));
    }
    await this.store(events, { outputs: this.outputs, updateCount: this.updateCount, alerts: this.alerts, simulated: this.simulated });
    const view = this.view();
    for (const alert of raisedNow) this.deps.alerting.deliver(view, alert, outputs);
  }

  /** Ends the session: the update in flight finishes, then the final run on the whole call. Idempotent. */
  end(reason: SessionEndReason): Promise<void> {
    this.ending ??= this.finish(reason);
    return this.ending;
  }

  private async finish(reason: SessionEndReason): Promise<void> {
    if (this.status === 'ended') return;
    this.status = 'ending';
    this.endReason = reason;
    // PostgreSQL: the final run's job is queued with `ending` (a backstop, should this server die before `ended`).
    const { finalRuns } = this.deps;
    await this.deps.writer.write(this.id, { patch: { status: 'ending', endReason: reason }, alsoWrite: finalRuns ? (tx) => finalRuns.enqueueIn(tx, this.id) : undefined });
    // Turns another server took for this session before it was ending (none can be left after).
    for (const post of (await this.deps.takeForwarded?.(this.id)) ?? []) {
      await this.add(post).catch((error: unknown) => console.error(`[mofang] session ${this.id}: turns passed on by another server were refused:`, loggableMessage(error)));
    }
    await this.running;
    const runId = newId();
    const inputs = this.inputsFor(this.turns.length);
    const run = this.cache.forRun(this.deps.models);
    const events: RunEvent[] = [];
    const createdAt = this.deps.now();
    let result: RunResult;
    try {
      result = await runPlan(this.plan, inputs, { models: run.models, services: this.deps.services, runId, scenario: this.fixed.slug, deadlineMs: this.deps.deadlineMs, priority: 0, onEvent: (e) => events.push(e) });
    } finally {
      run.commit();
    }
    const now = this.deps.now();
    const { fixed } = this;
    const record: ApiRunRecord = { id: runId, scenarioId: fixed.scenarioId, slug: fixed.slug, version: fixed.version, apiKeyId: fixed.apiKeyId, inputs, status: result.status, outputs: result.outputs, error: result.error, usage: result.usage, latencyMs: result.latency_ms, model: result.model, events, createdAt, finishedAt: now };
    if (result.simulated) this.simulated = true;
    if (result.status === 'succeeded') this.outputs = result.outputs ?? {};
    this.finalRunId = runId;
    this.finalRun = { run_id: runId, status: result.status, ...(result.outputs ? { outputs: result.outputs } : {}), ...(result.error ? { error: result.error } : {}), latency_ms: result.latency_ms, simulated: result.simulated ?? false };
    this.status = 'ended';
    this.endedAt = now;
    const ended = this.event('session.ended', { session_id: this.id, reason, turn_count: this.turns.length, final_run: this.finalRun, at: new Date(now).toISOString() }, now);
    // The run, the session's end (and on PostgreSQL the deletion of its queued job) in one transaction: a
    // server killed in between leaves the session ending, its final run made again (SQLite: at the next
    // start; PostgreSQL: by the queue's worker), never ended with a final run the log lacks.
    await this.store([ended], { status: 'ended', endedAt: now, endReason: reason, finalRunId: runId, finalRun: this.finalRun, outputs: this.outputs, simulated: this.simulated }, async (tx) => {
      await this.deps.runLog.writeIn(tx, record);
      await finalRuns?.doneIn(tx, this.id);
    });
  }

  /**
   * Stores the confirmation at once, not through the writer's queue: the caller writes it in one
   * transaction with its review case and audit record, which this write joins. No queued step of the
   * writer sets this column.
   */
  async confirm(confirmation: LiveConfirmation): Promise<void> {
    await writeSessionStep(this.deps.store, this.id, { patch: { confirmation } });
    this.confirmation = confirmation;
  }

  /** Waits for the update in flight (for a server that stops). */
  async settle(): Promise<void> {
    await this.running;
  }

  private event(name: string, data: unknown, at: number): CallSessionEventRow {
    return { sessionId: this.id, seq: this.nextEvent++, name, data, at };
  }

  /** Writes events and state (and `alsoWrite`'s rows) in one transaction, then hands the events on. */
  private async store(events: CallSessionEventRow[], patch: CallSessionPatch, alsoWrite?: (tx: DataStore) => void | Promise<void>): Promise<void> {
    await this.deps.writer.write(this.id, { events, patch: { ...patch, nextEvent: this.nextEvent, metrics: this.counters() }, alsoWrite });
    for (const event of events) this.deps.publish(toRecord(event), this);
  }

  private counters(): StoredCounters {
    const c = this.cache.counters;
    return {
      turns: this.turns.length,
      updates: this.updateCount,
      model_calls: this.base.model_calls + c.sent,
      reused_calls: this.base.reused_calls + c.reused,
      prompt_chars: this.base.prompt_chars + c.promptChars,
      prefix_chars: this.base.prefix_chars + c.prefixChars,
      lag_ms_p50: this.lagPercentiles?.p50 ?? this.base.lag_ms_p50,
      lag_ms_p99: this.lagPercentiles?.p99 ?? this.base.lag_ms_p99,
    };
  }

  metrics(): SessionMetrics {
    return storedMetrics(this.counters());
  }

  view(): SessionView {
    return liveView(this);
  }
}

function toRecord(row: CallSessionEventRow): SessionEventRecord {
  return { sessionId: row.sessionId, seq: row.seq, name: row.name, data: row.data, at: row.at };
}
