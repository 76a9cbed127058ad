import type { JsonSchema } from '@shared/json-schema.js';
import type { ModelCallTrace, NodeWarning } from '@shared/events.js';
import type { Usage } from '@shared/usage.js';
import type { NodeErrorCode } from '@shared/run-errors.js';
import type { SandboxLoad } from '@shared/api.js';
import type { ChatRequest, ChatResponse } from '../model/types.js';
import type { TemplateLimits } from '../common/template-limits.js';

/** A node's outputs keyed by node id: what `{{ node_id.… }}` references read. */
export type Scope = Record<string, unknown>;

/** A template parsed once at compile time. */
export interface CompiledTemplate {
  readonly source: string;
  /** Text mode renders to a string; value mode returns a lone reference's value as it is. */
  render(scope: Scope): unknown;
  /** Renders to text whatever the mode. */
  renderText(scope: Scope): string;
  /** The node ids this template reads. */
  readonly reads: string[];
}

/** What a node kind's compile step receives. */
export interface NodeCompileContext {
  nodeId: string;
  /** The node's templates, compiled, keyed by their config field path (`user`, `outputs.0.value`). */
  templates: Record<string, CompiledTemplate>;
  /** The JSON Schema of the node's outputs. */
  outputSchema: JsonSchema;
  /** JSON Schemas of values the node's templates yield, by field path. */
  templateTypes: Record<string, JsonSchema>;
  /** The ids of the node's upstream nodes that feed it directly, in edge order. */
  sources: string[];
}

/**
 * The model call as a node sees it: alias resolution, the node's timeout, tracing and usage are handled
 * for it; `text` is the answer with any reasoning removed (the reasoning is in `reasoning`), and a
 * filtered or empty reply has already become a retryable ModelError (`filtered`, `empty_reply`). With a
 * `fallbackModel`, a call whose endpoint fails (connection, 5xx, timeout, rate limit) is made again on
 * that alias, and the trace says so.
 */
export type ModelCaller = (request: Omit<ChatRequest, 'model' | 'signal'> & { model: string; fallbackModel?: string }) => Promise<ChatResponse>;

/** What a node's step receives when it runs. */
export interface ExecContext {
  runId: string;
  nodeId: string;
  /** The scenario the run belongs to as its caller named it (id or slug); absent for a bare graph. */
  scenario?: string;
  /** 0 (or absent) for live calls, higher for batch jobs: live work goes first where both wait. */
  priority?: number;
  scope: Scope;
  /** The run's inputs as the caller sent them (the start node normalises them). */
  runInputs: unknown;
  signal: AbortSignal;
  /** Calls the model named by alias, recording the call in the node's trace and usage. */
  chat: ModelCaller;
  /** Whether the model behind an alias honours `response_format: json_schema`. */
  supportsJsonSchema(alias: string): boolean;
  /** Records something a reviewer should know though the node succeeded (shown in the trace and on the canvas). */
  warn(warning: NodeWarning): void;
  /** The ids of upstream nodes that fed this node and ran (not skipped), in edge order. */
  ranSources: string[];
  /** The services of whoever runs the plan (outbound HTTP, the code sandbox): a plan is compiled without them. */
  services: EngineServices;
}

export interface NodeResult {
  outputs: unknown;
  /** The output ports taken; omitted means every output port. */
  branch?: string[];
  /** What the node worked from, shown in the trace (rendered prompts, resolved values). */
  inputs?: unknown;
}

/** A node ready to run: made once per compile, run once per execution. */
export interface CompiledStep {
  run(ctx: ExecContext): Promise<NodeResult> | NodeResult;
  /**
   * Attempt timeout in ms, and retries; the runtime applies them. A function when the timeout depends on
   * the services the run gets (the code node waits for a sandbox worker first); it is called per attempt.
   */
  timeoutMs?: number | ((services: EngineServices) => number);
  retries?: number;
}

/** The server side of a node kind. */
export interface ServerNode<C> {
  compile(config: C, ctx: NodeCompileContext): CompiledStep;
}

/** Outbound HTTP with the private-address guard; injected so tests can point it at loopback. */
export interface HttpRequester {
  request(req: { method: string; url: string; headers: Record<string, string>; body?: string; timeoutMs: number; signal: AbortSignal }): Promise<{
    status: number;
    headers: Record<string, string>;
    body: string;
  }>;
}

/**
 * Runs user JavaScript in a sandbox with limits. `timeoutMs` counts from when a worker takes the job;
 * waiting for a worker has its own limit, `queueTimeoutMs`. Jobs of one `scenario` share that scenario's
 * turn and share of the workers, so a busy scenario delays its own jobs rather than everyone's; within a
 * scenario, jobs of a lower `priority` (live calls, 0) go before those of a higher one (batch jobs).
 */
export interface CodeSandbox {
  run(code: string, inputs: Record<string, unknown>, limits: { timeoutMs: number; memoryMb: number; signal?: AbortSignal; scenario?: string; priority?: number }): Promise<unknown>;
  /** The longest a job may wait for a worker, in ms (absent: it never waits). */
  readonly queueTimeoutMs?: number;
  /** The worker pool as it stands, for `/api/health`. */
  stats?(): SandboxLoad;
}

/**
 * What nodes may call at run time, given to each run (`RunOptions.services`) and reaching nodes through
 * {@link ExecContext.services}. `templateLimits` travels with them for the server's convenience; the
 * compiler takes it as its own option, never the services.
 */
export interface EngineServices {
  http: HttpRequester;
  sandbox: CodeSandbox;
  /** How far one template render may go; the defaults when absent. */
  templateLimits?: TemplateLimits;
}

/** A failure inside a node, with a stable code and whether trying again may help. */
/**
 * Whether an error of an outbound request (`HttpRequester`) may go away on a retry: any error but a
 * {@link NodeError} marked not retryable (an address outside `MOFANG_HTTP_ALLOW`, a URL that is not http(s),
 * a body too large).
 */
export function isRetryableRequestError(error: unknown): boolean {
  return !(error instanceof NodeError) || error.retryable;
}

export class NodeError extends Error {
  /** Stable, one of `NODE_ERROR_CODES` (`@shared/run-errors`): the client renders it as `runError.node.<code>`. */
  readonly code: NodeErrorCode;
  readonly retryable: boolean;
  readonly details?: unknown;
  readonly retryAfterMs?: number;
  constructor(code: NodeErrorCode, message: string, opts: { retryable?: boolean; details?: unknown; cause?: unknown; retryAfterMs?: number } = {}) {
    super(message, { cause: opts.cause });
    this.name = 'NodeError';
    this.code = code;
    this.retryable = opts.retryable ?? false;
    this.details = opts.details;
    this.retryAfterMs = opts.retryAfterMs;
  }
}

export type { ModelCallTrace, NodeWarning, Usage };
