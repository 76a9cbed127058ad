/**
 * `mofang replay` as commander sees it (the action loads its code when it runs).
 */
import { InvalidArgumentError, type Command } from 'commander';
import type { CliIo } from './io.js';

/** What an action reports back: the exit code it asks for. */
interface Outcome {
  code: number;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number of at least 1');
  return n;
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a number above 0');
  return n;
}

/** Adds `replay`: recorded calls played into live sessions of a published scenario over `/v1`. */
export function addReplayCommand(program: Command, io: CliIo, outcome: Outcome): void {
  program
    .command('replay')
    .description('play recorded calls into live sessions of a published scenario over the /v1 API, with their timing')
    .argument('<slug>', "the published scenario's slug")
    .requiredOption('-f, --file <calls.jsonl>', 'recorded calls, one a line: STC-3 rows {"id", "turns": […]} or Mofang transcripts {"id"?, "transcript": {"turns": […]}} / {"turns": […]}')
    .option('--speed <factor>', 'how much faster than the calls went: 10x, 1x, 0.5x, or max (no waiting)', '1x')
    .option('--url <url>', 'the Mofang server', 'http://127.0.0.1:3000')
    .option('--key <key>', 'an API key for the /v1 API (default: MOFANG_API_KEY)')
    .option('-c, --concurrency <n>', 'calls played at once (default 10)', positiveInt)
    .option('--limit <n>', 'play only the first n calls of the file', positiveInt)
    .option('--words-per-second <n>', 'speaking rate for turns without times (a Chinese character or a Latin word each; default 4)', positiveNumber)
    .option('--version <n>', 'the published version to use (default: the live version)', positiveInt)
    .addHelpText(
      'after',
      `
Each call becomes a session (call_id = the row's id). A turn is posted when it was finalised: at its "end"
(or "start" plus its spoken length) when the turns have times, else after the previous turn, a 0.5 s gap
and its length in words at --words-per-second (STC-3 has no times). The session ends after its last turn.
Prints a line per alert and per ended call (its final run), then a summary. Ctrl+C ends the open sessions.

Exit codes: 0 every call played through, 1 an error (unreachable server, refused key, unknown scenario,
bad file line, a failed request, update or final run), 130 interrupted.

Example:
  MOFANG_API_KEY=mf_… mofang replay complaint-risk --file ../shared/data/stc3-telecom-cn.jsonl --limit 20 --speed 10x
`,
    )
    .action(async (slug: string, opts: { file: string; speed: string; url: string; key?: string; concurrency?: number; limit?: number; wordsPerSecond?: number; version?: number }) => {
      const { replayCommandAction } = await import('./replay-command.js');
      outcome.code = await replayCommandAction(slug, opts, io);
    });
}
