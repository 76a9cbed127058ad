/**
 * Live sessions held by several servers over one PostgreSQL database (storage/session-lease.ts says
 * how a lease works). Each server:
 *
 * - renews the leases of the sessions it holds every lease / 3, and lets go of one another server took
 *   (it paused longer than a lease): that session's writes are refused from then on, so it stops;
 * - takes up, at start and at each renewal, the active sessions whose lease ran out (their server was
 *   killed), each by one conditional update, so of servers racing for one a single one gets it; the
 *   taker's idle sweep then ends them if they are idle or too long (nothing else watches a dead
 *   holder's timers: a session's idle and longest-call ends wait at most a lease more);
 * - makes, when its final-run worker fetches the job of an ending session (./final-run-queue.ts), the
 *   final run of that session if no live server holds it (`finishEnding`): ending sessions are the
 *   queue's, never taken up by lease;
 * - takes in, every `inboxPollMs`, the turns and ends other servers passed on for its sessions.
 *
 * A post of turns or an end on a server that does not hold an active session takes the session when its
 * lease ran out, and is otherwise passed on to its holder through the store (`call_session_inbox`).
 */
import { loggableMessage } from '../storage/db-errors.js';
import type { SessionEndReason, SessionTurnInput } from '@shared/sessions.js';
import { DomainError } from '../common/domain-error.js';
import { expiredSessionIds, forwardPost, releaseSessions, renewLeases, takeExpiredSession, takeForwarded, type ForwardedPost, type SessionLease } from '../storage/session-lease.js';
import { getCallSession, sessionTurns, type CallSessionRow } from '../storage/sessions.js';
import type { DataStore } from '../storage/store.js';
import type { FinalRunQueue } from './final-run-queue.js';
import type { LiveSession } from './live-session.js';
import { freshTurns } from './turns.js';

/** Sessions taken up per look (the rest at the next). */
const TAKE_UP_BATCH = 200;

/** What the cluster needs of its manager. */
export interface ClusterHost {
  /** Ids of the sessions held in memory here. */
  heldIds(): Iterable<string>;
  /** Whether session `id` is held here and not yet ended. */
  holds(id: string): boolean;
  /** Makes a live session of an active row just taken. */
  takeUp(row: CallSessionRow): Promise<void>;
  /** Makes a live session of an ending row just taken and resolves once its final run is written (rejects if it was not). */
  finish(row: CallSessionRow): Promise<void>;
  /** Forgets a session another server holds now. */
  drop(id: string): void;
  /** Applies a post passed on by another server (turns or an end) to a session held here. */
  apply(post: ForwardedPost): Promise<void>;
}

export class SessionCluster {
  private readonly timers: Array<ReturnType<typeof setInterval>> = [];
  private keeping: Promise<void> | undefined;
  private polling: Promise<void> | undefined;
  /** Ending sessions whose final run this server's worker is making, by id. */
  private readonly finishing = new Map<string, Promise<void>>();
  private stopped = false;

  constructor(
    private readonly store: DataStore,
    readonly lease: SessionLease,
    private readonly finalRuns: FinalRunQueue,
    private readonly host: ClusterHost,
    private readonly options: { inboxPollMs: number; now(): number },
  ) {}

  /** Starts pg-boss and makes the final-run queue (resolves when they are; a session's end needs them). */
  queueReady(): Promise<void> {
    return this.finalRuns.ready();
  }

  /** Starts renewing leases, taking up expired sessions, taking in passed-on posts and the final-run worker. */
  start(): void {
    const every = (ms: number, fn: () => void) => {
      const timer = setInterval(fn, ms);
      timer.unref();
      this.timers.push(timer);
    };
    every(Math.max(10, Math.floor(this.lease.ms / 3)), () => void this.keep());
    every(this.options.inboxPollMs, () => void this.takeIn());
    this.finalRuns.start(this.store, (id) => this.finishEnding(id));
  }

  /** Stops every timer and the final-run worker, writing nothing (a server that stops, or one killed as far as the store sees). */
  stop(): void {
    this.stopped = true;
    for (const timer of this.timers.splice(0)) clearInterval(timer);
    void this.finalRuns.close();
  }

  /** Lets go of every session held here (after they settled): another server takes them up at its next look. */
  async release(): Promise<void> {
    this.stop();
    await Promise.all([this.keeping, this.polling]);
    await releaseSessions(this.store, this.lease.owner);
  }

  /** Takes up every active session whose lease ran out; resolves when they are held here. */
  async takeUpExpired(): Promise<void> {
    for (const id of await expiredSessionIds(this.store, TAKE_UP_BATCH)) {
      if (this.stopped) return;
      await this.take(id);
    }
  }

  /** Takes active session `id` if its lease ran out; returns whether this server holds it now. */
  async take(id: string): Promise<boolean> {
    const row = await takeExpiredSession(this.store, id, this.lease, 'active');
    if (!row) return false;
    await this.host.takeUp(row);
    return this.host.holds(id);
  }

  /**
   * The final-run job of session `id` (./final-run-queue.ts), fetched here: resolves at once when the
   * session is not ending (ended by its holder: nothing to do), and once its final run is written when
   * this server took it (its lease had run out, or this server holds it without it in memory: its end
   * failed here). Throws {@link FinalRunHeld} while a live server (this one included) is making it or
   * holds it: pg-boss retries the job later. The final run is written once: one server takes the
   * session, and the writer refuses the writes of a server that no longer holds it.
   */
  finishEnding(id: string): Promise<void> {
    const running = this.finishing.get(id);
    if (running) return running;
    const run = (async () => {
      const row = await getCallSession(this.store, id);
      if (row?.status !== 'ending') return;
      if (this.host.holds(id)) throw new FinalRunHeld(id);
      const taken = row.owner === this.lease.owner ? row : await takeExpiredSession(this.store, id, this.lease, 'ending');
      if (!taken) throw new FinalRunHeld(id);
      await this.host.finish(taken);
      // Its end may have gone to another server meanwhile (this one paused past its lease): done only once written.
      if ((await getCallSession(this.store, id))?.status === 'ending') throw new FinalRunHeld(id);
    })();
    this.finishing.set(id, run);
    void run.catch(() => undefined).finally(() => this.finishing.delete(id));
    return run;
  }

  /**
   * Turns posted here for a session held elsewhere: checked against its stored turns (duplicates by id,
   * limits), then left for its holder. `not_found`, `conflict` `session_ended` as on its holder.
   * Returns undefined when this server took the session (its lease had run out): the caller holds them.
   */
  async forwardTurns(id: string, turns: SessionTurnInput[]): Promise<{ accepted: number; duplicates: number; turnCount: number } | undefined> {
    const row = await this.openRow(id);
    if ((row.leaseExpiresAt === null || row.leaseExpiresAt < this.options.now()) && (await this.take(id))) return undefined;
    const stored = await sessionTurns(this.store, id);
    const ids = new Set(stored.map((t) => t.turnId));
    const { fresh, freshInputs, duplicates } = freshTurns({ count: stored.length, textLength: stored.reduce((n, t) => n + t.text.length, 0), has: (turnId) => ids.has(turnId) }, turns);
    if (fresh.length > 0 && !(await forwardPost(this.store, id, freshInputs, null, this.options.now()))) throw ended(id);
    return { accepted: fresh.length, duplicates, turnCount: stored.length + fresh.length };
  }

  /**
   * An end asked here for a session held elsewhere: left for its holder (an ending one: its final run is
   * under way there or queued), then waited for (its final run included) up to `waitMs`. Returns false
   * when this server took the session instead, or holds it now (the caller ends it).
   */
  async forwardEnd(id: string, reason: SessionEndReason, waitMs: number): Promise<boolean> {
    const row = await getCallSession(this.store, id);
    if (!row || row.status === 'ended') return true;
    // An ending session's final run is its holder's, or the queue's when its holder is gone: waited for.
    if (row.status === 'active' && (row.leaseExpiresAt === null || row.leaseExpiresAt < this.options.now()) && (await this.take(id))) return false;
    if (row.status === 'active') await forwardPost(this.store, id, [], reason, this.options.now());
    const until = Date.now() + waitMs;
    while (Date.now() < until && (await getCallSession(this.store, id))?.status !== 'ended') {
      if (this.host.holds(id)) return false;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return true;
  }

  /** The turns other servers passed on for session `id` (held here and ending), oldest post first. */
  async forwardedTurns(id: string): Promise<SessionTurnInput[][]> {
    // A take-in in flight may hold this session's posts: they are added before its final run.
    await this.polling;
    return (await takeForwarded(this.store, this.lease.owner, id)).filter((p) => p.turns.length > 0).map((p) => p.turns);
  }

  private async openRow(id: string): Promise<CallSessionRow> {
    const row = await getCallSession(this.store, id);
    if (!row) throw new DomainError('not_found', 'unknown_session', `no session "${id}"`);
    if (row.status !== 'active') throw ended(id);
    return row;
  }

  /** Renews the leases held here, forgets sessions taken by another, takes up expired ones. */
  private keep(): Promise<void> {
    this.keeping ??= (async () => {
      try {
        // Only sessions held before the renewal began: one taken up meanwhile may be missing from its answer.
        const before = [...this.host.heldIds()];
        const renewed = new Set(await renewLeases(this.store, this.lease));
        for (const id of before) if (!renewed.has(id) && this.host.holds(id)) this.host.drop(id);
        if (!this.stopped) await this.takeUpExpired();
      } catch (error) {
        console.error('[mofang] renewing live session leases failed:', loggableMessage(error));
      } finally {
        this.keeping = undefined;
      }
    })();
    return this.keeping;
  }

  /** Applies the posts other servers passed on for sessions held here. */
  private takeIn(): Promise<void> {
    this.polling ??= (async () => {
      try {
        for (const post of await takeForwarded(this.store, this.lease.owner)) {
          await this.host.apply(post).catch((error: unknown) => console.error(`[mofang] session ${post.sessionId}: a post passed on by another server failed:`, loggableMessage(error)));
        }
      } catch (error) {
        console.error('[mofang] taking in posts for live sessions failed:', loggableMessage(error));
      } finally {
        this.polling = undefined;
      }
    })();
    return this.polling;
  }
}

/** The host a manager is, from its sessions in memory and the calls the cluster makes. */
export function clusterHost(m: {
  live: ReadonlyMap<string, LiveSession>;
  takeUp(row: CallSessionRow): Promise<void>;
  drop(id: string): void;
  end(id: string, reason: SessionEndReason): Promise<unknown>;
  addTurns(id: string, turns: SessionTurnInput[]): Promise<unknown>;
}): ClusterHost {
  return {
    heldIds: () => m.live.keys(),
    holds: (id) => {
      const session = m.live.get(id);
      return session !== undefined && session.status !== 'ended';
    },
    takeUp: (row) => m.takeUp(row),
    finish: async (row) => {
      await m.takeUp(row);
      // Held here (its scenario still runs): the end takeUp started, joined; else takeUp ended it as it was.
      if (m.live.has(row.id)) await m.end(row.id, row.endReason ?? 'ended');
    },
    drop: (id) => m.drop(id),
    apply: async (post) => {
      const session = m.live.get(post.sessionId);
      // An end is not waited for: its final run may wait for this very take-in (`forwardedTurns`).
      if (post.endReason) void m.end(post.sessionId, post.endReason).catch((error: unknown) => console.error(`[mofang] session ${post.sessionId}: ending it failed:`, loggableMessage(error)));
      else if (post.turns.length === 0) return;
      // Turns left before the session was ending belong to its final run.
      else if (session?.status === 'ending') await session.add(post.turns);
      else await m.addTurns(post.sessionId, post.turns);
    },
  };
}

/** The final-run job of a session a live server holds (or this one is finishing): retried later by pg-boss. */
export class FinalRunHeld extends Error {
  readonly code = 'final_run_held';
  constructor(readonly sessionId: string) {
    super(`session ${sessionId} is held by a live server, which makes its final run`);
  }
}

function ended(id: string): DomainError {
  return new DomainError('conflict', 'session_ended', `session "${id}" has ended: it takes no more turns`);
}
