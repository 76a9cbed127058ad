/**
 * Live sessions held by several servers over one PostgreSQL database (storage/session-lease.ts says
 * how a lease works). Each server:
 *
 * - renews the leases of the sessions it holds every lease / 3, and lets go of one another server took
 *   (it paused longer than a lease): that session's writes are refused from then on, so it stops;
 * - takes up, at start and at each renewal, the open sessions whose lease ran out (their server was
 *   killed), each by one conditional update, so of servers racing for one a single one gets it;
 * - takes in, every `inboxPollMs`, the turns and ends other servers passed on for its sessions.
 *
 * A post of turns or an end on a server that does not hold the session takes the session when its
 * lease ran out, and is otherwise passed on to its holder through the store (`call_session_inbox`).
 */
import { loggableMessage } from '../storage/db-errors.js';
import type { SessionEndReason, SessionTurnInput } from '@shared/sessions.js';
import { DomainError } from '../common/domain-error.js';
import { expiredSessionIds, forwardPost, releaseSessions, renewLeases, takeExpiredSession, takeForwarded, type ForwardedPost, type SessionLease } from '../storage/session-lease.js';
import { getCallSession, sessionTurns, type CallSessionRow } from '../storage/sessions.js';
import type { DataStore } from '../storage/store.js';
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
  /** Makes a live session of a row just taken (and ends it if it was ending). */
  takeUp(row: CallSessionRow): Promise<void>;
  /** Forgets a session another server holds now. */
  drop(id: string): void;
  /** Applies a post passed on by another server (turns or an end) to a session held here. */
  apply(post: ForwardedPost): Promise<void>;
}

export class SessionCluster {
  private readonly timers: Array<ReturnType<typeof setInterval>> = [];
  private keeping: Promise<void> | undefined;
  private polling: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly store: DataStore,
    readonly lease: SessionLease,
    private readonly host: ClusterHost,
    private readonly options: { inboxPollMs: number; now(): number },
  ) {}

  /** Starts renewing leases, taking up expired sessions and taking in passed-on posts. */
  start(): void {
    const every = (ms: number, fn: () => void) => {
      const timer = setInterval(fn, ms);
      timer.unref();
      this.timers.push(timer);
    };
    every(Math.max(10, Math.floor(this.lease.ms / 3)), () => void this.keep());
    every(this.options.inboxPollMs, () => void this.takeIn());
  }

  /** Stops every timer, writing nothing (a server that stops, or one killed as far as the store sees). */
  stop(): void {
    this.stopped = true;
    for (const timer of this.timers.splice(0)) clearInterval(timer);
  }

  /** Lets go of every session held here (after they settled): another server takes them up at its next look. */
  async release(): Promise<void> {
    this.stop();
    await Promise.all([this.keeping, this.polling]);
    await releaseSessions(this.store, this.lease.owner);
  }

  /** Takes up every open session whose lease ran out; resolves when they are held here. */
  async takeUpExpired(): Promise<void> {
    for (const id of await expiredSessionIds(this.store, TAKE_UP_BATCH)) {
      if (this.stopped) return;
      await this.take(id);
    }
  }

  /** Takes session `id` if its lease ran out; returns whether this server holds it now. */
  async take(id: string): Promise<boolean> {
    const row = await takeExpiredSession(this.store, id, this.lease);
    if (!row) return false;
    await this.host.takeUp(row);
    return this.host.holds(id);
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
   * An end asked here for a session held elsewhere: left for its holder, then waited for (its final run
   * included) up to `waitMs`. Returns false when this server took the session instead (the caller ends it).
   */
  async forwardEnd(id: string, reason: SessionEndReason, waitMs: number): Promise<boolean> {
    const row = await getCallSession(this.store, id);
    if (!row || row.status === 'ended') return true;
    if ((row.leaseExpiresAt === null || row.leaseExpiresAt < this.options.now()) && (await this.take(id))) return false;
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

function ended(id: string): DomainError {
  return new DomainError('conflict', 'session_ended', `session "${id}" has ended: it takes no more turns`);
}
