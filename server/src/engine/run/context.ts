import type { ModelCallTrace, NodeWarning } from '@shared/events.js';
import { emptyUsage, type Usage } from '@shared/usage.js';
import type { EngineServices, ExecContext, ModelCaller, Scope } from '../../nodes/kit.js';
import type { ChatResponse, ModelResolver } from '../../model/types.js';
import { callModel, type CallSite } from './model-call.js';

/**
 * One attempt of one node: where its model calls put usage, traces and warnings. A class, so the many
 * attempts of a busy server share their methods instead of each making closures.
 */
export class Attempt implements CallSite {
  readonly usage: Usage = emptyUsage();
  readonly warnings: NodeWarning[] = [];
  readonly finish = { reason: null as string | null };
  readonly deadline: number | undefined;

  constructor(
    readonly nodeId: string,
    readonly models: ModelResolver,
    readonly clientsUsed: Set<string>,
    readonly simulated: { any: boolean },
    readonly calls: ModelCallTrace[] | undefined,
    readonly priority: number | undefined,
    readonly timeoutMs: number | undefined,
    started: number,
    /** The attempt's own signal when it has a timeout; otherwise the run's, made when first asked for. */
    private readonly signalOf: () => AbortSignal,
  ) {
    this.deadline = timeoutMs === undefined ? undefined : started + timeoutMs;
  }

  get signal(): AbortSignal {
    return this.signalOf();
  }
}

/** What a node's step receives: the run's scope, and the model and warnings of this attempt. */
export class NodeContext implements ExecContext {
  constructor(
    readonly runId: string,
    readonly nodeId: string,
    readonly scope: Scope,
    readonly runInputs: unknown,
    readonly ranSources: string[],
    private readonly attempt: Attempt,
    readonly scenario: string | undefined,
    readonly services: EngineServices,
  ) {}

  get signal(): AbortSignal {
    return this.attempt.signal;
  }

  get priority(): number | undefined {
    return this.attempt.priority;
  }

  chat(request: Parameters<ModelCaller>[0]): Promise<ChatResponse> {
    return callModel(this.attempt, request);
  }

  supportsJsonSchema(alias: string): boolean {
    return this.attempt.models.resolve(alias).client.supportsJsonSchema;
  }

  warn(warning: NodeWarning): void {
    this.attempt.warnings.push(warning);
  }
}
