/**
 * The error domain code (templates, jobs, keys, publish) throws when a request cannot be met: a stable
 * `code` callers key on, and a `kind` saying what went wrong in terms of the domain, not of HTTP. The
 * HTTP layer maps each kind to a status in one place (`http/errors.ts`); the CLI prints the message.
 */

/**
 * What kind of refusal an error is:
 * - `invalid`: the input is malformed or breaks a rule (HTTP 400);
 * - `not_found`: what it names does not exist (404);
 * - `conflict`: it clashes with the current state, e.g. a duplicate or an ended job (409);
 * - `unprocessable`: it is well formed but cannot be acted on, e.g. a draft that does not compile (422);
 * - `too_large`: it is over a size limit (413);
 * - `unsupported`: its media type or encoding is not one Mofang reads (415).
 */
export type DomainErrorKind = 'invalid' | 'not_found' | 'conflict' | 'unprocessable' | 'too_large' | 'unsupported';

/** A refusal with a stable snake_case `code` (e.g. `not_found`, `template_exists`) and optional details for the caller. */
export class DomainError extends Error {
  readonly kind: DomainErrorKind;
  readonly code: string;
  readonly details?: unknown;
  constructor(kind: DomainErrorKind, code: string, message: string, details?: unknown) {
    super(message);
    this.name = 'DomainError';
    this.kind = kind;
    this.code = code;
    this.details = details;
  }
}
