/**
 * The throwaway PostgreSQL of ./testing.ts: it serves its database on 127.0.0.1 within the test port
 * range, and leaves neither a server nor its folder behind, whether stopped or abandoned by a process
 * that exits without stopping it. Skipped only off CI when PostgreSQL is not installed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import pg from 'pg';
import { postgresTestsRun, startTestPostgres, TEST_PG_PORTS } from './testing.js';


async function reachable(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

// initdb takes 2–6 s on a busy 2-core machine, and one test starts two servers.
describe.skipIf(!postgresTestsRun())('startTestPostgres', { timeout: 60_000 }, () => {
  it('serves a database on 127.0.0.1 in the port range, then stops and removes its folder', async () => {
    const server = await startTestPostgres({ database: 'harness_check' });
    try {
      expect(server.url).toBe(`postgres://postgres@127.0.0.1:${server.port}/harness_check`);
      // The default range, or the one MOFANG_TEST_PG_PORTS gives (CI and parallel sessions set it).
      const given = /^(\d+)-(\d+)$/.exec(process.env.MOFANG_TEST_PG_PORTS ?? '');
      const [first, last] = given ? [Number(given[1]), Number(given[2])] : TEST_PG_PORTS;
      expect(server.port).toBeGreaterThanOrEqual(first);
      expect(server.port).toBeLessThanOrEqual(last);
      expect(await reachable(server.url)).toBe(true);
      const other = await server.createDatabase('second_db');
      expect(await reachable(other)).toBe(true);
    } finally {
      await server.stop();
    }
    expect(existsSync(server.dir)).toBe(false);
    expect(await reachable(server.url)).toBe(false);
    await server.stop();
  });

  it('runs two servers side by side on different ports', async () => {
    const a = await startTestPostgres();
    try {
      const b = await startTestPostgres();
      try {
        expect(b.port).not.toBe(a.port);
        expect(await reachable(b.url)).toBe(true);
      } finally {
        await b.stop();
      }
      expect(await reachable(a.url)).toBe(true);
    } finally {
      await a.stop();
    }
  });

  it('stops the server when the process exits without stopping it', () => {
    const harness = fileURLToPath(new URL('./testing.ts', import.meta.url));
    const script = `import { startTestPostgres } from ${JSON.stringify(harness)};
      const s = await startTestPostgres();
      console.log(JSON.stringify({ url: s.url, dir: s.dir }));
      process.exit(3);`;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
    expect(child.status, child.stderr).toBe(3);
    const { url, dir } = JSON.parse(child.stdout.trim().split('\n').pop() ?? '{}');
    expect(existsSync(dir)).toBe(false);
    return reachable(url).then((up) => expect(up).toBe(false));
  });
});
