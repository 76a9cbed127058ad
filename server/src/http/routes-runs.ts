/**
 * Test runs from the canvas: compile, check inputs, run, persist; as JSON or, with
 * `Accept: text/event-stream`, as SSE (event name = RunEvent type, then a final `result` event; a
 * reconnect with `Last-Event-ID` resumes the run it names instead of starting another: see ./sse.ts).
 */
import { knownModelAliases } from '../endpoints/config.js';
import { newId } from '../common/ids.js';
import { Router, type Request, type Response } from 'express';
import { TestRunBodySchema } from '@shared/api.js';
import type { RunEvent } from '@shared/events.js';
import { compileGraphAsync, runPlan, streamRun, type RunResult } from '../engine/index.js';
import { getScenario } from '../storage/scenarios.js';
import { finishRun, getRun, listTestRuns, startRun } from '../storage/runs.js';
import { appStore, type AppDeps } from './context.js';
import { HttpError, parseBody } from './errors.js';
import { allow } from './access.js';
import { RunEventStreams, wantsEventStream } from './sse.js';
import { canReadPii } from './pii-access.js';
import { piiView } from './pii.js';

/** A result for a run the engine threw on (it should not): recorded as failed rather than left running. */
function crashResult(runId: string, error: unknown, started: number): RunResult {
  return {
    run_id: runId,
    status: 'failed',
    error: { code: 'node_error', message: `the engine failed: ${error instanceof Error ? error.message : String(error)}` },
    usage: { model_calls: 0, prompt_tokens: 0, completion_tokens: 0 },
    latency_ms: Date.now() - started,
    model: 'unknown',
  };
}

/** Routes for test runs and run history. */
export function runRoutes(deps: AppDeps): Router {
  const { models, services } = deps;
  const store = appStore(deps);
  const router = Router();
  const streams = new RunEventStreams<RunEvent | RunResult>();
  const readsPii = deps.canReadPii ?? canReadPii;

  router.post('/scenarios/:id/test-run', allow('scenarios:test'), async (req: Request<{ id: string }>, res: Response) => {
    const scenario = await getScenario(store, req.params.id);
    if (!scenario) throw new HttpError(404, 'not_found', `no scenario with id "${req.params.id}"`);
    const view = piiView(readsPii(req));
    // Each response shows the run as its user may see it (a reconnect may come from another user).
    const render = (data: RunEvent | RunResult) => ('type' in data ? view.event(data) : view.runResult(data));
    if (wantsEventStream(req.headers.accept) && (await streams.resume(req, res, scenario.id, undefined, render))) return;
    const body = parseBody(TestRunBodySchema, req.body ?? {});
    const compiled = await compileGraphAsync(body.graph ?? scenario.graph, { templateLimits: services.templateLimits, modelAliases: knownModelAliases(deps.models) });
    if (!compiled.ok) {
      throw new HttpError(422, 'compile_failed', `the graph does not compile (${compiled.errors.length} problem${compiled.errors.length === 1 ? '' : 's'})`, {
        errors: compiled.errors,
      });
    }
    const plan = compiled.plan;
    const inputProblems = plan.validateInputs(body.inputs);
    if (inputProblems) {
      const first = inputProblems[0];
      throw new HttpError(400, 'invalid_inputs', first ? `invalid inputs at "${first.path || '(root)'}": ${first.message}` : 'invalid inputs', inputProblems);
    }

    const runId = newId();
    const started = Date.now();
    await startRun(store, { id: runId, scenarioId: scenario.id, kind: 'test', inputs: body.inputs });
    const abort = new AbortController();
    let done = false;
    // `res` closes when the client goes away (or after we end it); only the former should cancel the run.
    res.on('close', () => {
      if (!done) abort.abort();
    });
    const options = { models, services, runId, scenario: scenario.id, signal: abort.signal };
    const events: RunEvent[] = [];

    if (!wantsEventStream(req.headers.accept)) {
      let result: RunResult;
      try {
        result = await runPlan(plan, body.inputs, { ...options, onEvent: (e) => events.push(e) });
      } catch (error) {
        result = crashResult(runId, error, started);
      }
      done = true;
      await finishRun(store, runId, result, events);
      if (!res.writableEnded && !abort.signal.aborted) res.json(view.runResult(result));
      return;
    }

    const sse = await streams.open(req, res, runId, scenario.id, render);
    let result: RunResult;
    try {
      const stream = streamRun(plan, body.inputs, options);
      for await (const event of stream.events) {
        events.push(event);
        sse.push(event, event.type);
      }
      result = await stream.result;
    } catch (error) {
      result = crashResult(runId, error, started);
    }
    done = true;
    await finishRun(store, runId, result, events);
    sse.push(result, 'result');
    sse.end();
    await sse.closed;
  });

  router.get('/scenarios/:id/runs', allow('runs:read'), async (req, res) => {
    if (!(await getScenario(store, req.params.id))) throw new HttpError(404, 'not_found', `no scenario with id "${req.params.id}"`);
    res.json((await listTestRuns(store, req.params.id)).map(piiView(readsPii(req)).runSummary));
  });

  router.get('/runs/:id', allow('runs:read'), async (req, res) => {
    const run = await getRun(store, req.params.id);
    if (!run) throw new HttpError(404, 'not_found', `no run with id "${req.params.id}"`);
    res.json(piiView(readsPii(req)).runDetail(run));
  });

  return router;
}
