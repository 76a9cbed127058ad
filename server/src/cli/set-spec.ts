/**
 * What `mofang eval --set <spec>` names: a JSONL set file, or a published scenario's stored set as
 * `<name>` (its latest revision) or `<name>@<revision>`. Checked before anything runs, so a wrong
 * `--set` says at once what is wrong and what is accepted.
 */
import { existsSync, statSync } from 'node:fs';
import { CliError } from './errors.js';

/** A `--set` as read: a file to parse, or a stored set's name and revision (latest when absent). */
export type SetSpec = { kind: 'file'; path: string } | { kind: 'stored'; name: string; revision?: number };

/** What `--set` accepts, said after every refusal. */
export const SET_SPEC_ACCEPTED = 'give --set a JSONL file (one {"id"?, "inputs": {…}, "expected": {…}} a line, e.g. cases.jsonl) or the name of a stored set of the published scenario, optionally with a revision: name or name@2';

const TABLE_FILE = /\.(csv|tsv|xlsx|xls)$/i;

/**
 * Reads `--set`. A spec is a file when it exists, holds a path separator or ends in .jsonl/.ndjson/.json;
 * else a stored set.
 *
 * @throws CliError for a directory, a missing file, a CSV/Excel file (the CLI reads JSONL only), an
 *   empty spec or a revision that is not a whole number ≥ 1 (`name@abc`, `name@0`)
 */
export function parseSetSpec(spec: string): SetSpec {
  const text = spec.trim();
  if (text === '') throw new CliError(`--set is empty; ${SET_SPEC_ACCEPTED}`);
  const exists = existsSync(text);
  if (exists && statSync(text).isDirectory()) throw new CliError(`--set "${text}" is a directory, not a set file; ${SET_SPEC_ACCEPTED}`);
  if (TABLE_FILE.test(text)) {
    throw new CliError(`--set "${text}" is a ${/\.xlsx?$/i.test(text) ? 'spreadsheet' : 'CSV'} file, which mofang eval does not read: upload it to the set on the 评测集 page (columns are mapped there) and pass the set's name, or export the set as JSONL; ${SET_SPEC_ACCEPTED}`);
  }
  if (exists) return { kind: 'file', path: text };
  if (/[\\/]|\.(jsonl|ndjson|json)$/i.test(text)) throw new CliError(`--set "${text}": the file does not exist; ${SET_SPEC_ACCEPTED}`);
  const at = text.lastIndexOf('@');
  if (at < 0) return { kind: 'stored', name: text };
  const name = text.slice(0, at);
  const revision = text.slice(at + 1);
  if (name === '') throw new CliError(`--set "${text}" has no set name before "@"; ${SET_SPEC_ACCEPTED}`);
  if (!/^\d{1,9}$/.test(revision) || Number(revision) < 1) throw new CliError(`--set "${text}": "${revision}" is not a revision (a whole number from 1, e.g. ${name}@2); ${SET_SPEC_ACCEPTED}`);
  return { kind: 'stored', name, revision: Number(revision) };
}
