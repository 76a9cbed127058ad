/**
 * Every PostgreSQL table, keyed as `schema` of `../db.ts` keys the SQLite ones (the parity test holds the
 * two to the same keys), and the drizzle handle type the PostgreSQL repositories will take.
 */
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import * as coreTables from './schema.js';
import * as evaluationTables from './schema-evaluation.js';
import * as liveTables from './schema-live.js';

/** Every PostgreSQL table, by the same export names as the SQLite schema. */
export const pgSchema = { ...coreTables, ...evaluationTables, ...liveTables };

/** The drizzle handle over a node-postgres pool or client. */
export type PgDb = NodePgDatabase<typeof pgSchema>;
