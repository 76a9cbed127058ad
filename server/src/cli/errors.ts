import { readFile } from 'node:fs/promises';

/** An expected failure: printed as `mofang: <message>` without a stack trace. */
export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliError';
  }
}

/** Reads a file's text, turning a missing file into a one-line {@link CliError}. */
export async function readTextFile(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
    throw new CliError(code === 'ENOENT' ? `${what} "${file}" does not exist` : `cannot read ${what} "${file}": ${error instanceof Error ? error.message : String(error)}`);
  }
}
