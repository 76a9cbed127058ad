import type { ModelCallTrace, NodeWarning } from '@shared/events.js';
import type { Usage } from '@shared/usage.js';
import type { ModelCaller } from '../../nodes/kit.js';
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

/**
 * The model call as every node kind makes it: the alias resolved, the node's timeout applied, usage and
 * the trace recorded, the reasoning separated from the answer (`text` is the answer; the reasoning is in
 * `reasoning` and the trace), and replies that cannot be used refused in one place, as retryable model
 * errors: `filtered` (finish_reason content_filter, or a refusal) and `empty_reply` (no answer at all,
 * unless the model stopped at max_tokens, which each kind handles its own way).
 */
export async function callModel(site: CallSite, request: Parameters<ModelCaller>[0]): Promise<ChatResponse> {
  const { client, model } = site.models.resolve(request.model);
  site.clientsUsed.add(client.name);
  const simulated = isSimulator(client);
  if (simulated) site.simulated.any = true;
  const started = performance.now();
  site.usage.model_calls++;
  const timeoutMs = site.deadline === undefined ? undefined : Math.max(1, Math.round(site.deadline - started));
  let response: ChatResponse;
  try {
    response = await client.chat({ ...request, model, signal: site.signal, timeoutMs, priority: request.priority ?? site.priority, nodeId: site.nodeId });
  } catch (error) {
    if (site.calls) site.calls.push({ ...trace(client.name, model, request, started, '', simulated), error: error instanceof Error ? error.message : String(error) });
    throw explain(error, site);
  }
  site.usage.prompt_tokens += response.promptTokens;
  site.usage.completion_tokens += response.completionTokens;
  if (response.usageEstimated) site.usage.tokens_estimated = true;
  site.finish.reason = response.finishReason ?? null;
  const { answer, reasoning } = splitReasoning(response.text, response.reasoning);
  if (site.calls) site.calls.push({ ...trace(client.name, model, request, started, response.text, simulated, response), ...(reasoning ? { reasoning } : {}) });
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
function trace(clientName: string, model: string, request: Parameters<ModelCaller>[0], started: number, raw: string, simulated: boolean, response?: ChatResponse): ModelCallTrace {
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
