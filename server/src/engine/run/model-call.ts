import type { ModelCallTrace, NodeWarning } from '@shared/events.js';
import type { Usage } from '@shared/usage.js';
import type { ModelCaller } from '../../nodes/kit.js';
import { schemaInPrompt } from '../../nodes/structured-prompts.js';
import { splitReasoning } from '../../model/reply/reasoning.js';
import { ModelError, type ChatResponse, type ModelClient, type ModelResolver } from '../../model/types.js';
import { SIMULATOR_CLIENT } from '@shared/simulated.js';
import { innerClient } from '../../model/limiter/limited-client.js';

/** What one node attempt's model calls share: where usage, traces and warnings go. */
export interface CallSite {
  nodeId: string;
  models: ModelResolver;
  signal: AbortSignal;
  /** Run-wide default priority (0 live, higher batch). */
  priority?: number;
  /** The node's own timeoutMs, when it sets one; the endpoint's default applies otherwise. */
  timeoutMs?: number;
  /** performance.now() by which the attempt must be over (start + timeoutMs). */
  deadline?: number;
  usage: Usage;
  /** Present when the run is traced. */
  calls?: ModelCallTrace[];
  warnings: NodeWarning[];
  /** The clients used, for the run result's `model`. */
  clientsUsed: Set<string>;
  /** Set when the built-in simulator answered one of the calls (the run result's `simulated`). */
  simulated: { any: boolean };
  /** The last call's finish_reason, for node.finished. */
  finish: { reason: string | null };
}

type CallRequest = Parameters<ModelCaller>[0];

/**
 * Failures of the endpoint rather than of the answer: it could not be reached, answered 5xx, took too
 * long or kept refusing for load. A node's fallback alias is tried for these only; a reply that is there
 * but unusable (empty, filtered, bad JSON) is the model's, and goes to the node's retries.
 */
const ENDPOINT_FAILURES = new Set(['network', 'server_error', 'timeout', 'rate_limited']);

/** Whether `error` is an endpoint failure that a fallback alias may get around. */
export function isEndpointFailure(error: unknown): error is ModelError {
  return error instanceof ModelError && ENDPOINT_FAILURES.has(error.code);
}

/**
 * The model call as every node kind makes it: the alias resolved, the node's timeout applied, usage and
 * the trace recorded, the reasoning separated from the answer (`text` is the answer; the reasoning is in
 * `reasoning` and the trace), and replies that cannot be used refused in one place, as retryable model
 * errors: `filtered` (finish_reason content_filter, or a refusal) and `empty_reply` (no answer at all,
 * unless the model stopped at max_tokens, which each kind handles its own way). When the request names a
 * `fallbackModel` and the primary alias's endpoint fails ({@link isEndpointFailure}), the call is made
 * once more on the fallback alias; its trace entry carries `fallback_from` and the node gets a
 * `model_fallback` warning.
 */
export async function callModel(site: CallSite, request: CallRequest): Promise<ChatResponse> {
  const fallback = request.fallbackModel;
  if (!fallback || fallback === request.model) return callAlias(site, request, request.model);
  try {
    return await callAlias(site, request, request.model);
  } catch (error) {
    if (!isEndpointFailure(error) || site.signal.aborted) throw error;
    const from = { alias: request.model, endpoint: site.models.resolve(request.model).client.name, code: error.code, error: error.message };
    const target = site.models.resolve(fallback).client;
    site.warnings.push({
      code: 'model_fallback',
      message: `the endpoint of "${from.alias}" (${from.endpoint}) failed with ${from.code}; "${fallback}" (${target.name}) answered instead`,
      details: { alias: from.alias, endpoint: from.endpoint, code: from.code, fallback, fallback_endpoint: target.name },
    });
    return callAlias(site, forClient(request, target), fallback, from);
  }
}

/** The request for a fallback client: a JSON Schema it cannot honour in `response_format` goes into the prompt. */
function forClient(request: CallRequest, client: ModelClient): CallRequest {
  const format = request.responseFormat;
  if (client.supportsJsonSchema || format?.type !== 'json_schema') return request;
  return { ...request, responseFormat: undefined, messages: schemaInPrompt(request.messages, format.json_schema.schema) };
}

async function callAlias(site: CallSite, request: CallRequest, alias: string, fallbackFrom?: ModelCallTrace['fallback_from']): Promise<ChatResponse> {
  const { client, model } = site.models.resolve(alias);
  site.clientsUsed.add(client.name);
  const simulated = isSimulator(client);
  if (simulated) site.simulated.any = true;
  const started = performance.now();
  const timeoutMs = site.deadline === undefined ? undefined : Math.max(1, Math.round(site.deadline - started));
  const where = { alias, endpoint: client.name, ...(fallbackFrom ? { fallback_from: fallbackFrom } : {}) };
  let response: ChatResponse;
  try {
    const { fallbackModel: _fallback, ...sent } = request;
    response = await client.chat({ ...sent, model, signal: site.signal, timeoutMs, priority: request.priority ?? site.priority, nodeId: site.nodeId });
  } catch (error) {
    site.usage.model_calls++;
    if (site.calls) site.calls.push({ ...trace(client.name, model, request, started, '', simulated), ...where, error: error instanceof Error ? error.message : String(error) });
    throw explain(error, site);
  }
  // An answer a live session's node cache reused was not sent: it is neither a call nor tokens spent.
  if (!response.cached) site.usage.model_calls++;
  site.usage.prompt_tokens += response.promptTokens;
  site.usage.completion_tokens += response.completionTokens;
  if (response.usageEstimated) site.usage.tokens_estimated = true;
  site.finish.reason = response.finishReason ?? null;
  const { answer, reasoning } = splitReasoning(response.text, response.reasoning);
  if (site.calls) site.calls.push({ ...trace(client.name, model, request, started, response.text, simulated, response), ...where, ...(reasoning ? { reasoning } : {}) });
  if (response.finishReason === 'content_filter') {
    throw new ModelError('filtered', `${client.name}: the endpoint's content filter stopped the reply${answer ? ` (${answer.slice(0, 200)})` : ''}`);
  }
  if (!answer.trim() && response.finishReason !== 'length') {
    const why = reasoning ? 'only reasoning, no answer' : response.text.trim() ? 'only whitespace' : 'no content';
    throw new ModelError('empty_reply', `${client.name}: the reply had ${why} (finish_reason ${response.finishReason ?? 'not given'})`);
  }
  if (answer === response.text && !reasoning) return response;
  return { ...response, text: answer, ...(reasoning ? { reasoning } : {}) };
}

/** What a traced run keeps of one call: what was sent, what came back, how long it took. */
function trace(clientName: string, model: string, request: CallRequest, started: number, raw: string, simulated: boolean, response?: ChatResponse): ModelCallTrace {
  return {
    model: clientName === 'simulator' ? `simulator:${model}` : model,
    messages: request.messages.map((m) => ({ role: m.role, content: m.content })),
    response_format: request.responseFormat?.type,
    raw,
    latency_ms: Math.round((performance.now() - started) * 1000) / 1000,
    prompt_tokens: response?.promptTokens ?? 0,
    completion_tokens: response?.completionTokens ?? 0,
    ...(response?.usageEstimated ? { usage_estimated: true } : {}),
    ...(response?.finishReason ? { finish_reason: response.finishReason } : {}),
    ...(simulated ? { simulated: true } : {}),
    ...(response?.cached ? { cached: true } : {}),
  };
}

/**
 * Whether the built-in simulator answers through `client` (under any limiter around it): known from the
 * client that made the call, never guessed from the configuration afterwards. By its name, which only the
 * SimulatorClient takes (`SIMULATOR_CLIENT`), so the engine and the compiler need not load the simulator.
 */
export function isSimulator(client: ModelClient): boolean {
  return innerClient(client).name === SIMULATOR_CLIENT;
}

/** A model call's failure, with a timeout saying which setting it was and how to give it more. */
function explain(error: unknown, site: CallSite): unknown {
  if (site.signal.aborted && !(error instanceof ModelError && error.code !== 'aborted')) {
    return new ModelError('aborted', 'the model call was aborted', { cause: error });
  }
  if (!(error instanceof ModelError) || error.code !== 'timeout') return error;
  const setting =
    site.timeoutMs !== undefined
      ? `the node's timeoutMs of ${site.timeoutMs} ms; raise it in the node's settings`
      : "the endpoint's default timeout (MOFANG_MODEL_TIMEOUT_MS, or the endpoint's timeoutMs); set timeoutMs on the node to allow more";
  return new ModelError('timeout', `${error.message}: ${setting}`, { cause: error });
}
