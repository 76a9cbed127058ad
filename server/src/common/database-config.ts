/**
 * Which store a server (or the CLI) opens: the SQLite file in the data directory (the default, one
 * process), or PostgreSQL when `MOFANG_DATABASE_URL` is a `postgres://` / `postgresql://` URL (several
 * servers over one database; docs/postgres.md). Read from the environment and checked at start, so a
 * wrong URL fails with a clear line and not at the first request.
 */

/** Default of `MOFANG_DATABASE_POOL_SIZE`: PostgreSQL connections per server. */
export const DEFAULT_DATABASE_POOL_SIZE = 10;

/** PostgreSQL settings of a server; absent in the config when the store is the SQLite file. */
export interface DatabaseConfig {
  /** The connection URL as given (it may hold a password: show it through {@link redactDatabaseUrl}). */
  url: string;
  /** Connections in this server's pool, 1–200. */
  poolSize: number;
}

/**
 * The PostgreSQL settings in `env`, or undefined when `MOFANG_DATABASE_URL` is unset or blank (SQLite).
 * Throws an Error naming the variable when the URL is not a PostgreSQL URL or the pool size is out of range.
 */
export function databaseConfigFromEnv(env: NodeJS.ProcessEnv): DatabaseConfig | undefined {
  const raw = env.MOFANG_DATABASE_URL?.trim();
  const poolRaw = env.MOFANG_DATABASE_POOL_SIZE?.trim();
  if (!raw) {
    if (poolRaw) throw new Error('MOFANG_DATABASE_POOL_SIZE is set but MOFANG_DATABASE_URL is not: the pool size applies to PostgreSQL only');
    return undefined;
  }
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new Error('MOFANG_DATABASE_URL is not a URL: expected postgres://user:password@host:5432/database');
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new Error(`MOFANG_DATABASE_URL must start with postgres:// or postgresql:// (got ${parsed.protocol}//); leave it unset for the SQLite file in MOFANG_DATA_DIR`);
  }
  if (!parsed.pathname || parsed.pathname === '/') throw new Error('MOFANG_DATABASE_URL names no database: expected postgres://user:password@host:5432/database');
  let poolSize = DEFAULT_DATABASE_POOL_SIZE;
  if (poolRaw) {
    poolSize = Number(poolRaw);
    if (!Number.isInteger(poolSize) || poolSize < 1 || poolSize > 200) throw new Error(`MOFANG_DATABASE_POOL_SIZE must be a whole number from 1 to 200 (got "${poolRaw}")`);
  }
  return { url: raw, poolSize };
}

/** `url` with its password replaced by `***`, for log lines and errors. */
export function redactDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable MOFANG_DATABASE_URL)';
  }
}
