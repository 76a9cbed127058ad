/**
 * `POST /v1/scenarios/{slug}/run`: resolve the published plan, check the inputs, run at live priority
 * and answer with the result as JSON, or with `Accept: text/event-stream` as server-sent events
 * (event name = event type; a reconnect with `Last-Event-ID` resumes its run, see ../sse.ts). Every
 * finished run, and every refused input, goes to the run log.
 */
import { V1RunBodySchema } from '@shared/v1.js';
import type { Request, RequestHandler, Response } from 'express';
import type { RunEvent } from '@shared/events.js';
import { emptyUsage } from '@shared/usage.js';
import { runPlan, streamRun, type ExecutionPlan, type RunResult } from '../../engine/index.js';
import type { AppDeps } from '../context.js';
import { RunEventStreams } from '../sse.js';
import type { ApiRunRecord } from '../../storage/run-log.js';
import { inScope, keyOf } from './auth.js';
import { failureStatus, runIdOf, sendV1Error, setRunId, wantsEventStream } from './respond.js';
import type { V1Runtime } from './runtime.js';

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

function unknownScenario(res: Response, slug: string): void {
  // The same reply whether the slug does not exist, is not published or is outside the key's scope.
  sendV1Error(res, 404, 'unknown_scenario', `no published scenario "${slug}"`);
}

/** The handler; it expects {@link authenticate} and a JSON body parser before it. */
export function runHandler(deps: AppDeps, runtime: V1Runtime): RequestHandler<{ slug: string }> {
  const { published, models, services } = deps;
  const { runLog, config } = runtime;
  const streams = new RunEventStreams();
  return async (req: Request<{ slug: string }>, res: Response) => {
    const key = keyOf(res);
    const slug = req.params.slug;
    if (!key || !inScope(key, slug)) return unknownScenario(res, slug);
    // A reconnect (Last-Event-ID) resumes the run it names; it never starts a second one.
    if (wantsEventStream(req.headers.accept) && (await streams.resume(req, res, key.id, (id) => setRunId(res, id)))) return;
    const rawVersion = req.query.version;
    let version: number | undefined;
    if (rawVersion !== undefined) {
      if (typeof rawVersion !== 'string' || !VERSION_PATTERN.test(rawVersion)) {
        return sendV1Error(res, 400, 'invalid_version', 'version must be a positive whole number, e.g. ?version=3');
      }
      version = Number(rawVersion);
    }
    const resolved = published.resolve(slug, version);
    if ('error' in resolved) {
      if (resolved.error === 'unknown_version') return sendV1Error(res, 404, 'unknown_version', `scenario "${slug}" has no version ${version}`);
      if (resolved.error === 'version_not_runnable') return sendV1Error(res, 409, resolved.error, resolved.message);
      return unknownScenario(res, slug);
    }
    // The schema the OpenAPI documents declare for this body.
    const body = V1RunBodySchema.safeParse(req.body ?? {});
    if (!body.success) {
      const issue = body.error.issues[0];
      const where = issue && issue.path.length > 0 ? ` ("${issue.path.join('.')}": ${issue.message})` : '';
      return sendV1Error(res, 400, 'invalid_body', `the request body must be a JSON object: { "inputs": { … } }${where}`);
    }
    const inputs = body.data.inputs;
    const runId = runIdOf(res);
    const createdAt = Date.now();
    const record = (result: RunResult, events: RunEvent[]): ApiRunRecord => ({
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
    });

    const problems = resolved.plan.validateInputs(inputs);
    if (problems) {
      const first = problems[0];
      const message = first ? `invalid inputs at "${first.path || '(root)'}": ${first.message}` : 'invalid inputs';
      runLog.add(record({ run_id: runId, status: 'failed', error: { code: 'invalid_inputs', message, details: problems }, usage: emptyUsage(), latency_ms: 0, model: '' }, []));
      return sendV1Error(res, 400, 'invalid_inputs', message, { problems }, { scenario: slug, version: resolved.version });
    }

    const abort = new AbortController();
    let done = false;
    // `close` also fires after we end the response; only an early close means the client went away.
    res.on('close', () => {
      if (!done) abort.abort();
    });
    const options = { models, services, runId, scenario: slug, signal: abort.signal, deadlineMs: config.runDeadlineMs, priority: 0 };
    if (wantsEventStream(req.headers.accept)) {
      await streamResponse(streams, req, res, resolved.plan, inputs, { ...options, owner: key.id }, (result, events) => {
        done = true;
        runLog.add(record(result, events));
      });
      return;
    }

    const events: RunEvent[] = [];
    let result: RunResult;
    try {
      result = await runPlan(resolved.plan, inputs, { ...options, onEvent: (e) => events.push(e) });
    } catch (error) {
      result = crashResult(runId, error, createdAt);
    }
    done = true;
    runLog.add(record(result, events));
    if (res.writableEnded || abort.signal.aborted) return;
    const summary = { scenario: slug, version: resolved.version, status: result.status, usage: result.usage, latency_ms: result.latency_ms, model: result.model };
    if (result.status === 'succeeded') {
      // Straight to the socket: res.json's content negotiation and etag work buys nothing here.
      const payload = JSON.stringify({ run_id: runId, ...summary, outputs: result.outputs ?? {} });
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(payload) });
      res.end(payload);
      return;
    }
    const { status, code } = failureStatus(result.error);
    const cause = result.error;
    sendV1Error(res, status, code, cause?.message ?? 'the run failed', { cause: cause?.code, node_id: cause?.nodeId }, summary);
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
