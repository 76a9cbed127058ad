import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { GRAPH_FORMAT, type Graph } from '@shared/graph.js';
import { openStore } from './db.js';
import { createScenario, deleteScenario } from './scenarios.js';
import { SLUG_CACHE_MS } from './slug-cache.js';
import { sqliteOf } from './sqlite.js';
import { findBySlug, insertVersion, setLiveVersion } from './versions.js';

const graph: Graph = { schema: GRAPH_FORMAT, name: 'a', nodes: [], edges: [] };
const dirs: string[] = [];
afterEach(() => {
  vi.useRealTimers();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('findBySlug through its cache', () => {
  it('sees this process’s publish, rollback and delete at once, another process’s within a second', () => {
    vi.useFakeTimers({ toFake: ['Date', 'performance'] });
    // lru-cache reads a start time of 0 as "no expiry": begin where a real clock would be.
    vi.advanceTimersByTime(60_000);
    const dir = mkdtempSync(path.join(tmpdir(), 'mofang-slug-'));
    dirs.push(dir);
    const server = openStore(dir);
    // The CLI in another process: its own connection to the same file, whose writes this process's
    // cache cannot hear of (simulated by writing behind the cache's back with raw SQL).
    const cli = openStore(dir);
    try {
      expect(findBySlug(server.db, 'audit')).toBeUndefined();
      const scenario = createScenario(server.db, { name: 'a', graph });
      insertVersion(server.db, { scenarioId: scenario.id, slug: 'audit', graph, planHash: 'h', note: '', createdBy: 'test' });
      expect(findBySlug(server.db, 'audit')).toEqual({ id: scenario.id, liveVersion: 1 });
      insertVersion(server.db, { scenarioId: scenario.id, slug: 'audit', graph, planHash: 'h', note: '', createdBy: 'test' });
      setLiveVersion(server.db, scenario.id, 1);
      expect(findBySlug(server.db, 'audit')?.liveVersion).toBe(1);

      // A rollback to 2 from "another process": still 1 for under a second, then 2.
      sqliteOf(cli.db).prepare('update scenarios set live_version = 2 where id = ?').run(scenario.id);
      expect(findBySlug(server.db, 'audit')?.liveVersion).toBe(1);
      vi.advanceTimersByTime(SLUG_CACHE_MS + 1);
      expect(findBySlug(server.db, 'audit')?.liveVersion).toBe(2);

      deleteScenario(server.db, scenario.id);
      expect(findBySlug(server.db, 'audit')).toBeUndefined();
    } finally {
      cli.close();
      server.close();
    }
  });
});
