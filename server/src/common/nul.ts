/**
 * The server's side of the NUL rule (shared/src/nul.ts): the one refusal every way input enters throws,
 * a {@link DomainError} `invalid` `nul_character` (HTTP 400) whose details say where the character was.
 */
import { describeNul, findNul, NUL_CODE, nulPath } from '@shared/nul.js';
import { DomainError } from './domain-error.js';

export { describeNul, hasNul, NUL_CODE, showNul } from '@shared/nul.js';

/** Where a refused U+0000 was: `path` (`body.turns.3.text`, `query.webhook`, `inputs.transcript`), and for a file its line, sheet row and column. */
export interface NulDetails {
  path?: string;
  /** The path ends with an object key holding the character. */
  in_key?: boolean;
  line?: number;
  sheet?: string;
  row?: number;
  column?: string;
  /** `cell` for a table cell (no path: the line and column say where). */
  reason?: 'cell';
}

/** The refusal (400 `nul_character`); `what` names the holder in the English message ("the request body", "line 3"). */
export class NulError extends DomainError {
  declare readonly details: NulDetails;
  constructor(what: string, details: NulDetails) {
    super('invalid', NUL_CODE, `${what} ${describeNul(details.path ?? '', details.in_key === true)}`, details);
    this.name = 'NulError';
  }
}

/**
 * The refusal of a JSON value holding U+0000 in a string or key, or null: `prefix` starts the path
 * (`body`), `what` names the value in the message, `place` adds a file's line, sheet or column.
 */
export function nulRefusal(value: unknown, prefix: string, what: string, place: Omit<NulDetails, 'path' | 'in_key'> = {}): NulError | null {
  const found = findNul(value);
  if (!found) return null;
  return new NulError(what, { ...place, path: nulPath(prefix, found), ...(found.inKey ? { in_key: true } : {}) });
}

/** Throws {@link nulRefusal}'s refusal when there is one. */
export function assertNoNul(value: unknown, prefix: string, what: string, place: Omit<NulDetails, 'path' | 'in_key'> = {}): void {
  const refusal = nulRefusal(value, prefix, what, place);
  if (refusal) throw refusal;
}
