/**
 * Turns a stream of parsed items into a stored job: each item's inputs are checked against the plan
 * as it arrives and written in chunks; any bad line drops the whole job (nothing stays stored), and an
 * Idempotency-Key already used by the same owner returns the earlier job, or a conflict.
 */
import { createHash, randomUUID } from 'node:crypto';
import { MAX_JOB_ITEMS } from '@shared/jobs.js';
import type { ExecutionPlan } from '../engine/index.js';
import { checkJson, describeBreach } from '../limits.js';
import type { JobRow, JobStore } from '../storage/jobs.js';
import { ItemLineError, type ParsedItem } from './parse-items.js';

/** Items written per transaction while an upload streams in. */
const CHUNK = 1000;

export interface SubmitTarget {
  scenarioId: string;
  slug: string;
  version: number;
  plan: ExecutionPlan;
}

export interface SubmitOptions {
  owner: string;
  idempotencyKey: string | null;
  webhookUrl: string | null;
  now?: number;
}

export type SubmitResult = { outcome: 'created' | 'replayed' | 'conflict'; job: JobRow };

/** Reads every item, stores the job, and says whether it is new, a replay or a conflicting reuse of the key. */
export async function submitJob(store: JobStore, target: SubmitTarget, items: Iterable<ParsedItem> | AsyncIterable<ParsedItem>, options: SubmitOptions): Promise<SubmitResult> {
  const jobId = randomUUID();
  store.beginJob({ id: jobId, scenarioId: target.scenarioId, slug: target.slug, version: target.version, owner: options.owner, webhookUrl: options.webhookUrl, createdAt: options.now ?? Date.now() });
  const hash = createHash('sha256');
  hash.update(`webhook:${options.webhookUrl ?? ''}\n`);
  const seen = new Map<string, number>();
  let chunk: Array<{ seq: number; itemId: string; inputs: string }> = [];
  let total = 0;
  try {
    for await (const item of items) {
      total += 1;
      if (total > MAX_JOB_ITEMS) throw new ItemLineError(item.line, `a job holds at most ${MAX_JOB_ITEMS} items`);
      const breach = checkJson(item.inputs);
      if (breach) throw new ItemLineError(item.line, describeBreach(breach, 'inputs'));
      const problems = target.plan.validateInputs(item.inputs);
      if (problems) {
        const first = problems[0];
        throw new ItemLineError(item.line, first ? `invalid inputs at "${first.path || '(root)'}": ${first.message}` : 'invalid inputs');
      }
      const itemId = item.id ?? String(item.line);
      const earlier = seen.get(itemId);
      if (earlier !== undefined) throw new ItemLineError(item.line, `duplicate id "${itemId}" (first on line ${earlier})`);
      seen.set(itemId, item.line);
      const inputs = JSON.stringify(item.inputs);
      hash.update(`${itemId}\t${inputs}\n`);
      chunk.push({ seq: item.line, itemId, inputs });
      if (chunk.length >= CHUNK) {
        store.addItems(jobId, chunk);
        chunk = [];
      }
    }
    if (total === 0) throw new ItemLineError(1, 'the submission has no items');
    store.addItems(jobId, chunk);
  } catch (error) {
    store.deleteJob(jobId);
    throw error;
  }
  return store.finalize(jobId, options.owner, total, hash.digest('hex'), options.idempotencyKey);
}
