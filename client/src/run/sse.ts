import { createParser, type EventSourceMessage } from 'eventsource-parser';

/** One server-sent event: its name, its data lines joined, and its id when the server sent one. */
export interface SseMessage {
  event: string;
  data: string;
  id?: string;
}

/**
 * Reads a `text/event-stream` body (from a POST, which EventSource cannot send) and yields each event
 * as it arrives. Framing (CRLF, multi-line data, comments, ids) is eventsource-parser's; a last event
 * without its closing blank line is still delivered. Stops quietly when `signal` aborts.
 */
export async function* readSse(body: ReadableStream<Uint8Array>, signal?: AbortSignal): AsyncGenerator<SseMessage> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const ready: SseMessage[] = [];
  const parser = createParser({
    onEvent: (e: EventSourceMessage) => ready.push({ event: e.event ?? 'message', data: e.data, ...(e.id !== undefined ? { id: e.id } : {}) }),
  });
  try {
    for (;;) {
      if (signal?.aborted) return;
      const { value, done } = await reader.read();
      // At the end, a blank line dispatches an event the server left unterminated.
      parser.feed(done ? `${decoder.decode()}\n\n` : decoder.decode(value, { stream: true }));
      while (ready.length > 0) yield ready.shift()!;
      if (done) return;
    }
  } finally {
    reader.releaseLock();
  }
}
