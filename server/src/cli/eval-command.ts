/**
 * `mofang eval <slug|graph.json> --set <file.jsonl|name[@N]> [--version N] [--min <metric>=<value> …]`: runs every
 * case of an evaluation set through the engine in this process, scores the outputs with the metric that
 * fits each end output, prints the result as one JSON document and exits 1 when a `--min` bar is not met,
 * so a team can gate on it in its own CI. Exit codes: 0 every bar met, 1 below a bar, 2 could not
 * evaluate (bad arguments, set file, target or metric name).
 */
import { writeFile } from 'node:fs/promises';
import PQueue from 'p-queue';
import type { BarCheck, CaseResult, MetricBar, MetricOverrides } from '@shared/evaluation-metrics.js';
import { isRecord } from '@shared/json.js';
import { addUsage, emptyUsage } from '@shared/usage.js';
import { DomainError } from '../common/domain-error.js';
import { loadConfig } from '../config.js';
import { runPlan, type RunResult } from '../engine/index.js';
import { isLowerBetter, meetsBars, parseMinBar, planMetrics, plannedMetricNames, scoreCases } from '../evaluation/metrics/index.js';
import { setLimits } from '../limits.js';
import { EvaluationSets } from '../evaluation/sets.js';
import type { ExecutionPlan } from '../engine/index.js';
import type { DataStore } from '../storage/store.js';
import { createEngineServices } from '../services/index.js';
import { overridesOf } from '../evaluation/metric-settings.js';
import { CliError } from './errors.js';
import { parseSetSpec } from './set-spec.js';
import { EvalSetError, parseEvalSet, readEvalSet, type EvalCase } from './eval-set.js';
import { defaultConcurrency, isGraphFile, loadTarget, openStoreFor, type EvalTargetInfo } from './eval-target.js';
import { openCliModels } from './models.js';
import type { CliIo } from './io.js';

/** Options of `mofang eval`. */
export interface EvalCommandOptions {
  /** A JSONL file of cases, or (with a slug) a stored evaluation set's name, `name@N` for revision N. */
  set: string;
  version?: number;
  /** `<metric>=<value>` bars, e.g. `risk_level.accuracy=0.8` or `=80%`. */
  min?: string[];
  concurrency?: number;
  /** Also write the JSON result to this file. */
  out?: string;
  /** Add each case's outcome (`per_case`). */
  perCase?: boolean;
}

/** Exit code when the evaluation could not be made (as opposed to 1: made, and below a bar). */
export const EXIT_CANNOT_EVALUATE = 2;
/** Failed cases listed in the result (all are counted). */
const LISTED_FAILURES = 20;

/**
 * The cases of a scenario's stored evaluation set, `<name>` (its latest revision) or `<name>@<revision>`,
 * checked against the target's plan as a set file's lines are (a case stored against an older draft may
 * no longer fit it).
 *
 * @throws CliError for a graph-file target (a stored set belongs to a published scenario), an unknown set
 *   name (the scenario's sets listed) or revision; EvalSetError for cases that do not fit the plan
 */
async function storedSet(spec: { name: string; revision?: number }, store: DataStore | undefined, scenarioId: string | undefined, plan: ExecutionPlan): Promise<{ cases: EvalCase[]; set: { name: string; revision: number }; overrides: MetricOverrides }> {
  const name = spec.name;
  if (!store || !scenarioId) throw new CliError(`--set "${name}" names a stored evaluation set, which belongs to a published scenario: pass its slug as the target, or a JSONL file as --set`);
  const sets = new EvaluationSets(store);
  const list = await sets.list(scenarioId);
  const found = list.find((s) => s.name === name);
  if (!found) {
    const names = list.map((s) => s.name);
    throw new CliError(`no evaluation set "${name}" in this scenario; its sets: ${names.length > 0 ? names.join(', ') : '(none)'}`);
  }
  const revision = spec.revision ?? found.revision;
  if (revision < 1 || revision > found.revision) throw new CliError(`evaluation set "${name}" has revisions 1–${found.revision}, not ${revision}`);
  const lines = (await sets.casesOf(found.id, revision)).map((c) => JSON.stringify({ id: c.id, inputs: c.inputs, expected: c.expected }));
  // The set's scoring overrides (its 评分方式) apply as they do to its runs on the server.
  return { cases: parseEvalSet(lines.join('\n'), `set "${name}" revision ${revision}`, plan), set: { name, revision }, overrides: await overridesOf(sets.store, found.id) };
}

/** Runs `mofang eval`; returns the exit code (0 met, 1 below a bar, 2 could not evaluate). */
export async function evalCommandAction(target: string, opts: EvalCommandOptions, io: CliIo): Promise<number> {
  try {
    return await evaluate(target, opts, io);
  } catch (error) {
    if (error instanceof CliError || error instanceof EvalSetError || error instanceof DomainError || (error instanceof Error && error.name === 'ConfigError')) {
      io.stderr(`mofang: ${error.message}\n`);
      return EXIT_CANNOT_EVALUATE;
    }
    throw error;
  }
}

/** The bars of `--min`, checked for form and direction before anything runs. */
function parseBars(texts: string[]): MetricBar[] {
  return texts.map((text) => {
    const bar = parseMinBar(text);
    if (isLowerBetter(bar.metric)) throw new CliError(`--min ${text}: "${bar.metric}" is an error (lower is better); a minimum cannot apply to it`);
    // Every metric a minimum may name is a fraction in [0, 1], or a kappa in [-1, 1]: a bar outside can never, or always, be met.
    const floor = /(^|\.)kappa(\[|$)/.test(bar.metric.slice(bar.metric.indexOf('.') + 1)) ? -1 : 0;
    if (bar.min < floor || bar.min > 1) throw new CliError(`--min ${text}: ${bar.metric} lies between ${floor} and 1 (or ${floor * 100}% and 100%), so a minimum of ${bar.min} is never a real bar`);
    return bar;
  });
}

/** Refuses a bar that cannot name a metric of this plan: its output part is not an end output. */
function checkBarOutputs(bars: MetricBar[], outputs: string[], known: string[]): void {
  for (const bar of bars) {
    if (outputs.some((o) => bar.metric.startsWith(`${o}.`))) continue;
    throw new DomainError('invalid', 'unknown_metric', `no metric "${bar.metric}" for this graph; known: ${known.join(', ')}`, { metric: bar.metric, known });
  }
}


async function evaluate(target: string, opts: EvalCommandOptions, io: CliIo): Promise<number> {
  const bars = parseBars(opts.min ?? []);
  const setSpec = parseSetSpec(opts.set);
  const config = loadConfig(io.env);
  if (config.limits) setLimits(config.limits);
  const services = createEngineServices({ httpAllow: config.httpAllow, sandbox: config.sandbox, templateLimits: config.templates });
  const store = await openStoreFor(config, !isGraphFile(target));
  try {
    const cliModels = await openCliModels(config);
    const models = cliModels.models;
    const { info, plan, scenarioId } = await loadTarget(target, opts.version, store, services, cliModels.aliases).catch(async (error: unknown) => {
      await cliModels.close();
      throw error;
    });
    const outputSchemas = isRecord(plan.outputSchema.properties) ? plan.outputSchema.properties : {};
    try {
      const { cases, set, overrides } = setSpec.kind === 'file' ? { cases: await readEvalSet(setSpec.path, plan), set: { file: setSpec.path }, overrides: {} } : await storedSet(setSpec, store, scenarioId, plan);
      const metricPlan = planMetrics(outputSchemas, overrides);
      checkBarOutputs(bars, Object.keys(outputSchemas), plannedMetricNames(metricPlan));
      const concurrency = opts.concurrency ?? defaultConcurrency(models);
      const results = await runCases(cases, concurrency, io, (c, signal) => runPlan(plan, c.inputs, { models, services, signal, priority: 1 }));
      const scored = scoreCases(
        metricPlan,
        cases.map((c, i) => ({ id: c.id, expected: c.expected, ...(results[i].status === 'succeeded' ? { actual: results[i].outputs ?? {} } : { failed: true }) })),
      );
      const check: BarCheck = meetsBars(scored.metrics, bars);
      const simulated = results.some((r) => r.simulated === true);
      const failures = cases.flatMap((c, i) => (results[i].status === 'failed' ? [{ id: c.id, line: c.line, error: results[i].error ?? { code: 'unknown', message: 'the run failed' } }] : []));
      const document = {
        target: info satisfies EvalTargetInfo,
        set: { ...set, cases: cases.length },
        model: { simulated, aliases: models.aliases().map(({ alias, endpoint, model, simulator }) => ({ alias, endpoint, model, simulator })) },
        metrics: scored.metrics,
        outputs: scored.outputs,
        cases: scored.cases,
        failed: scored.failed,
        failures: failures.slice(0, LISTED_FAILURES),
        bars: { ok: check.ok, bars, failures: check.failures },
        usage: results.reduce((sum, r) => addUsage(sum, r.usage), emptyUsage()),
        ...(opts.perCase ? { per_case: perCaseOutcomes(cases, results, scored.per_case) } : {}),
      };
      const text = `${JSON.stringify(document, null, 2)}\n`;
      io.stdout(text);
      report(io, { simulated, failed: scored.failed, cases: scored.cases, check });
      if (opts.out) {
        const out = opts.out;
        await writeFile(out, text).catch((error: unknown) => {
          throw new CliError(`could not write --out "${out}": ${error instanceof Error ? error.message : String(error)}`);
        });
      }
      return check.ok ? 0 : 1;
    } finally {
      await cliModels.close();
    }
  } finally {
    await store?.close();
    await services.close();
  }
}

/**
 * Runs the cases with at most `concurrency` at once, writing `<done>/<total> cases…` to stderr as they
 * finish (about twenty lines in all). Ctrl-C aborts the runs under way and drops the rest.
 *
 * @returns one result per case, in the cases' order
 * @throws CliError when interrupted
 */
async function runCases(cases: EvalCase[], concurrency: number, io: CliIo, run: (c: EvalCase, signal: AbortSignal) => Promise<RunResult>): Promise<RunResult[]> {
  const queue = new PQueue({ concurrency });
  const controller = new AbortController();
  const onSigint = () => {
    controller.abort();
    queue.clear();
  };
  process.once('SIGINT', onSigint);
  const step = Math.max(1, Math.ceil(cases.length / 20));
  let done = 0;
  const results: RunResult[] = new Array<RunResult>(cases.length);
  try {
    io.stderr(`mofang: ${cases.length} case${cases.length === 1 ? '' : 's'}, ${concurrency} at a time\n`);
    await Promise.all(
      cases.map((c, i) =>
        queue.add(async () => {
          results[i] = await run(c, controller.signal);
          done += 1;
          if (done % step === 0 || done === cases.length) io.stderr(`${done}/${cases.length} cases…\n`);
        }),
      ),
    );
  } finally {
    process.off('SIGINT', onSigint);
  }
  if (controller.signal.aborted) throw new CliError(`interrupted after ${done} of ${cases.length} cases`);
  return results;
}

/** Each case's outcome for `--per-case`: per expected output, whether it was right, its score, and both values. */
function perCaseOutcomes(cases: EvalCase[], results: RunResult[], scored: CaseResult[]) {
  return cases.map((c, i) => ({
    id: c.id,
    line: c.line,
    failed: scored[i].failed,
    ...(results[i].error ? { error: results[i].error } : {}),
    outputs: Object.fromEntries(
      Object.entries(scored[i].outputs).map(([name, outcome]) => [name, { ...outcome, expected: c.expected[name], actual: results[i].outputs?.[name] ?? null }]),
    ),
  }));
}

/** The verdict on stderr: simulator warning, failed runs, unmet bars. */
function report(io: CliIo, r: { simulated: boolean; failed: number; cases: number; check: BarCheck }): void {
  if (r.simulated) io.stderr('mofang: warning: the built-in simulator answered the model calls, so these numbers mean nothing; configure a model endpoint (MOFANG_MODEL_BASE_URL, or one stored in the data directory) for real ones\n');
  if (r.failed > 0) io.stderr(`mofang: ${r.failed} of ${r.cases} case runs failed (counted as wrong); see "failures"\n`);
  for (const f of r.check.failures) io.stderr(`mofang: below the bar: ${f.metric} = ${f.value === null ? 'null (undefined for this data)' : f.value} < ${f.min}\n`);
}
