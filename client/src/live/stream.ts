/**
 * Follows a server-sent event stream with `fetch` (so a desk token can go in a header, which an
 * EventSource cannot send), parsed by eventsource-parser. When the connection drops it connects again
 * after a pause, sending the last event id as `Last-Event-ID` so the server resumes after it; it stops
 * for good when told to (`stop()`, or `isLast` of an event), or when the server refuses (4xx).
 */
import { createParser } from 'eventsource-parser';

/** One event as the stream delivers it: its name, its data parsed as JSON, its id. */
export interface StreamEvent {
  event: string;
  data: unknown;
  id?: string;
}

export interface FollowOptions {
  headers?: Record<string, string>;
  credentials?: RequestCredentials;
  onEvent: (event: StreamEvent) => void;
  /** `open` on each (re)connection, `retrying` after a drop, `refused` with the status when the server says no. */
  onState?: (state: 'open' | 'retrying' | 'refused', status?: number) => void;
  /** Whether an event is the stream's last (then no reconnection follows). */
  isLast?: (event: StreamEvent) => boolean;
  /** Pause before connecting again, ms. */
  retryMs?: number;
}

/** Starts following `url`; returns the function that stops it. */
export function followStream(url: string, options: FollowOptions): () => void {
  const controller = new AbortController();
  let lastId: string | undefined;
  let finished = false;
  const pause = () => new Promise((resolve) => setTimeout(resolve, options.retryMs ?? 1500));

  const once = async (): Promise<'again' | 'done'> => {
    const res = await fetch(url, {
      signal: controller.signal,
      credentials: options.credentials,
      headers: { accept: 'text/event-stream', ...options.headers, ...(lastId ? { 'last-event-id': lastId } : {}) },
    });
    if (res.status >= 400 && res.status < 500) {
      options.onState?.('refused', res.status);
      return 'done';
    }
    if (!res.ok || !res.body) return 'again';
    options.onState?.('open');
    const parser = createParser({
      onEvent: (e) => {
        if (e.id) lastId = e.id;
        let data: unknown = null;
        try {
          data = JSON.parse(e.data);
        } catch {
          data = e.data;
        }
        const event: StreamEvent = { event: e.event ?? 'message', data, ...(e.id ? { id: e.id } : {}) };
        if (options.isLast?.(event)) finished = true;
        options.onEvent(event);
      },
    });
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      parser.feed(decoder.decode(value, { stream: true }));
    }
    return finished ? 'done' : 'again';
  };

  void (async () => {
    while (!controller.signal.aborted) {
      let next: 'again' | 'done' = 'again';
      try {
        next = await once();
      } catch {
        next = 'again';
      }
      if (next === 'done' || controller.signal.aborted) return;
      options.onState?.('retrying');
      await pause();
    }
  })();
  return () => controller.abort();
}
