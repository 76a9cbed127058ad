/**
 * What human review chooses of the results a scenario produces: its rules (cached per scenario) applied
 * to each `/v1` run and batch job item as it is produced (one insert per chosen result, no model call),
 * and the daily sample's count. On the hot path of every run: a warm choice decides from the caches at
 * once and only writes in the background; a cold one reads first. Used through `ReviewService`.
 */
import { isRecord } from '@shared/json.js';
import { ReviewRulesBodySchema, type ReviewRulesBody } from '@shared/review.js';
import { newId } from '../common/ids.js';
import { loggableMessage } from '../storage/db-errors.js';
import { getReviewRules, insertReviewItems, sampledOn, type NewReviewItem } from '../storage/review.js';
import type { DataStore } from '../storage/store.js';
import { matchRules } from './rules.js';

/** The server's local date of `ms`, `YYYY-MM-DD`: the day a daily sample counts in. */
export function localDay(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** A produced result a rule may choose: a `/v1` run's, or a batch job item's (with its job and item ids). */
export interface ProducedResult {
  scenarioId: string;
  slug: string;
  version: number;
  runId: string;
  job?: { jobId: string; itemId: string };
  inputs: unknown;
  outputs: unknown;
  simulated: boolean;
}

/** The source key that makes a result queued at most once. */
function sourceKey(r: Pick<ProducedResult, 'runId' | 'job'>): string {
  return r.job ? `job:${r.job.jobId}:${r.job.itemId}` : `run:${r.runId}`;
}

/** Stored rules, read defensively: a damaged or unknown value reads as none (null). */
export function parseConfig(value: unknown): ReviewRulesBody | null {
  const parsed = ReviewRulesBodySchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

/** Whether a scenario's rules draw a daily sample (then choosing needs today's count). */
function samples(config: ReviewRulesBody): boolean {
  return config.rules.some((rule) => rule.kind === 'daily_sample');
}

/** The choosing of one server, with its caches; `store` is where the rules and the queue are. */
export class ReviewChooser {
  /** Each scenario's rules as last read (null: none), so choosing costs no read per result. */
  private readonly rulesCache = new Map<string, ReviewRulesBody | null>();
  /**
   * How many results each scenario's daily sample took on `day`, read once per scenario and day and then
   * counted here as this server samples. With several servers over one database each counts its own, so
   * a day's sample may exceed `max_per_day` by what the others took since the read.
   */
  private readonly sampleCounts = new Map<string, { day: string; n: number }>();

  constructor(
    private readonly store: DataStore,
    private readonly now: () => number = Date.now,
    private readonly log: (line: string) => void = (line) => console.error(line),
  ) {}

  /** A scenario's review rules as stored (cached), or null when it has none. */
  async config(scenarioId: string): Promise<ReviewRulesBody | null> {
    if (!this.rulesCache.has(scenarioId)) {
      const config = parseConfig((await getReviewRules(this.store, scenarioId))?.config);
      // Rules stored meanwhile (remember) are newer than this read.
      if (!this.rulesCache.has(scenarioId)) this.rulesCache.set(scenarioId, config);
    }
    return this.rulesCache.get(scenarioId) ?? null;
  }

  /** Caches rules this server just stored. */
  remember(scenarioId: string, config: ReviewRulesBody): void {
    this.rulesCache.set(scenarioId, config);
  }

  /** Forgets cached rules (a scenario deleted, or rules changed by another process). */
  forget(scenarioId?: string): void {
    if (scenarioId === undefined) this.rulesCache.clear();
    else this.rulesCache.delete(scenarioId);
  }

  /** Reads into the caches what choosing `results` needs: each scenario's rules, and today's sample count where the rules sample. */
  private async warm(results: ProducedResult[], day: string): Promise<void> {
    for (const scenarioId of new Set(results.map((r) => r.scenarioId))) {
      const config = await this.config(scenarioId);
      if (!config || !samples(config) || this.sampleCounts.get(scenarioId)?.day === day) continue;
      const n = await sampledOn(this.store, scenarioId, day);
      // A count taken meanwhile (by a choice that warmed first) already includes what this read saw.
      if (this.sampleCounts.get(scenarioId)?.day !== day) this.sampleCounts.set(scenarioId, { day, n });
    }
  }

  /**
   * The items the rules choose of `results`, from the caches alone (undefined when a scenario's rules or
   * today's sample count is not cached: {@link warm} first). Counts the sampled ones in today's count.
   */
  private pick(results: ProducedResult[], at: number): NewReviewItem[] | undefined {
    const day = localDay(at);
    const rows: NewReviewItem[] = [];
    for (const r of results) {
      if (!this.rulesCache.has(r.scenarioId)) return undefined;
      const config = this.rulesCache.get(r.scenarioId) ?? null;
      if (config && samples(config) && this.sampleCounts.get(r.scenarioId)?.day !== day) return undefined;
    }
    for (const r of results) {
      const config = this.rulesCache.get(r.scenarioId) ?? null;
      if (!config || config.rules.length === 0 || !isRecord(r.outputs)) continue;
      const key = sourceKey(r);
      const count = this.sampleCounts.get(r.scenarioId);
      const reasons = matchRules(config.rules, r.outputs, { scenarioId: r.scenarioId, sourceKey: key, sampledToday: () => count?.n ?? 0 });
      if (reasons.length === 0) continue;
      const isSample = reasons.some((x) => x.code === 'daily_sample');
      if (isSample && count) count.n += 1;
      rows.push({
        id: newId(),
        scenarioId: r.scenarioId,
        slug: r.slug,
        version: r.version,
        sourceKey: key,
        runId: r.runId,
        jobId: r.job?.jobId ?? null,
        itemId: r.job?.itemId ?? null,
        inputs: r.inputs,
        outputs: r.outputs,
        reasons,
        reasonCodes: `,${reasons.map((x) => x.code).join(',')},`,
        simulated: r.simulated,
        day,
        sampled: isSample,
        createdAt: at,
      });
    }
    return rows;
  }

  /** Queues picked rows; a sampled row not queued (its source was already) is taken off today's count. */
  private async queue(rows: NewReviewItem[]): Promise<NewReviewItem[]> {
    const inserted = await insertReviewItems(this.store, rows);
    const queued = new Set(inserted.map((r) => r.id));
    for (const row of rows) {
      const count = this.sampleCounts.get(row.scenarioId);
      if (row.sampled && !queued.has(row.id) && count?.day === row.day) count.n = Math.max(0, count.n - 1);
    }
    return inserted;
  }

  /**
   * Applies the rules to produced results and queues those that match, in one transaction; a source
   * already queued is skipped. Resolves to the items queued. Never rejects for a result (a damaged one is
   * skipped); rejects when the store does.
   */
  async choose(results: ProducedResult[]): Promise<NewReviewItem[]> {
    const at = this.now();
    let rows = this.pick(results, at);
    if (!rows) {
      await this.warm(results, localDay(at));
      rows = this.pick(results, at) ?? [];
    }
    return this.queue(rows);
  }

  /**
   * {@link choose} for one `/v1` run without delaying its answer: with the scenario's rules (and today's
   * sample count) cached, decides at once and returns the queued item's id, writing it in the background;
   * otherwise chooses in the background and returns undefined (the item is still queued, the reply just
   * does not name it). A failed write is logged.
   */
  chooseNow(result: ProducedResult): string | undefined {
    const failed = (error: unknown) => this.log(`[mofang] run ${result.runId}: human review could not queue it: ${loggableMessage(error)}`);
    const rows = this.pick([result], this.now());
    if (!rows) {
      this.choose([result]).catch(failed);
      return undefined;
    }
    if (rows.length === 0) return undefined;
    this.queue(rows).catch(failed);
    return rows[0]?.id;
  }
}
