/**
 * `POST /v1/scenarios/{slug}/run`: resolve the published plan, check the inputs, run at live priority
 * and answer with the result as JSON, or with `Accept: text/event-stream` as server-sent events
 * (event name = event type; a reconnect with `Last-Event-ID` resumes its run, see ../sse.ts). Every
 * finished run, and every refused input, goes to the run log.
 */
import { loggableMessage } from '../../storage/db-errors.js';
import { V1RunBodySchema } from '@shared/v1.js';
import type { ServerResponse } from 'node:http';
import type { Request, RequestHandler, Response } from 'express';
import type { RunEvent } from '@shared/events.js';
import { emptyUsage } from '@shared/usage.js';
import { runPlan, streamRun, type ExecutionPlan, type RunResult } from '../../engine/index.js';
import type { AppDeps } from '../context.js';
import { RunEventStreams } from '../sse.js';
import type { ApiRunRecord } from '../../storage/run-log.js';
import type { Resolution, ResolvedScenario } from '../../publish/registry.js';
import type { KeyRecord } from '../../storage/keys.js';
import { inScope, keyOf } from './auth.js';
import { failureStatus, runIdOf, sendJson, sendV1Error, setRunId, wantsEventStream } from './respond.js';
import type { V1Runtime } from './runtime.js';
import { requestOrigin } from './origin.js';

const VERSION_PATTERN = /^[1-9]\d{0,8}$/;

/** A result for a run the engine threw on (it should not): reported as failed, not as a hung request. */
function crashResult(runId: string, error: unknown, started: number): RunResult {
  return {
    run_id: runId,
    status: 'failed',
    error: { code: 'node_error', message: `the engine failed: ${error instanceof Error ? error.message : String(error)}` },
    usage: emptyUsage(),
    latency_ms: Date.now() - started,
    model: 'unknown',
  };
}

function unknownScenario(res: ServerResponse, slug: string): undefined {
  // The same reply whether the slug does not exist, is not published or is outside the key's scope.
  sendV1Error(res, 404, 'unknown_scenario', `no published scenario "${slug}"`);
  return undefined;
}

/** What a run request names: the slug, the raw `version` query value, the parsed body. */
export interface RunCall {
  slug: string;
  version: unknown;
  body: unknown;
}

/** A run request checked and resolved, ready to run. */
export interface PreparedRun {
  slug: string;
  resolved: ResolvedScenario;
  inputs: Record<string, unknown>;
  runId: string;
  createdAt: number;
  /** The run-log record of a result. */
  record(result: RunResult, events: RunEvent[]): ApiRunRecord;
}

/** The run operation's work, apart from how the request reached it (Express, or the fast lane). */
export interface RunOperation {
  /**
   * Everything before the run: scope, version, plan, body and inputs. Returns the prepared run, or
   * undefined after answering the error itself (an invalid input is logged as a failed run): at once
   * when the scenario's plan is cached, as a promise when it must be read from the store.
   */
  prepare(call: RunCall, key: KeyRecord | undefined, res: ServerResponse): PreparedRun | undefined | Promise<PreparedRun | undefined>;
  /** Runs at live priority and answers with the result as JSON. */
  runAsJson(run: PreparedRun, key: KeyRecord, res: ServerResponse): Promise<void>;
  /** Answers a reconnect (`Last-Event-ID`) from the run streams remembered: true when it did. */
  resume(req: Request, res: Response, key: KeyRecord): Promise<boolean>;
  /** Runs at live priority and answers with the events as SSE. */
  runAsStream(run: PreparedRun, key: KeyRecord, req: Request, res: Response): Promise<void>;
}

/**
 * Offers a succeeded run to human review; returns the queued item's page (absolute, on the origin the
 * caller reached, as the OpenAPI documents name it), or undefined when the rules did not choose it. A
 * failure of review is logged and never fails the run.
 */
function chooseForReview(runtime: V1Runtime, run: PreparedRun, result: RunResult, res: ServerResponse): string | undefined {
  try {
    const id = runtime.review?.chooseRun({ scenarioId: run.resolved.scenarioId, slug: run.slug, version: run.resolved.version, runId: run.runId, inputs: run.inputs, outputs: result.outputs ?? {}, simulated: result.simulated ?? false });
    return id === undefined ? undefined : `${requestOrigin(res.req, runtime.config.publicUrl)}/#/review/${encodeURIComponent(id)}`;
  } catch (error) {
    console.error(`[mofang] run ${run.runId}: human review could not take it:`, loggableMessage(error));
    return undefined;
  }
}

/** The run operation over the app's published scenarios, models and run log. */
export function runOperation(deps: AppDeps, runtime: V1Runtime): RunOperation {
  const { published, models, services } = deps;
  const { runLog, config } = runtime;
  const streams = new RunEventStreams();
  const options = (run: PreparedRun, signal: AbortSignal) => ({ models, services, runId: run.runId, scenario: run.slug, signal, deadlineMs: config.runDeadlineMs, priority: 0 });
  /** An AbortSignal that fires when the client goes away before the answer is sent, and `done()` to say it was sent. */
  const clientGone = (res: ServerResponse) => {
    const abort = new AbortController();
    let done = false;
    // `close` also fires after we end the response; only an early close means the client went away.
    res.on('close', () => {
      if (!done) abort.abort();
    });
    return { signal: abort.signal, done: () => (done = true) };
  };
  /** The rest of `prepare` once the plan is known: the version's errors, the body and the inputs. */
  const withPlan = (call: RunCall, key: KeyRecord, res: ServerResponse, resolved: Resolution, version: number | undefined): PreparedRun | undefined => {
    const { slug } = call;
    if ('error' in resolved) {
      if (resolved.error === 'unknown_version') sendV1Error(res, 404, 'unknown_version', `scenario "${slug}" has no version ${version}`);
      else if (resolved.error === 'version_not_runnable') sendV1Error(res, 409, resolved.error, resolved.message);
      else unknownScenario(res, slug);
      return undefined;
    }
    // The schema the OpenAPI documents declare for this body.
    const body = V1RunBodySchema.safeParse(call.body ?? {});
    if (!body.success) {
      const issue = body.error.issues[0];
      const where = issue && issue.path.length > 0 ? ` ("${issue.path.join('.')}": ${issue.message})` : '';
      sendV1Error(res, 400, 'invalid_body', `the request body must be a JSON object: { "inputs": { … } }${where}`);
      return undefined;
    }
    const inputs = body.data.inputs;
    const runId = runIdOf(res);
    const createdAt = Date.now();
    const run: PreparedRun = {
      slug,
      resolved,
      inputs,
      runId,
      createdAt,
      record: (result, events) => ({
        id: runId,
        scenarioId: resolved.scenarioId,
        slug,
        version: resolved.version,
        apiKeyId: key.id,
        inputs,
        status: result.status,
        outputs: result.outputs,
        error: result.error,
        usage: result.usage,
        latencyMs: result.latency_ms,
        model: result.model,
        events,
        createdAt,
        finishedAt: Date.now(),
      }),
    };
    const problems = resolved.plan.validateInputs(inputs);
    if (problems) {
      const first = problems[0];
      const message = first ? `invalid inputs at "${first.path || '(root)'}": ${first.message}` : 'invalid inputs';
      runLog.add(run.record({ run_id: runId, status: 'failed', error: { code: 'invalid_inputs', message, details: problems }, usage: emptyUsage(), latency_ms: 0, model: '' }, []));
      sendV1Error(res, 400, 'invalid_inputs', message, { problems }, { scenario: slug, version: resolved.version });
      return undefined;
    }
    return run;
  };
  return {
    prepare(call, key, res) {
      const { slug } = call;
      if (!key || !inScope(key, slug)) return unknownScenario(res, slug);
      let version: number | undefined;
      if (call.version !== undefined) {
        if (typeof call.version !== 'string' || !VERSION_PATTERN.test(call.version)) {
          sendV1Error(res, 400, 'invalid_version', 'version must be a positive whole number, e.g. ?version=3');
          return undefined;
        }
        version = Number(call.version);
      }
      const found = published.resolve(slug, version);
      return found instanceof Promise ? found.then((resolved) => withPlan(call, key, res, resolved, version)) : withPlan(call, key, res, found, version);
    },

    async runAsJson(run, _key, res) {
      const gone = clientGone(res);
      const events: RunEvent[] = [];
      let result: RunResult;
      try {
        result = await runPlan(run.resolved.plan, run.inputs, { ...options(run, gone.signal), onEvent: (e) => events.push(e) });
      } catch (error) {
        result = crashResult(run.runId, error, run.createdAt);
      }
      gone.done();
      runLog.add(run.record(result, events));
      if (res.writableEnded || gone.signal.aborted) return;
      const summary = { scenario: run.slug, version: run.resolved.version, status: result.status, usage: result.usage, latency_ms: result.latency_ms, model: result.model, simulated: result.simulated ?? false };
      if (result.status === 'succeeded') {
        const reviewUrl = chooseForReview(runtime, run, result, res);
        sendJson(res, 200, { run_id: run.runId, ...summary, outputs: result.outputs ?? {}, ...(reviewUrl ? { review_url: reviewUrl } : {}) });
        return;
      }
      const { status, code } = failureStatus(result.error);
      const cause = result.error;
      sendV1Error(res, status, code, cause?.message ?? 'the run failed', { cause: cause?.code, node_id: cause?.nodeId }, summary);
    },

    resume(req, res, key) {
      return streams.resume(req, res, key.id, (id) => setRunId(res, id));
    },

    async runAsStream(run, key, req, res) {
      const gone = clientGone(res);
      await streamResponse(streams, req, res, run.resolved.plan, run.inputs, { ...options(run, gone.signal), owner: key.id }, (result, events) => {
        gone.done();
        runLog.add(run.record(result, events));
        if (result.status === 'succeeded') chooseForReview(runtime, run, result, res);
      });
    },
  };
}

/** The Express handler of `/run` and `/run/stream`; it expects {@link authenticate} and a JSON body parser before it. */
export function runHandler(operation: RunOperation): RequestHandler<{ slug: string }> {
  return async (req: Request<{ slug: string }>, res: Response) => {
    const key = keyOf(res);
    const slug = req.params.slug;
    if (!key || !inScope(key, slug)) return unknownScenario(res, slug);
    const stream = wantsEventStream(req.headers.accept);
    // A reconnect (Last-Event-ID) resumes the run it names; it never starts a second one.
    if (stream && (await operation.resume(req, res, key))) return;
    const run = await operation.prepare({ slug, version: req.query.version, body: req.body }, key, res);
    if (!run) return;
    if (stream) await operation.runAsStream(run, key, req, res);
    else await operation.runAsJson(run, key, res);
  };
}

type RunOptionsBase = Omit<Parameters<typeof runPlan>[2], 'onEvent'>;

/** Streams a run's events as SSE; `finished` gets the result and the events once the run is over. */
async function streamResponse(
  streams: RunEventStreams,
  req: Request,
  res: Response,
  plan: ExecutionPlan,
  inputs: unknown,
  { owner, ...options }: RunOptionsBase & { owner: string },
  finished: (result: RunResult, events: RunEvent[]) => void,
): Promise<void> {
  const started = Date.now();
  const sse = await streams.open(req, res, options.runId ?? '', owner);
  const events: RunEvent[] = [];
  let result: RunResult;
  try {
    const stream = streamRun(plan, inputs, options);
    for await (const event of stream.events) {
      events.push(event);
      sse.push(event, event.type);
    }
    result = await stream.result;
  } catch (error) {
    result = crashResult(options.runId ?? '', error, started);
  }
  finished(result, events);
  sse.end();
  await sse.closed;
}
