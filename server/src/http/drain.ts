/**
 * Draining: what a server does between "stop" (SIGTERM from an orchestrator, Ctrl+C) and closing its
 * store. It answers `GET /api/ready` with 503 `draining` so a load balancer sends new work elsewhere,
 * ends the event streams that only follow something (live boards, a session's events) so their clients
 * reconnect to another server with `Last-Event-ID`, and lets the requests in flight — `/v1` runs, a
 * canvas's streaming run, a posted turn — finish, up to a timeout.
 *
 * Follower streams are told from run streams by their method: every stream that follows (the live board,
 * a session's events, `/v1/sessions/:id/events`) is a GET, and every stream that runs something (a `/v1`
 * run, a test run, a reconnect that resumes one) is a POST, which must be let finish.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import pTimeout from 'p-timeout';

/** One request being answered. */
interface InFlight {
  req: IncomingMessage;
  res: ServerResponse;
}

/** The in-flight requests of one HTTP server and whether it is draining. */
export class Drain {
  private state: 'serving' | 'draining' = 'serving';
  private readonly inFlight = new Set<InFlight>();
  private idleWaiters: Array<() => void> = [];

  /** Whether the server is draining (ready answers 503 `draining`). */
  get draining(): boolean {
    return this.state === 'draining';
  }

  /** Requests being answered now. */
  get requests(): number {
    return this.inFlight.size;
  }

  /**
   * Counts `req` in flight until its response closes. While draining, its reply asks the client to
   * close the connection, so a keep-alive client opens its next one through the load balancer.
   */
  track(req: IncomingMessage, res: ServerResponse): void {
    const entry: InFlight = { req, res };
    this.inFlight.add(entry);
    if (this.draining) askToClose(res);
    res.once('close', () => {
      this.inFlight.delete(entry);
      if (this.inFlight.size === 0) this.wakeIdle();
    });
  }

  /**
   * Starts draining (once): ends every follower event stream now and asks the other requests' clients
   * to close their connection when their reply ends.
   */
  start(): void {
    if (this.draining) return;
    this.state = 'draining';
    for (const { req, res } of [...this.inFlight]) {
      if (isFollowerStream(req, res)) res.end();
      else askToClose(res);
    }
  }

  /** Settles once no request is in flight (at once when none is). */
  idle(): Promise<void> {
    if (this.inFlight.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private wakeIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const wake of waiters) wake();
  }
}

/**
 * A GET answered with server-sent events: it follows news and may be resumed elsewhere. Reads the reply's
 * Content-Type with getHeader, which sees better-sse's (given to writeHead) because the front door has
 * set headers on every reply before (Node then merges writeHead's into them); tests/api/drain.test.ts
 * proves it on the real server.
 */
export function isFollowerStream(req: Pick<IncomingMessage, 'method'>, res: Pick<ServerResponse, 'getHeader' | 'writableEnded'>): boolean {
  const type = res.getHeader('content-type');
  return req.method === 'GET' && typeof type === 'string' && type.startsWith('text/event-stream') && !res.writableEnded;
}

function askToClose(res: ServerResponse): void {
  if (!res.headersSent) res.setHeader('connection', 'close');
}

/**
 * Waits for `work` up to `timeoutMs`; resolves true when it settled in time, false when the time ran
 * out (the work goes on; the caller aborts what is left).
 */
export function within(work: Promise<unknown>, timeoutMs: number): Promise<boolean> {
  return pTimeout(
    work.then(
      () => true,
      () => true,
    ),
    // At least 1 ms, as a timer of 0 ms is in Node (p-timeout refuses 0).
    { milliseconds: Math.max(1, timeoutMs), fallback: () => false },
  );
}
