/**
 * `POST /api/scenarios/:id/run-node`: runs one node of the draft alone, with its inputs taken from a test
 * run's trace (the outputs its upstream produced there, and that run's inputs). It changes nothing and
 * stores nothing: the test-run history keeps whole runs, so the next "run alone" still finds them.
 */
import { Router, type Request, type Response } from 'express';
import { nodeRole } from '@shared/nodes/index.js';
import type { RunEvent } from '@shared/events.js';
import { RunNodeBodySchema, type RunNodeResult } from '@shared/run-node.js';
import { newId } from '../common/ids.js';
import { compileGraphAsync, runNode } from '../engine/index.js';
import { getScenario } from '../storage/scenarios.js';
import { getRun, listTestRuns } from '../storage/runs.js';
import { traceOf } from './v1/trace.js';
import { allow } from './access.js';
import { appStore, type AppDeps } from './context.js';
import { HttpError, parseBody } from './errors.js';
import { canReadPii } from './pii-access.js';
import { piiView } from './pii.js';

/** What a run's events say each node produced (finished nodes only), and the run's inputs. */
export function upstreamOf(events: readonly RunEvent[]): { outputs: Record<string, unknown>; inputs: unknown } {
  const outputs: Record<string, unknown> = {};
  let inputs: unknown = null;
  for (const e of events) {
    if (e.type === 'run.started') inputs = e.inputs;
    else if (e.type === 'node.finished') outputs[e.node_id] = e.outputs;
  }
  return { outputs, inputs };
}

/** The route (mount on the `/api` router). */
export function runNodeRoutes(deps: AppDeps): Router {
  const { models, services } = deps;
  const store = appStore(deps);
  const router = Router();
  const readsPii = deps.canReadPii ?? canReadPii;

  router.post('/scenarios/:id/run-node', allow('scenarios:test'), async (req: Request<{ id: string }>, res: Response) => {
    const scenario = await getScenario(store, req.params.id);
    if (!scenario) throw new HttpError(404, 'not_found', `no scenario with id "${req.params.id}"`);
    const body = parseBody(RunNodeBodySchema, req.body ?? {});
    const compiled = await compileGraphAsync(body.graph ?? scenario.graph, { templateLimits: services.templateLimits });
    if (!compiled.ok) {
      throw new HttpError(422, 'compile_failed', `the graph does not compile (${compiled.errors.length} problem${compiled.errors.length === 1 ? '' : 's'})`, { errors: compiled.errors });
    }
    const plan = compiled.plan;
    const node = plan.nodes[plan.nodeIndex.get(body.node_id) ?? -1];
    if (!node) throw new HttpError(404, 'node_not_found', `no node "${body.node_id}" in the graph`, { node_id: body.node_id });
    if (node.id === plan.startId) throw new HttpError(400, 'entry_node', 'the start node has no upstream to take inputs from: test-run the scenario instead', { node_id: node.id });

    const sourceId = body.run_id ?? (await listTestRuns(store, scenario.id, 1))[0]?.id;
    const source = sourceId === undefined ? undefined : await getRun(store, sourceId);
    if (!source || source.scenario_id !== scenario.id || source.kind !== 'test') {
      if (body.run_id !== undefined) throw new HttpError(404, 'run_not_found', `no test run "${body.run_id}" of this scenario`, { run_id: body.run_id });
      throw new HttpError(409, 'no_last_run', 'this scenario has no test run yet: test-run it once, then run the node alone');
    }
    if (source.redacted_at) throw new HttpError(409, 'transcripts_redacted', `the inputs of run "${source.id}" were cleared by the transcript retention: test-run the scenario again`, { run_id: source.id });
    const upstream = upstreamOf(source.events);
    const missing = node.sources.filter((id) => !(id in upstream.outputs));
    // A join (merge: the first value of whichever branch ran) needs one of its inputs; any other node all of them.
    const enough = nodeRole(node.kind) === 'join' ? missing.length < node.sources.length : missing.length === 0;
    if (!enough) {
      throw new HttpError(409, 'upstream_not_run', `run "${source.id}" did not run this node's upstream (${missing.join(', ')})`, { run_id: source.id, missing });
    }

    const runId = newId();
    const events: RunEvent[] = [];
    const abort = new AbortController();
    let done = false;
    res.on('close', () => {
      if (!done) abort.abort();
    });
    const result = await runNode(plan, node.id, upstream.outputs, upstream.inputs, { models, services, runId, scenario: scenario.id, signal: abort.signal, onEvent: (e) => events.push(e) });
    done = true;
    if (res.writableEnded || abort.signal.aborted) return;
    const view = piiView(readsPii(req));
    const shown = events.filter((e) => e.type !== 'run.started' && e.type !== 'run.finished' && e.type !== 'run.failed').map(view.event);
    const reply: RunNodeResult = {
      run_id: runId,
      source_run_id: source.id,
      node_id: node.id,
      status: result.status,
      node: traceOf(shown).at(-1) ?? null,
      events: shown,
      ...(result.error ? { error: view.runResult(result).error } : {}),
      usage: result.usage,
      latency_ms: result.latency_ms,
      simulated: result.simulated ?? false,
    };
    res.json(reply);
  });

  return router;
}
