/**
 * Where a `mofang` command writes and which environment it reads: the real process for `bin/mofang`,
 * buffers for tests that run a command in-process.
 */

/** A command's output streams and environment. */
export interface CliIo {
  /** Writes text (already newline-terminated) to standard output. */
  stdout: (text: string) => void;
  /** Writes text (already newline-terminated) to standard error. */
  stderr: (text: string) => void;
  /** The environment the command reads its settings from (MOFANG_DATA_DIR, MOFANG_MODEL_*, …). */
  env: NodeJS.ProcessEnv;
  /** Reads all of standard input as text (for `--password-stdin`); absent where there is none. */
  readStdin?: () => Promise<string>;
}

/** All of the process's standard input, as UTF-8 text. */
async function readProcessStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}

/** The process's own stdout, stderr and environment. */
export const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  readStdin: readProcessStdin,
};

/** Prints a value as indented JSON and a newline on `io.stdout`. */
export function printJson(io: CliIo, value: unknown): void {
  io.stdout(`${JSON.stringify(value, null, 2)}\n`);
}
