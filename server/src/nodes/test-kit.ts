import type { CompiledStep, CompiledTemplate, EngineServices, ExecContext, NodeCompileContext, Scope } from './kit.js';

/**
 * Test helper: a template with plain `{{ a.b.c }}` lookups (no filters or tags). In `value` mode a
 * template that is a single reference returns the value itself; objects print as JSON in text.
 */
export function fakeTemplate(source: string, mode: 'text' | 'value' = 'text'): CompiledTemplate {
  const pattern = /\{\{\s*([\w\u4e00-\u9fa5.]+)\s*\}\}/g;
  const paths = [...source.matchAll(pattern)].map((m) => m[1]);
  const lone = /^\s*\{\{\s*([\w\u4e00-\u9fa5.]+)\s*\}\}\s*$/.exec(source);
  const renderText = (scope: Scope): string =>
    source.replace(pattern, (_match, path: string) => {
      const value = lookup(scope, path);
      if (value === undefined || value === null) return '';
      return typeof value === 'object' ? JSON.stringify(value) : String(value);
    });
  return {
    source,
    render: (scope) => (mode === 'value' && lone ? lookup(scope, lone[1]) : renderText(scope)),
    renderText,
    reads: [...new Set(paths.map((p) => p.split('.')[0]))],
  };
}

function lookup(scope: Scope, path: string): unknown {
  let value: unknown = scope;
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = Object.entries(value).find(([k]) => k === key)?.[1];
  }
  return value;
}

/** Test helper: a compile context whose templates are built by {@link fakeTemplate}. */
export function fakeCompileContext(templates: Record<string, { source: string; mode?: 'text' | 'value' }>): NodeCompileContext {
  const compiled: Record<string, CompiledTemplate> = {};
  for (const [field, t] of Object.entries(templates)) compiled[field] = fakeTemplate(t.source, t.mode);
  return { nodeId: 'node_1', templates: compiled, outputSchema: {}, templateTypes: {}, sources: [] };
}

const missing = (): never => {
  throw new Error('service not provided to this test');
};

/** Services whose every call fails the test: for nodes that must not use any. */
function fullServices(services: Partial<EngineServices>): EngineServices {
  return { http: services.http ?? { request: missing }, sandbox: services.sandbox ?? { run: missing } };
}

/**
 * Test helper: a compiled step run with `services`, as the runtime runs it with a run's services: every
 * `run` gets them in its context, and a timeout that depends on them is worked out.
 */
export function withServices(step: CompiledStep, services: Partial<EngineServices>): CompiledStep & { timeoutMs?: number } {
  const full = fullServices(services);
  return {
    ...step,
    timeoutMs: typeof step.timeoutMs === 'function' ? step.timeoutMs(full) : step.timeoutMs,
    run: (ctx) => step.run({ ...ctx, services: full }),
  };
}

/** Test helper: an execution context over a scope; the model is not available. */
export function fakeExecContext(scope: Scope, signal: AbortSignal = new AbortController().signal): ExecContext {
  const context = {
    runId: 'run_1',
    nodeId: 'node_1',
    scope,
    runInputs: {},
    signal,
    chat: () => Promise.reject(new Error('no model in this test')),
    supportsJsonSchema: () => false,
    warn: () => undefined,
    ranSources: [],
    services: fullServices({}),
  };
  return context;
}
