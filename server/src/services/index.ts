import type { TemplateLimits } from '../common/template-limits.js';
import type { EngineServices } from '../nodes/kit.js';
import { createSafeHttp, type SafeHttpOptions } from './safe-http.js';
import { createSandbox, type ManagedSandbox, type SandboxOptions } from './sandbox.js';

export { createSafeHttp, httpAllowFromEnv, parseAllowList, refusedRange } from './safe-http.js';
export { createSandbox, SANDBOX_KILL_MARGIN_MS } from './sandbox.js';
export type { ManagedSandbox, SandboxOptions, SandboxRun } from './sandbox.js';

export interface EngineServicesOptions {
  /** Private addresses the http node may call (CIDRs, addresses, host names): see `httpAllowFromEnv`. */
  httpAllow?: string[];
  http?: Omit<SafeHttpOptions, 'allow'>;
  sandbox?: SandboxOptions;
  /** How far one template render may go (`MOFANG_TEMPLATE_*`); the defaults when absent. */
  templateLimits?: TemplateLimits;
}

/**
 * Creates the services nodes use at run time: the guarded HTTP requester and the QuickJS sandbox, and
 * the template limits compiled plans render within.
 * Nothing starts until first used; `close()` stops the sandbox workers and the HTTP connections.
 */
export function createEngineServices(opts: EngineServicesOptions = {}): EngineServices & { sandbox: ManagedSandbox; close(): Promise<void> } {
  const http = createSafeHttp({ ...opts.http, allow: opts.httpAllow ?? [] });
  const sandbox = createSandbox(opts.sandbox);
  return {
    http,
    sandbox,
    ...(opts.templateLimits ? { templateLimits: opts.templateLimits } : {}),
    async close() {
      await Promise.all([sandbox.close(), http.close()]);
    },
  };
}
