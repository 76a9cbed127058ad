/**
 * The board's view of sessions other servers hold (several servers over one PostgreSQL database): their
 * events reach only their own server's followers, so while someone here follows the board, the events
 * the board shows (`session.started`, `session.updated`, `session.alert`, `session.ended`) are read from
 * the store every `pollMs` by time (`call_session_events_at_idx`). Reads overlap by `SLACK_MS`, because
 * an event's time is taken before its write commits and another server's clock may differ a little;
 * events already handed on are remembered (by session and seq) for that long, so each goes out once.
 */
import { loggableMessage } from '../storage/db-errors.js';
import { callSessionsByIds, eventsAcrossSince } from '../storage/session-lease.js';
import type { DataStore } from '../storage/store.js';
import type { SessionEventRecord, SessionView } from './ports.js';
import { rowView } from './stored.js';

type Listener = (event: SessionEventRecord, session: SessionView) => void;

/** The events the board shows. */
export const BOARD_EVENT_NAMES = ['session.started', 'session.updated', 'session.alert', 'session.ended'] as const;
/** How far back each read reaches before the newest event seen, ms. */
const SLACK_MS = 5_000;
/** Events read at most per poll (the rest at the next). */
const PAGE = 1_000;

export class StoredBoardFollower {
  private readonly listeners = new Set<Listener>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Events handed on, `<session>:<seq>` → time, while within the slack. */
  private readonly seen = new Map<string, number>();
  private since = 0;
  /** When the first follower came: earlier events are not handed on. */
  private from = 0;
  private closed = false;

  constructor(
    private readonly store: DataStore,
    private readonly pollMs: number,
    /** Whether the session is held by this server now (then its own events reach the listeners). */
    private readonly heldHere: (id: string) => boolean,
    private readonly now: () => number,
  ) {}

  /** Follows every other server's sessions' board events from now on; returns the unsubscribe. */
  follow(listener: Listener): () => void {
    if (this.listeners.size === 0 && !this.closed) {
      // Events from before the first follower are the list's business, not the stream's.
      this.from = this.now();
      this.since = this.from - SLACK_MS;
      this.seen.clear();
      this.arm();
    }
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.disarm();
    };
  }

  /** Stops polling. */
  close(): void {
    this.closed = true;
    this.disarm();
  }

  private disarm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(): void {
    this.timer = setTimeout(() => void this.poll(), this.pollMs);
    this.timer.unref();
  }

  private async poll(): Promise<void> {
    this.timer = undefined;
    try {
      const events = await eventsAcrossSince(this.store, this.since, BOARD_EVENT_NAMES, PAGE);
      const fresh = events.filter((e) => !this.seen.has(`${e.sessionId}:${e.seq}`));
      for (const e of fresh) this.seen.set(`${e.sessionId}:${e.seq}`, e.at);
      const newest = events.reduce((max, e) => Math.max(max, e.at), this.since + SLACK_MS);
      this.since = events.length === PAGE ? (events.at(-1)?.at ?? this.since) : newest - SLACK_MS;
      for (const [key, at] of this.seen) if (at < this.since) this.seen.delete(key);
      const shown = fresh.filter((e) => e.at >= this.from && !this.heldHere(e.sessionId));
      if (shown.length > 0 && this.listeners.size > 0) {
        const views = new Map((await callSessionsByIds(this.store, [...new Set(shown.map((e) => e.sessionId))])).map((row) => [row.id, rowView(row)]));
        for (const e of shown) {
          const view = views.get(e.sessionId);
          if (!view) continue;
          const event: SessionEventRecord = { sessionId: e.sessionId, seq: e.seq, name: e.name, data: e.data, at: e.at };
          for (const listener of [...this.listeners]) listener(event, view);
        }
      }
    } catch (error) {
      console.error('[mofang] following the board in the store failed:', loggableMessage(error));
    }
    if (this.listeners.size > 0 && !this.closed && !this.timer) this.arm();
  }
}
