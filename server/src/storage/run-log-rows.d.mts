/** Types of run-log-rows.mjs, for run-log.ts. */

/** The stored fields of a run that hold JSON text. */
export type RunTextField = 'inputs' | 'outputs' | 'error' | 'usage' | 'events';

/** What the writer checks a run against, with the message each breach leaves on the failed run. */
export interface RunWriteCheck {
  /** Deepest nesting of the run, objects and arrays (its fields are at level 2). */
  depth: number;
  /** Largest run as JSON text, UTF-8 bytes (all its stored fields together). */
  totalBytes: number;
  messages: {
    /** Per stored field: the field is nested too deep. */
    depth: Record<RunTextField, string>;
    totalBytes: string;
  };
}

/** The fields of a finished run that its row is made of (an `ApiRunRecord`). */
export interface WritableRun {
  id: string;
  kind?: 'api' | 'job';
  scenarioId: string;
  /** Null for a job item of a frozen draft. */
  version: number | null;
  apiKeyId: string | null;
  inputs: unknown;
  status: 'succeeded' | 'failed';
  outputs?: unknown;
  error?: unknown;
  usage: unknown;
  latencyMs: number;
  model: string;
  events: readonly unknown[];
  createdAt: number;
  finishedAt: number;
}

/** A run as it crosses to the writer: flat, its values JSON text (null when absent). */
export interface RunRow extends Record<RunTextField, string | null> {
  id: string;
  scenarioId: string;
  kind: 'api' | 'job';
  status: 'succeeded' | 'failed';
  /** Rounded to whole milliseconds. */
  latencyMs: number;
  model: string;
  version: number | null;
  apiKeyId: string | null;
  createdAt: number;
  finishedAt: number;
  events: string;
  /** Why a value could not be written as JSON (the values are then null); null when they could. */
  unwritable: string | null;
}

/** The row of a finished run: its values as JSON text, or `unwritable` saying why they cannot be (never throws). */
export declare function toRow(r: WritableRun, check: RunWriteCheck): RunRow;

/** Whether JSON text nests objects and arrays deeper than `max` levels (the top level is 1). */
export declare function nestedDeeperThan(text: string, max: number): boolean;

/** Why a row cannot be stored as it is (the message for its failed run), or null when it can. */
export declare function breachOf(row: RunRow, check: RunWriteCheck): string | null;

/** A function writing a batch of rows in one immediate transaction; throws only when the transaction cannot run. */
export declare function createRunWriter(db: import('better-sqlite3').Database, check: RunWriteCheck): (rows: readonly RunRow[]) => void;

/** A run's events as stored: without what its row holds already (each `run_id`; its own inputs, outputs and usage objects). */
export declare function compactEvents(r: Pick<WritableRun, 'id' | 'inputs' | 'outputs' | 'usage' | 'events'>): unknown[];

/** A stored run's events as they were emitted, from its parsed `events` column, id, inputs, outputs and usage. */
export declare function expandEvents(events: unknown, run: { id: string; inputs: unknown; outputs: unknown; usage: unknown }): unknown[];

/** The error of a run that could not be stored as it was (`log_write_failed`, saying why). */
export declare function failedRunError(reason: string): { code: 'log_write_failed'; message: string };
