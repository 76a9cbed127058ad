/**
 * A throwaway PostgreSQL server for tests and benches: a data directory in a temp folder, `initdb`, and
 * `pg_ctl start` on 127.0.0.1 with its socket in the same folder, from Debian's packages
 * (`/usr/lib/postgresql/<n>/bin`, or `MOFANG_PG_BIN`). PostgreSQL refuses to run as root, so as root every
 * command runs as the `postgres` user (the child process takes its uid and gid). `stop()` shuts the server
 * down and removes the folder; it also runs when the process exits without it (a failed test run), so no
 * server outlives the tests unless the process is killed with SIGKILL.
 *
 * Usable from a vitest globalSetup: `const pg = await startTestPostgres(); … return () => pg.stop();`.
 */
import { execFileSync, spawn, spawnSync, type SpawnOptions } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

/** The ports a test server may take, unless `ports` or `MOFANG_TEST_PG_PORTS` (`first-last`) says others. */
export const TEST_PG_PORTS: readonly [number, number] = [55432, 55439];

/** A running throwaway server. */
export interface TestPostgres {
  /** URL of the database made at start (user `postgres`, no password: the server trusts 127.0.0.1). */
  url: string;
  port: number;
  /** The temp folder holding the data directory, the socket and `postgres.log`. */
  dir: string;
  /** Makes another empty database on the same server and returns its URL (one per test file, say). */
  createDatabase(name: string): Promise<string>;
  /** Stops the server (immediate shutdown) and removes the folder; a second call does nothing. */
  stop(): Promise<void>;
}

export interface TestPostgresOptions {
  /** Name of the database made at start; `mofang_test` by default. */
  database?: string;
  /** Inclusive port range to take a free port from. */
  ports?: readonly [number, number];
}

/** The directory of `initdb` and `pg_ctl`: `MOFANG_PG_BIN`, else the newest `/usr/lib/postgresql/<n>/bin`. */
export function postgresBinDir(): string {
  const fromEnv = process.env.MOFANG_PG_BIN;
  if (fromEnv) return fromEnv;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(path.join(root, v, 'bin', 'pg_ctl'))) : [];
  versions.sort((a, b) => Number(b) - Number(a));
  if (versions.length === 0) throw new Error('PostgreSQL is not installed: no /usr/lib/postgresql/<version>/bin/pg_ctl (apt-get install postgresql), and MOFANG_PG_BIN is not set');
  return path.join(root, versions[0], 'bin');
}

/**
 * Whether tests against PostgreSQL run here: PostgreSQL is installed, or this is CI (where a missing
 * install must fail the tests, not skip them).
 */
export function postgresTestsRun(): boolean {
  if (process.env.CI) return true;
  try {
    postgresBinDir();
    return true;
  } catch {
    return false;
  }
}

/** Runs one query on its own connection to `url` and returns the rows (tests' look into a database). */
export async function queryPostgres<T extends pg.QueryResultRow>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

/** The uid and gid to run PostgreSQL's commands as: `postgres`'s when we are root, none otherwise. */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

/** Runs a PostgreSQL command to its end; rejects with its output when it fails. */
function run(bin: string, args: string[], opts: SpawnOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${path.basename(bin)} ${args.join(' ')} exited ${code}: ${output.trim()}`))));
  });
}

/** Whether nothing listens on 127.0.0.1:`port` now. */
function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function portRange(ports: readonly [number, number] | undefined): [number, number] {
  if (ports) return [ports[0], ports[1]];
  const m = /^(\d+)-(\d+)$/.exec(process.env.MOFANG_TEST_PG_PORTS ?? '');
  return m ? [Number(m[1]), Number(m[2])] : [TEST_PG_PORTS[0], TEST_PG_PORTS[1]];
}

/** Starts a throwaway PostgreSQL and makes one database on it. */
export async function startTestPostgres(options: TestPostgresOptions = {}): Promise<TestPostgres> {
  const bin = postgresBinDir();
  const owner = runAs();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mofang-pg-'));
  const dataDir = path.join(dir, 'data');
  const spawnOpts: SpawnOptions = { cwd: dir, env: { ...process.env, LC_ALL: 'C.UTF-8', LANG: 'C.UTF-8' }, ...owner };
  if (owner) chownSync(dir, owner.uid, owner.gid);
  const pgCtl = path.join(bin, 'pg_ctl');
  let started = false;
  let stopped = false;

  // Synchronous, for the exit hook: an immediate shutdown, then the postmaster killed if it is still there.
  const stopNow = () => {
    if (stopped) return;
    stopped = true;
    process.removeListener('exit', stopNow);
    if (started) {
      const r = spawnSync(pgCtl, ['-D', dataDir, '-m', 'immediate', '-w', '-t', '20', 'stop'], { ...spawnOpts, stdio: 'ignore' });
      if (r.status !== 0) killPostmaster(dataDir);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  process.on('exit', stopNow);

  try {
    await run(path.join(bin, 'initdb'), ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync'], spawnOpts);
    const [first, last] = portRange(options.ports);
    let port = 0;
    let lastError: unknown = new Error(`no free port in ${first}-${last}`);
    for (let p = first; p <= last && !started; p++) {
      if (!(await portFree(p))) continue;
      // fsync off: a throwaway server need not survive a power cut, and tests write a lot.
      const serverOpts = `-p ${p} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
      try {
        await run(pgCtl, ['-D', dataDir, '-l', path.join(dir, 'postgres.log'), '-o', serverOpts, '-w', '-t', '30', 'start'], spawnOpts);
        started = true;
        port = p;
      } catch (err) {
        // Another process took the port between the check and the start: try the next one.
        lastError = err;
        killPostmaster(dataDir);
      }
    }
    if (!started) throw lastError;
    const urlOf = (db: string) => `postgres://postgres@127.0.0.1:${port}/${db}`;
    const createDatabase = async (name: string) => {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a plain database name: ${name}`);
      const client = new pg.Client({ connectionString: urlOf('postgres') });
      await client.connect();
      try {
        await client.query(`create database "${name}"`);
      } finally {
        await client.end();
      }
      return urlOf(name);
    };
    const url = await createDatabase(options.database ?? 'mofang_test');
    return { url, port, dir, createDatabase, stop: async () => stopNow() };
  } catch (err) {
    stopNow();
    throw err;
  }
}

/** Kills the postmaster of `dataDir` (SIGKILL) when its pid file names a live process. */
function killPostmaster(dataDir: string): void {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}
