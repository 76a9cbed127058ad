/**
 * A live session's node cache: a model call whose node and rendered request (model, messages, response
 * format, sampling settings) are those of a call in the session's previous update is answered with that
 * call's reply, and nothing is sent. A node whose inputs did not change (a judge reading only another
 * node's unchanged output, a classifier's prompt that ignores new turns) thus costs nothing per update.
 * Identical requests of one node within one run (samples for self-consistency) are told apart by their
 * order, so each keeps its own reply. Only the previous update's entries are kept: memory stays one
 * update's replies per session.
 *
 * It also measures prompt-prefix reuse: of the prompt characters sent, the share that repeats the start of
 * the same node's previous prompt — what an endpoint's prefix cache (vLLM automatic prefix caching,
 * https://docs.vllm.ai/en/latest/design/prefix_caching.html; MindIE's) can serve without recomputing.
 */
import { createHash } from 'node:crypto';
import type { ChatRequest, ChatResponse, ModelClient, ModelResolver } from '../model/types.js';

/** Running figures of a session's model calls. */
export interface NodeCacheCounters {
  /** Calls sent to an endpoint. */
  sent: number;
  /** Calls answered from the cache. */
  reused: number;
  /** Prompt characters sent, and of those the ones repeating the start of the node's previous prompt. */
  promptChars: number;
  prefixChars: number;
}

/** The length of the common start of two strings, in UTF-16 code units. */
export function commonPrefixLength(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}

function promptText(request: ChatRequest): string {
  return request.messages.map((m) => `${m.role}\n${typeof m.content === 'string' ? m.content : JSON.stringify(m.content)}`).join('\n');
}

function requestKey(request: ChatRequest): string {
  const { model, messages, responseFormat, temperature, maxTokens } = request;
  return createHash('sha256').update(JSON.stringify([model, messages, responseFormat ?? null, temperature ?? null, maxTokens ?? null])).digest('base64url');
}

/** One session's cache; {@link NodeCache.forRun} gives the resolver one run uses. */
export class NodeCache {
  readonly counters: NodeCacheCounters = { sent: 0, reused: 0, promptChars: 0, prefixChars: 0 };
  /** Replies of the previous run by `<node>\u0000<request hash>\u0000<n>`. */
  private previous = new Map<string, ChatResponse>();
  /** The last prompt each node sent (by node and call order), for prefix reuse. */
  private readonly lastPrompt = new Map<string, string>();

  /**
   * A resolver for one run over `base`: each client it resolves answers from the previous run's replies
   * when it can. Call {@link RunCache.commit} when the run is over (whatever its outcome).
   */
  forRun(base: ModelResolver): RunCache {
    return new RunCache(this, base);
  }

  /** @internal */
  lookup(key: string): ChatResponse | undefined {
    return this.previous.get(key);
  }

  /** @internal Counts a sent prompt against the node's previous one. */
  sentPrompt(slot: string, prompt: string): void {
    const before = this.lastPrompt.get(slot);
    this.counters.sent++;
    this.counters.promptChars += prompt.length;
    if (before !== undefined) this.counters.prefixChars += commonPrefixLength(before, prompt);
    this.lastPrompt.set(slot, prompt);
  }

  /** @internal */
  replace(entries: Map<string, ChatResponse>): void {
    this.previous = entries;
  }
}

/** The cache as one run sees it. */
export class RunCache {
  /** Replies this run used or received: the next run's cache. */
  private readonly entries = new Map<string, ChatResponse>();
  /** How many identical requests each node made so far in this run, and how many calls in all. */
  private readonly seen = new Map<string, number>();
  private readonly calls = new Map<string, number>();
  private readonly clients = new Map<ModelClient, ModelClient>();
  readonly models: ModelResolver;
  /** Calls this run sent and reused. */
  sent = 0;
  reused = 0;

  constructor(
    private readonly cache: NodeCache,
    base: ModelResolver,
  ) {
    this.models = {
      resolve: (alias) => {
        const { client, model } = base.resolve(alias);
        let wrapped = this.clients.get(client);
        if (!wrapped) {
          wrapped = this.wrap(client);
          this.clients.set(client, wrapped);
        }
        return { client: wrapped, model };
      },
    };
  }

  /** Makes this run's replies the cache of the next run. */
  commit(): void {
    this.cache.replace(this.entries);
  }

  private wrap(inner: ModelClient): ModelClient {
    // Same name and JSON-schema support as the client it wraps: traces, `model` and `simulated` read as before.
    return {
      name: inner.name,
      supportsJsonSchema: inner.supportsJsonSchema,
      chat: (request) => this.chat(inner, request),
    };
  }

  private async chat(inner: ModelClient, request: ChatRequest): Promise<ChatResponse> {
    const node = request.nodeId ?? '';
    const hash = requestKey(request);
    const same = `${node}\u0000${hash}`;
    const n = this.seen.get(same) ?? 0;
    this.seen.set(same, n + 1);
    const key = `${same}\u0000${n}`;
    const callNo = this.calls.get(node) ?? 0;
    this.calls.set(node, callNo + 1);
    const hit = this.cache.lookup(key);
    if (hit) {
      this.entries.set(key, hit);
      this.reused++;
      this.cache.counters.reused++;
      return { ...hit, cached: true, promptTokens: 0, completionTokens: 0, usageEstimated: false };
    }
    this.sent++;
    this.cache.sentPrompt(`${node}\u0000${callNo}`, promptText(request));
    const response = await inner.chat(request);
    // Streaming callbacks are the caller's; the reply kept is the finished one.
    this.entries.set(key, { ...response, cached: undefined });
    return response;
  }
}
