/** The shapes of job rows as the job repository (jobs.ts) reads and writes them, and the columns a {@link JobRow} is read from. */
import type { Tables } from './store.js';

/** What a job is for: `batch` jobs are listed and counted as the scenario's traffic; `evaluation` jobs are not. */
export type JobPurpose = 'batch' | 'evaluation';

/** A job row as the API layer reads it. */
export interface JobRow {
  id: string;
  scenarioId: string;
  slug: string;
  /** The published version run; 0 for a frozen draft. */
  version: number;
  owner: string;
  /** `batch` (the jobs page and `/v1/jobs`) or `evaluation` (read only by the evaluation). */
  purpose: JobPurpose;
  /** A frozen draft's plan hash; null for a published version. */
  graphHash: string | null;
  status: 'uploading' | 'queued' | 'running' | 'completed' | 'cancelled';
  total: number;
  idempotencyKey: string | null;
  bodyHash: string;
  webhookUrl: string | null;
  webhookDeliveredAt: number | null;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  /** When the transcript retention cleared the items' inputs; null while kept. */
  redactedAt: number | null;
}

export interface ItemCounts {
  pending: number;
  running: number;
  succeeded: number;
  failed: number;
}

/** A job as `JobStore.beginJob` stores it. */
export interface NewJob {
  id: string;
  scenarioId: string;
  slug: string;
  /** The published version; 0 with `frozen`. */
  version: number;
  owner: string;
  purpose?: JobPurpose;
  /** A frozen draft: its graph as JSON text and its plan hash. */
  frozen?: { graph: string; hash: string };
  webhookUrl: string | null;
  createdAt: number;
}

/** An item handed to the runner. */
export interface ClaimedItem {
  jobId: string;
  seq: number;
  itemId: string;
  inputs: string;
  attempts: number;
  slug: string;
  version: number;
  /** The frozen draft's plan hash (the runner compiles the job's stored graph once per hash); null for a published version. */
  graphHash: string | null;
  /** The job's scenario and owner (an API key id, or the UI's owner), for the item's run log entry. */
  scenarioId: string;
  owner: string;
  /** The job's purpose: `evaluation` items are an evaluation's cases, not results a person reviews. */
  purpose: JobPurpose;
}

/** How a run of an item ended: stored as final, or put back to pending for another attempt. */
export interface ItemOutcome {
  jobId: string;
  seq: number;
  /** The attempt the outcome is of (the claimed item's `attempts`): written only while the row is still at it. */
  attempt: number;
  status: 'succeeded' | 'failed' | 'pending';
  runId: string;
  outputs?: unknown;
  error?: unknown;
  latencyMs: number;
  finishedAt: number;
  /** The model that answered (the run's `model`; '' when no model call was made). */
  model?: string;
}

/** A finished item as the results stream and the error list read it. */
export interface FinishedItemRow {
  seq: number;
  itemId: string;
  status: 'succeeded' | 'failed';
  runId: string | null;
  outputs: string | null;
  error: string | null;
  attempts: number;
  finishedAt: number | null;
  /** The `model` recorded on the item's run (the clients that answered), null without a stored run. */
  model: string | null;
}

/** The columns of a {@link JobRow}. */
export function jobColumns(t: Tables) {
  const j = t.jobs;
  return {
    id: j.id, scenarioId: j.scenarioId, slug: j.slug, version: j.version, owner: j.owner, purpose: j.purpose, graphHash: j.graphHash, status: j.status, total: j.total,
    idempotencyKey: j.idempotencyKey, bodyHash: j.bodyHash, webhookUrl: j.webhookUrl, webhookDeliveredAt: j.webhookDeliveredAt, createdAt: j.createdAt, startedAt: j.startedAt, finishedAt: j.finishedAt, redactedAt: j.redactedAt,
  };
}
