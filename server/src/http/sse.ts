/**
 * Server-sent events for run streams (the canvas's test runs and `/v1` runs): one writer for both.
 * Every event carries an id `<run id>:<n>`; the stream ends with a plain close and no `retry:` field.
 * A client that reconnects sends the last id back as `Last-Event-ID` (an EventSource does this by
 * itself, and so do fetch-based clients that re-send the POST): the request then resumes the run it
 * names — events after that id, then the live ones until the run ends — and never starts a second run.
 * A run no longer remembered (or another owner's) gets 204 No Content, which tells an EventSource to
 * stop reconnecting; the finished run stays readable through the run APIs.
 */
import type { Request, Response } from 'express';
import { createSession } from 'better-sse';
import { LRUCache } from 'lru-cache';

interface RecordedEvent<T> {
  id: string;
  name: string;
  data: T;
}

/** One run's stream as sent so far, kept so that a reconnect can be answered from it. */
interface StreamLog<T> {
  owner: string;
  events: Array<RecordedEvent<T>>;
  done: boolean;
  /** Followers (open responses) to wake when an event is added or the run ends. */
  wake: Set<() => void>;
}

/** Where a writer's events go; `end` closes every response that follows the run. */
export interface RunEventWriter<T = unknown> {
  /** Sends one event (and records it for reconnects); `name` is the SSE event name. */
  push(data: T, name: string): void;
  /** Marks the run over: followers get the events still due, then their responses end. */
  end(): void;
  /** Settles when the response that opened the stream has ended or its client went away. */
  readonly closed: Promise<void>;
}

export interface RunEventStreamsOptions {
  /** Runs remembered at most (least recently used forgotten first); default 500. */
  max?: number;
  /** How long a finished run stays resumable, in ms; default 5 minutes. */
  ttlMs?: number;
}

/**
 * How one response shows an event's data (each follower of a run may see it differently: with
 * customers' personal data masked, say); the data as recorded when absent.
 */
export type RenderEvent<T> = (data: T, name: string) => unknown;

/** Whether a request's `Accept` header asks for server-sent events. */
export function wantsEventStream(accept: string | undefined): boolean {
  return accept !== undefined && accept.includes('text/event-stream');
}

/** The SSE id of a run's `seq`-th event (0-based). */
export function eventId(runId: string, seq: number): string {
  return `${runId}:${seq}`;
}

/** A `Last-Event-ID` read back into the run and the index of the next event due, or undefined. */
export function parseEventId(value: string): { runId: string; next: number } | undefined {
  const colon = value.lastIndexOf(':');
  if (colon <= 0) return undefined;
  const seq = value.slice(colon + 1);
  if (!/^\d{1,9}$/.test(seq)) return undefined;
  return { runId: value.slice(0, colon), next: Number(seq) + 1 };
}

/** The run streams of one router: opens them, and answers reconnects from the ones remembered. */
export class RunEventStreams<T = unknown> {
  private readonly logs: LRUCache<string, StreamLog<T>>;
  private readonly ttlMs: number;

  constructor(options: RunEventStreamsOptions = {}) {
    this.ttlMs = options.ttlMs ?? 5 * 60_000;
    // A run still streaming is kept without a time limit (ttl 0); `end` starts its clock.
    this.logs = new LRUCache<string, StreamLog<T>>({ max: options.max ?? 500, ttl: this.ttlMs });
  }

  /**
   * Answers a reconnect. Returns false when the request has no `Last-Event-ID` (the caller starts a
   * run); otherwise answers it — replay and follow, or 204 — and returns true. `found` is told the
   * run id before the first byte is sent (to set headers such as `X-Run-Id`); `render` shows each
   * event's data to this response.
   */
  async resume(req: Request, res: Response, owner: string, found?: (runId: string) => void, render?: RenderEvent<T>): Promise<boolean> {
    const header = req.get('last-event-id');
    if (header === undefined || header === '') return false;
    const named = parseEventId(header);
    const log = named ? this.logs.get(named.runId) : undefined;
    if (!named || !log || log.owner !== owner) {
      res.status(204).end();
      return true;
    }
    found?.(named.runId);
    await this.follow(req, res, log, Math.min(named.next, log.events.length), render);
    return true;
  }

  /**
   * Opens the stream of a new run on `res`, remembered under `runId` for reconnects by `owner`;
   * `render` shows each event's data to this response (a reconnect brings its own).
   */
  async open(req: Request, res: Response, runId: string, owner: string, render?: RenderEvent<T>): Promise<RunEventWriter<T>> {
    const log: StreamLog<T> = { owner, events: [], done: false, wake: new Set() };
    this.logs.set(runId, log, { ttl: 0 });
    const notify = () => {
      for (const wake of [...log.wake]) wake();
    };
    // A client gone before the stream opened is not an error: the run goes on and is logged.
    const closed = this.follow(req, res, log, 0, render).catch(() => undefined);
    return {
      push: (data, name) => {
        log.events.push({ id: eventId(runId, log.events.length), name, data });
        notify();
      },
      end: () => {
        log.done = true;
        if (this.logs.peek(runId) === log) this.logs.set(runId, log, { ttl: this.ttlMs });
        notify();
      },
      closed,
    };
  }

  /** Sends `log`'s events from index `next` on `res`, then each new one, until the run ends or the client goes. */
  private async follow(req: Request, res: Response, log: StreamLog<T>, next: number, render?: RenderEvent<T>): Promise<void> {
    const session = await createSession(req, res, { keepAlive: 15_000, retry: null, trustClientEventId: false });
    await new Promise<void>((resolve) => {
      const stop = () => {
        log.wake.delete(flush);
        resolve();
      };
      const flush = () => {
        while (next < log.events.length && session.isConnected) {
          const event = log.events[next++];
          session.push(render ? render(event.data, event.name) : event.data, event.name, event.id);
        }
        if (!session.isConnected) return stop();
        if (log.done) {
          res.end();
          stop();
        }
      };
      log.wake.add(flush);
      res.on('close', stop);
      flush();
    });
  }
}
