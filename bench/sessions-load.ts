/**
 * The load of `npm run bench:sessions`: N live sessions over `/v1`, each following its own event stream
 * (undici, one connection each) and posting a turn every 3–5 s (uniform, seeded), its turns taken from
 * STC-3 conversations in order. For every turn it records the time from posting it to the first
 * `session.updated` that includes it, and what the update says about its model work.
 */
import { setMaxListeners } from 'node:events';
import { createParser } from 'eventsource-parser';
import { Agent, request } from 'undici';

/** A turn's text and role, as STC-3 has them. */
export interface BenchTurn {
  role: string;
  text: string;
}

/** A seeded generator of numbers in [0, 1) (mulberry32). */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One measured turn. */
export interface TurnSample {
  /** Ms from posting it to the `session.updated` that first included it. */
  lagMs: number;
  /** Ms it waited for an update already in flight when it was posted (0 when none was). */
  waitedMs: number;
  /** The including update's run time (`stats.latency_ms`). */
  runMs: number;
}

/** What the load measured (turns posted in the measuring window only). */
export interface LoadResult {
  sessions: number;
  turns: number;
  samples: TurnSample[];
  updates: number;
  failedUpdates: number;
  modelCalls: number;
  reusedCalls: number;
  /** Updates that took in more than one turn, and the turns beyond the first they took in. */
  coalescedUpdates: number;
  coalescedTurns: number;
  /** Failed requests and broken streams, with the first few messages. */
  errors: number;
  errorSamples: string[];
  /** Turns posted in the window that no update included before the end. */
  unmatched: number;
  sessionIds: string[];
}

export interface LoadOptions {
  url: string;
  key: string;
  slug: string;
  sessions: number;
  /** Ms of ramp-up and warm-up before measuring starts. */
  warmupMs: number;
  /** Ms of measuring. */
  durationMs: number;
  seed: number;
  conversations: BenchTurn[][];
  /** Called once measuring starts and once it stops. */
  onWindow(edge: 'start' | 'stop'): void;
}

interface Pending {
  seq: number;
  postedAt: number;
  measured: boolean;
  /** When an update was already in flight at posting: that update's turns' last seq. */
  behind: number | null;
}

/** Runs the load and resolves with what it measured; every stream is closed when it resolves. */
export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  const agent = new Agent({ connections: null, pipelining: 1, keepAliveTimeout: 60_000, headersTimeout: 30_000, bodyTimeout: 0 });
  const r: LoadResult = { sessions: 0, turns: 0, samples: [], updates: 0, failedUpdates: 0, modelCalls: 0, reusedCalls: 0, coalescedUpdates: 0, coalescedTurns: 0, errors: 0, errorSamples: [], unmatched: 0, sessionIds: [] };
  const headers = { authorization: `Bearer ${o.key}`, 'content-type': 'application/json' };
  const fail = (message: string) => {
    r.errors++;
    if (r.errorSamples.length < 5) r.errorSamples.push(message);
  };
  const t0 = performance.now();
  const windowStart = t0 + o.warmupMs;
  const windowEnd = windowStart + o.durationMs;
  const streams = new AbortController();
  // Every stream listens on this one signal.
  setMaxListeners(0, streams.signal);
  let measuring = false;
  let windowEdge: 'none' | 'start' | 'stop' = 'none';
  const edge = (to: 'start' | 'stop') => {
    if (to === 'stop' && windowEdge === 'none') edge('start');
    if (windowEdge === to || windowEdge === 'stop') return;
    windowEdge = to;
    measuring = to === 'start';
    o.onWindow(to);
  };
  const windowTimer = setTimeout(() => edge('start'), o.warmupMs);
  const windowStopTimer = setTimeout(() => edge('stop'), o.warmupMs + o.durationMs);

  async function post(path: string, body: unknown): Promise<unknown> {
    const res = await request(`${o.url}${path}`, { method: 'POST', headers, body: JSON.stringify(body), dispatcher: agent });
    const text = await res.body.text();
    if (res.statusCode >= 300) throw new Error(`POST ${path.replace(/ses_\w+|[0-9a-f-]{20,}/g, ':id')}: ${res.statusCode} ${text.slice(0, 200)}`);
    return JSON.parse(text);
  }

  async function session(index: number): Promise<void> {
    // Spread the sessions' creation over the first 40% of the warm-up, and their first turns over a turn's period.
    await sleep(((index / o.sessions) * o.warmupMs * 0.4) | 0);
    const created = (await post(`/v1/scenarios/${o.slug}/sessions`, { call_id: `bench-${index}`, inputs: { channel: 'hotline' } })) as { session_id: string; events_url: string };
    const id = created.session_id;
    r.sessionIds.push(id);
    r.sessions++;
    // Each session its own generator, so its turns and their times do not depend on the others' order.
    const random = seeded(o.seed * 100_003 + index);
    const pending: Pending[] = [];
    const parser = createParser({
      onEvent(event) {
        if (event.event !== 'session.updated') return;
        const now = performance.now();
        const u = JSON.parse(event.data) as { turn_count: number; last_turn_id: string | null; error?: unknown; stats: { latency_ms: number; model_calls: number; reused_calls: number; turns: number } };
        const seq = u.last_turn_id?.startsWith('b') ? Number(u.last_turn_id.slice(1)) : u.turn_count;
        const counted = pending.some((p) => p.seq <= seq && p.measured);
        if (counted) {
          r.updates++;
          if (u.error) r.failedUpdates++;
          r.modelCalls += u.stats.model_calls;
          r.reusedCalls += u.stats.reused_calls;
          if (u.stats.turns > 1) {
            r.coalescedUpdates++;
            r.coalescedTurns += u.stats.turns - 1;
          }
        }
        while (pending.length > 0 && (pending[0] as Pending).seq <= seq) {
          const p = pending.shift() as Pending;
          if (!p.measured) continue;
          const waited = p.behind !== null ? waitedFor.get(p.behind) : undefined;
          r.samples.push({ lagMs: now - p.postedAt, waitedMs: waited === undefined ? 0 : Math.max(0, waited - p.postedAt), runMs: u.stats.latency_ms });
        }
        waitedFor.set(seq, now);
      },
    });
    // When the update that took in turns up to a seq arrived (for the turns that waited for it).
    const waitedFor = new Map<number, number>();
    const stream = request(`${o.url}${new URL(created.events_url, o.url).pathname}`, { headers: { authorization: headers.authorization, accept: 'text/event-stream' }, dispatcher: agent, signal: streams.signal })
      .then(async (res) => {
        if (res.statusCode !== 200) throw new Error(`events: ${res.statusCode} ${(await res.body.text()).slice(0, 200)}`);
        const decoder = new TextDecoder();
        for await (const chunk of res.body) parser.feed(decoder.decode(chunk as Buffer, { stream: true }));
      })
      .catch((error: unknown) => {
        if (!streams.signal.aborted) fail(`stream: ${String(error)}`);
      });

    const conversation = [...(o.conversations[Math.floor(random() * o.conversations.length)] ?? [])];
    let seq = 0;
    let next = performance.now() + random() * 4000;
    while (next < windowEnd) {
      await sleep(next - performance.now());
      if (conversation.length === 0) conversation.push(...(o.conversations[Math.floor(random() * o.conversations.length)] ?? []));
      const turn = conversation.shift() as BenchTurn;
      seq++;
      const postedAt = performance.now();
      // An update is in flight when a turn posted before has not been included yet: this turn waits for it.
      const behind = pending.length > 0 ? (pending[pending.length - 1] as Pending).seq : null;
      const measured = measuring && postedAt < windowEnd;
      pending.push({ seq, postedAt, measured, behind });
      if (measured) r.turns++;
      try {
        await post(`/v1/sessions/${id}/turns`, { turns: [{ id: `b${seq}`, role: turn.role, text: turn.text }] });
      } catch (error) {
        fail(String(error));
      }
      next += 3000 + random() * 2000;
    }
    // Give the last updates time to arrive, then count what never did.
    const deadline = performance.now() + 15_000;
    while (pending.some((p) => p.measured) && performance.now() < deadline) await sleep(100);
    r.unmatched += pending.filter((p) => p.measured).length;
    streamsOpen.push(stream);
  }

  const streamsOpen: Array<Promise<void>> = [];
  const all = await Promise.allSettled(Array.from({ length: o.sessions }, (_, i) => session(i)));
  for (const s of all) if (s.status === 'rejected') fail(`session: ${String(s.reason)}`);
  clearTimeout(windowTimer);
  clearTimeout(windowStopTimer);
  // Every session failed early: close the window anyway, so the server's probe answers.
  edge('stop');
  streams.abort();
  await Promise.all(streamsOpen);
  await agent.close().catch(() => undefined);
  return r;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
