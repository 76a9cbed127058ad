/**
 * Following a session that another server holds (several servers over one PostgreSQL database): its
 * events reach only that server's followers in memory, so here they are read from the store every
 * `pollMs` while someone follows it, from the first seq a follower still needs, until `session.ended`.
 * A stream resumed on this server (Last-Event-ID) thus goes on while the call is served elsewhere.
 */
import { loggableMessage } from '../storage/db-errors.js';
import { getCallSession, sessionEventsSince } from '../storage/sessions.js';
import type { DataStore } from '../storage/store.js';
import type { SessionEventRecord, SessionView } from './ports.js';
import { rowView } from './stored.js';

type Listener = (event: SessionEventRecord, session: SessionView) => void;

interface Followed {
  listeners: Set<Listener>;
  /** The next seq to read. */
  next: number;
  timer: ReturnType<typeof setTimeout> | undefined;
}

export class StoredSessionFollower {
  private readonly followed = new Map<string, Followed>();

  constructor(
    private readonly store: DataStore,
    private readonly pollMs: number,
    /** Whether the session is held by this server now (then its own events reach the listeners). */
    private readonly heldHere: (id: string) => boolean,
  ) {}

  /** Follows session `id` in the store from seq `fromSeq`; returns the unsubscribe. */
  follow(id: string, fromSeq: number, listener: Listener): () => void {
    let entry = this.followed.get(id);
    if (!entry) {
      entry = { listeners: new Set(), next: fromSeq, timer: undefined };
      this.followed.set(id, entry);
      this.arm(id, entry);
    }
    entry.next = Math.min(entry.next, fromSeq);
    entry.listeners.add(listener);
    const followed = entry;
    return () => {
      followed.listeners.delete(listener);
      if (followed.listeners.size === 0) this.drop(id, followed);
    };
  }

  /** Stops every poll. */
  close(): void {
    for (const [id, entry] of this.followed) this.drop(id, entry);
  }

  private drop(id: string, entry: Followed): void {
    if (entry.timer) clearTimeout(entry.timer);
    entry.timer = undefined;
    if (this.followed.get(id) === entry) this.followed.delete(id);
  }

  private arm(id: string, entry: Followed): void {
    entry.timer = setTimeout(() => void this.poll(id, entry), this.pollMs);
    entry.timer.unref();
  }

  private async poll(id: string, entry: Followed): Promise<void> {
    entry.timer = undefined;
    if (this.followed.get(id) !== entry) return;
    let over = false;
    try {
      if (!this.heldHere(id)) {
        const events = await sessionEventsSince(this.store, id, entry.next);
        const row = events.length > 0 ? await getCallSession(this.store, id) : undefined;
        if (row) {
          const view = rowView(row);
          for (const e of events) {
            entry.next = e.seq + 1;
            const event: SessionEventRecord = { sessionId: e.sessionId, seq: e.seq, name: e.name, data: e.data, at: e.at };
            for (const listener of [...entry.listeners]) listener(event, view);
            if (e.name === 'session.ended') over = true;
          }
        }
      }
    } catch (error) {
      console.error(`[mofang] following session ${id} in the store failed:`, loggableMessage(error));
    }
    if (over) this.drop(id, entry);
    else if (this.followed.get(id) === entry) this.arm(id, entry);
  }
}
