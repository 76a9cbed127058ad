/**
 * Turns a stream of parsed items into a stored job: each item's inputs are checked against the plan
 * as it arrives and written in chunks; any bad line drops the whole job (nothing stays stored), and an
 * Idempotency-Key already used by the same owner returns the earlier job, or a conflict. The work is
 * cut into slices of {@link SLICE_MS} with a turn of the event loop between them, so other requests
 * are answered while 100,000 items are checked and stored.
 */
import { createHash } from 'node:crypto';
import { newId } from '../common/ids.js';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { MAX_JOB_ITEMS } from '@shared/jobs.js';
import type { ExecutionPlan } from '../engine/index.js';
import { checkJson, describeBreach } from '../limits.js';
import type { JobPurpose, JobRow, JobStore } from '../storage/jobs.js';
import { ItemLineError, type ItemLineReason, type ParsedItem } from './parse-items.js';

/** Items written per transaction while an upload streams in. */
const CHUNK = 1000;

/** Longest the submission holds the event loop before it lets other work run (ms). */
export const SLICE_MS = 10;

export interface SubmitTarget {
  scenarioId: string;
  slug: string;
  /** The published version; 0 for a frozen draft. */
  version: number;
  plan: ExecutionPlan;
  /** `batch` when absent. */
  purpose?: JobPurpose;
  /** A frozen draft: its graph as JSON text and its plan hash, stored in the job. */
  frozen?: { graph: string; hash: string };
}

export interface SubmitOptions {
  owner: string;
  idempotencyKey: string | null;
  /** The completion webhook; a function when the body names it after its items (read once they are). */
  webhookUrl: string | null | (() => string | null);
  now?: number;
  /** Checked after the items are read, before the job is stored (e.g. the webhook URL's form). */
  check?: (webhookUrl: string | null) => void;
  /** The file's column an input comes from (the submission's column mapping), to name it in errors. */
  columnOf?: (input: string) => string | undefined;
}

export type SubmitResult = { outcome: 'created' | 'replayed' | 'conflict'; job: JobRow };

/** Reads every item, stores the job, and says whether it is new, a replay or a conflicting reuse of the key. */
export async function submitJob(store: JobStore, target: SubmitTarget, items: Iterable<ParsedItem> | AsyncIterable<ParsedItem>, options: SubmitOptions): Promise<SubmitResult> {
  const jobId = newId();
  const early = typeof options.webhookUrl === 'function' ? null : options.webhookUrl;
  await store.beginJob({ id: jobId, scenarioId: target.scenarioId, slug: target.slug, version: target.version, owner: options.owner, purpose: target.purpose, frozen: target.frozen, webhookUrl: early, createdAt: options.now ?? Date.now() });
  const hash = createHash('sha256');
  const seen = new Map<string, number>();
  let chunk: Array<{ seq: number; itemId: string; inputs: string }> = [];
  let total = 0;
  let webhookUrl = early;
  let sliceStart = performance.now();
  try {
    for await (const item of items) {
      if (performance.now() - sliceStart >= SLICE_MS) {
        await nextTurn();
        sliceStart = performance.now();
      }
      total += 1;
      if (total > MAX_JOB_ITEMS) throw new ItemLineError(item.line, `a job holds at most ${MAX_JOB_ITEMS} items`, undefined, undefined, { code: 'too_many_items', params: { max: MAX_JOB_ITEMS } });
      const breach = checkJson(item.inputs);
      if (breach) throw new ItemLineError(item.line, describeBreach(breach, 'inputs'), undefined, undefined, { code: 'inputs_too_large' });
      const problems = target.plan.validateInputs(item.inputs);
      if (problems) {
        const first = problems[0];
        const input = first?.path.startsWith('inputs.') ? first.path.slice('inputs.'.length).split('.')[0] : undefined;
        const column = input === undefined ? undefined : (options.columnOf?.(input) ?? input);
        const where = column === undefined ? `"${first?.path || '(root)'}"` : `"${first?.path}" (column "${column}")`;
        // A missing required input is said in words; other schema checks keep the validator's wording as a parameter.
        const reason: ItemLineReason = first?.message === 'is required' ? { code: 'input_missing', params: { input: input ?? first.path } } : { code: 'input_invalid', params: { input: input ?? first?.path ?? '', message: first?.message ?? '' } };
        throw new ItemLineError(item.line, first ? `invalid inputs at ${where}: ${first.message}` : 'invalid inputs', item.sheet, column, reason);
      }
      const itemId = item.id ?? String(item.line);
      const earlier = seen.get(itemId);
      if (earlier !== undefined) throw new ItemLineError(item.line, `duplicate id "${itemId}" (first on line ${earlier})`, undefined, undefined, { code: 'duplicate_id', params: { id: itemId, first: earlier } });
      seen.set(itemId, item.line);
      const inputs = JSON.stringify(item.inputs);
      hash.update(`${itemId}\t${inputs}\n`);
      chunk.push({ seq: item.line, itemId, inputs });
      if (chunk.length >= CHUNK) {
        await store.addItems(jobId, chunk);
        chunk = [];
      }
    }
    if (total === 0) throw new ItemLineError(1, 'the submission has no items', undefined, undefined, { code: 'no_items' });
    await store.addItems(jobId, chunk);
    if (typeof options.webhookUrl === 'function') webhookUrl = options.webhookUrl();
    options.check?.(webhookUrl);
  } catch (error) {
    await store.deleteJob(jobId);
    throw error;
  }
  // The webhook is part of what a repeated Idempotency-Key must match, with the items.
  const bodyHash = createHash('sha256').update(`webhook:${webhookUrl ?? ''}\n${hash.digest('hex')}`).digest('hex');
  return store.finalize(jobId, options.owner, total, bodyHash, options.idempotencyKey, webhookUrl);
}
