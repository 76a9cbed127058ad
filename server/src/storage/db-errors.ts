/**
 * What a failed query says, on either store, without the query: drizzle wraps a driver's error in one
 * whose message repeats the SQL and every parameter (a whole transcript), which must not reach a log
 * line or a stored error. This gives the driver's own message and code: PostgreSQL's SQLSTATE
 * (`23505` unique violation, `23503` foreign key…, https://www.postgresql.org/docs/current/errcodes-appendix.html)
 * or better-sqlite3's (`SQLITE_CONSTRAINT_FOREIGNKEY`…).
 */
import { DrizzleQueryError } from 'drizzle-orm';

export interface DatabaseError {
  message: string;
  /** SQLSTATE on PostgreSQL, the `SQLITE_…` code on SQLite; undefined when the error is not the driver's. */
  code: string | undefined;
}

/** The driver's error: drizzle keeps it as its error's `cause` (searched a few levels down). */
function driverError(error: unknown): unknown {
  let inner = error;
  for (let depth = 0; depth < 5 && inner instanceof Error && !hasCode(inner) && inner.cause instanceof Error; depth++) inner = inner.cause;
  return inner;
}

function hasCode(error: Error): boolean {
  return 'code' in error && typeof error.code === 'string';
}

/** The driver's message and code of a failed query (or of any error: its message, no code). */
export function databaseError(error: unknown): DatabaseError {
  const inner = driverError(error);
  const message = inner instanceof Error ? inner.message : String(inner);
  const code = typeof inner === 'object' && inner !== null && 'code' in inner && typeof inner.code === 'string' ? inner.code : undefined;
  return { message, code };
}

/** Whether the query broke a unique index or primary key, on either store (SQLSTATE `23505`, `SQLITE_CONSTRAINT_UNIQUE` / `_PRIMARYKEY`). */
export function isUniqueViolation(error: unknown): boolean {
  const { code } = databaseError(error);
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/**
 * An error as it may be logged: a failed query (drizzle's `DrizzleQueryError`, whose message lists every
 * parameter: a transcript, a password hash) becomes one that names the query's SQL and the driver's
 * message and code, without the values; any other error is returned as it is.
 */
export function loggableError(error: unknown): unknown {
  if (!(error instanceof DrizzleQueryError)) return error;
  const { message, code } = databaseError(error);
  const logged = new Error(`database query failed${code ? ` (${code})` : ''}: ${message}; query: ${error.query} (its ${error.params.length} values are not logged)`);
  // The stack's frames only: its first lines repeat the message, values included.
  const frames = (error.stack ?? '').split('\n').filter((line) => /^\s+at /.test(line));
  logged.stack = [`Error: ${logged.message}`, ...frames].join('\n');
  return logged;
}

/** The message of {@link loggableError}: what a log line says of a caught error. */
export function loggableMessage(error: unknown): string {
  const logged = loggableError(error);
  return logged instanceof Error ? logged.message : String(logged);
}
