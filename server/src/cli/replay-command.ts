/**
 * `mofang replay <slug> --file calls.jsonl`: plays recorded calls into live sessions of a published
 * scenario over the `/v1` API, with their timing (see replay-timing.ts), several at once, printing a
 * line per alert and per ended call and a summary.
 */
import { CliError, readTextFile } from './errors.js';
import type { CliIo } from './io.js';
import { ReplayHttpError, ReplayUnreachableError, type ReplayApi } from './replay-client.js';
import { parseRecordedCalls, type RecordedCall } from './replay-calls.js';
import { playCall, type CallOutcome, type PlayContext } from './replay-session.js';
import { DEFAULT_GAP_SECONDS, DEFAULT_WORDS_PER_SECOND, parseSpeed } from './replay-timing.js';

/** The command's options as commander hands them over. */
export interface ReplayOptions {
  file: string;
  speed?: string;
  url?: string;
  key?: string;
  concurrency?: number;
  limit?: number;
  wordsPerSecond?: number;
  version?: number;
}

/** Exit code after Ctrl+C (128 + SIGINT), as shells report it. */
export const EXIT_INTERRUPTED = 130;
export const DEFAULT_REPLAY_URL = 'http://127.0.0.1:3000';
export const DEFAULT_REPLAY_CONCURRENCY = 10;

/** The summary figures of a replay. */
export interface ReplaySummary {
  calls: number;
  ended: number;
  failed: number;
  turns: number;
  updates: number;
  alerts: number;
  errors: number;
  interrupted: boolean;
}

function describeError(error: unknown): string {
  if (error instanceof ReplayHttpError) return `${error.status} ${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

/** Turns a request error that makes every other call fail too into the one message the user reads. */
function fatalOf(error: unknown, api: ReplayApi, slug: string, creating: boolean): CliError | undefined {
  if (error instanceof ReplayUnreachableError) {
    return new CliError(`cannot reach the Mofang server at ${api.base} (${error.reason}): start it with \`mofang start\`, or give its address with --url`);
  }
  if (error instanceof ReplayHttpError && error.status === 401) {
    return new CliError(`the server refused the API key (401 ${error.code}): check --key or MOFANG_API_KEY (make one with \`mofang keys create\`)`);
  }
  if (error instanceof ReplayHttpError && error.status === 403) return new CliError(`the API key may not start sessions of "${slug}" (403 ${error.code}: ${error.message})`);
  if (error instanceof ReplayHttpError && error.status === 404) {
    return new CliError(`${error.message} on ${api.base} (404 ${error.code}): publish it first (\`mofang publish\`), check the slug and --version, and that the key may use it`);
  }
  // Any other refusal to start a session (a scenario with no transcript input, …) would refuse every call alike.
  if (creating && error instanceof ReplayHttpError && error.status >= 400 && error.status < 500) {
    return new CliError(`the server refused to start a session of "${slug}" (${error.status} ${error.code}): ${error.message}`);
  }
  return undefined;
}

function value(v: unknown): string {
  const text = typeof v === 'string' ? v : JSON.stringify(v);
  return text === undefined ? '' : text.length > 80 ? `${text.slice(0, 79)}…` : text;
}

function endedLine(o: CallOutcome): string {
  const run = o.finalRun ? `final run ${o.finalRun.status} (${o.finalRun.run_id}, ${Math.round(o.finalRun.latency_ms)} ms)` : 'no final run';
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const failed = o.failedUpdates > 0 ? ` (${o.failedUpdates} failed)` : '';
  return `ended  ${o.call.id}  session ${o.sessionId}${o.interrupted ? ' (interrupted)' : ''}: ${plural(o.turns, 'turn')}, ${plural(o.updates, 'update')}${failed}, ${plural(o.alerts, 'alert')}; ${run}\n`;
}

/**
 * Replays every call of `calls` (at most `concurrency` at once) into sessions of `slug`. Resolves with the
 * summary; rejects with a {@link CliError} when the server cannot be reached, refuses the key or does not
 * know the scenario (the sessions already open are ended first). `stop` (Ctrl+C) ends the open sessions
 * and starts no more.
 */
export async function replayCalls(
  calls: RecordedCall[],
  ctx: Omit<PlayContext, 'stop' | 'onAlert'>,
  concurrency: number,
  io: CliIo,
  stop: AbortSignal,
): Promise<ReplaySummary> {
  const halt = new AbortController();
  const onStop = () => halt.abort();
  stop.addEventListener('abort', onStop, { once: true });
  if (stop.aborted) halt.abort();
  const context: PlayContext = {
    ...ctx,
    stop: halt.signal,
    onAlert: (call, alert) => io.stdout(`alert  ${call.id}  [${alert.severity}] ${alert.name} (rule ${alert.rule_id}${alert.turn_id ? `, turn ${alert.turn_id}` : ''})${alert.value === undefined ? '' : `: ${value(alert.value)}`}\n`),
  };
  const summary: ReplaySummary = { calls: 0, ended: 0, failed: 0, turns: 0, updates: 0, alerts: 0, errors: 0, interrupted: false };
  let fatal: CliError | undefined;
  let next = 0;
  const worker = async () => {
    while (!halt.signal.aborted && next < calls.length) {
      const call = calls[next++] as RecordedCall;
      let outcome: CallOutcome;
      try {
        outcome = await playCall(context, call);
      } catch (error) {
        if (halt.signal.aborted && !fatal) break;
        fatal ??= fatalOf(error, ctx.api, ctx.slug, true);
        if (fatal) {
          halt.abort();
          break;
        }
        summary.calls++;
        summary.failed++;
        summary.errors++;
        io.stderr(`error  ${call.id}: could not start its session: ${describeError(error)}\n`);
        continue;
      }
      summary.calls++;
      summary.turns += outcome.turns;
      summary.updates += outcome.updates;
      summary.alerts += outcome.alerts;
      summary.errors += outcome.failedUpdates + (outcome.finalRun?.status === 'failed' ? 1 : 0);
      if (outcome.interrupted) summary.interrupted = true;
      if (outcome.error) {
        summary.failed++;
        summary.errors++;
        // The server went away mid-call: every other call would fail the same way.
        if (outcome.error instanceof ReplayUnreachableError) {
          fatal ??= fatalOf(outcome.error, ctx.api, ctx.slug, false);
          halt.abort();
        }
        io.stderr(`error  ${call.id}  session ${outcome.sessionId}: ${describeError(outcome.error)}\n`);
      }
      if (outcome.finalRun) summary.ended++;
      io.stdout(endedLine(outcome));
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, calls.length) }, worker));
  stop.removeEventListener('abort', onStop);
  if (fatal) throw fatal;
  if (stop.aborted) summary.interrupted = true;
  return summary;
}

/**
 * The `replay` action: reads the file, checks the options, replays, prints the summary. Returns the exit
 * code: 0 when every call played through without an error, 1 otherwise, 130 after Ctrl+C. Throws
 * {@link CliError} for a missing key or file, a bad line (file and line), a bad `--speed`, an unreachable
 * server, a refused key or an unknown scenario.
 */
export async function replayCommandAction(slug: string, opts: ReplayOptions, io: CliIo, stop?: AbortSignal): Promise<number> {
  const key = opts.key ?? io.env.MOFANG_API_KEY;
  if (!key) throw new CliError('an API key is required: --key <key> or MOFANG_API_KEY (make one with `mofang keys create --name replay`)');
  const speed = parseSpeed(opts.speed ?? '1x');
  const wordsPerSecond = opts.wordsPerSecond ?? DEFAULT_WORDS_PER_SECOND;
  if (!(wordsPerSecond > 0)) throw new CliError('--words-per-second must be above 0');
  let base: string;
  try {
    const url = new URL(opts.url ?? DEFAULT_REPLAY_URL);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http');
    base = url.origin;
  } catch {
    throw new CliError(`--url "${opts.url}": expected the server's http(s) address, e.g. ${DEFAULT_REPLAY_URL}`);
  }
  const calls = parseRecordedCalls(await readTextFile(opts.file, 'the calls file'), opts.file).slice(0, opts.limit);
  const concurrency = opts.concurrency ?? DEFAULT_REPLAY_CONCURRENCY;

  const interrupt = new AbortController();
  const onSigint = () => {
    io.stderr('mofang: interrupted: ending the open sessions (Ctrl+C again to quit at once)\n');
    interrupt.abort();
  };
  const forward = () => interrupt.abort();
  if (stop) stop.addEventListener('abort', forward, { once: true });
  else process.once('SIGINT', onSigint);
  const started = performance.now();
  io.stdout(`replaying ${calls.length} call${calls.length === 1 ? '' : 's'} into "${slug}" on ${base} at ${speed === 'max' ? 'max speed' : `${speed}x`}, ${concurrency} at once\n`);
  try {
    const s = await replayCalls(calls, { api: { base, key }, slug, version: opts.version, speed, timing: { wordsPerSecond, gapSeconds: DEFAULT_GAP_SECONDS }, file: opts.file }, concurrency, io, interrupt.signal);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    io.stdout(
      `${s.interrupted ? 'interrupted after' : 'replayed'} ${s.calls} call${s.calls === 1 ? '' : 's'} in ${seconds} s: ${s.ended} ended, ${s.failed} failed; ${s.turns} turns, ${s.updates} updates, ${s.alerts} alerts, ${s.errors} errors\n`,
    );
    if (s.interrupted) return EXIT_INTERRUPTED;
    return s.failed > 0 || s.errors > 0 ? 1 : 0;
  } finally {
    if (stop) stop.removeEventListener('abort', forward);
    else process.off('SIGINT', onSigint);
  }
}
