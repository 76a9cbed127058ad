/**
 * A scenario row written synchronously on SQLite, for the fixtures of tests whose own domain still
 * takes the SQLite `Db` (runs, sessions, jobs, evaluation, metrics, retention): their setup functions are
 * synchronous. Tests of code on the DataStore use `createScenario` of ./scenarios.ts.
 */
import { randomUUID } from 'node:crypto';
import type { Graph } from '@shared/graph.js';
import type { Db } from './db.js';
import { scenarios } from './schema.js';

/** Stores a new scenario (revision 1, no slug) and returns its id and name. */
export function createScenarioNow(db: Db, input: { name: string; description?: string; graph: Graph }, now = Date.now()): { id: string; name: string } {
  const id = randomUUID();
  db.insert(scenarios).values({ id, name: input.name, description: input.description ?? '', graph: input.graph, createdAt: now, updatedAt: now, revision: 1 }).run();
  return { id, name: input.name };
}
