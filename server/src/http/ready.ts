/**
 * `GET /api/ready`, for load balancers and orchestrators: may this server take new work now? 200
 * `{ ready: true }` when it is not draining, its database answers and its schema is current; else 503
 * `{ error: { code, message } }` (the shape of every API error) with `code` one of `draining`, `database_unavailable`,
 * `migrations_pending`. `GET /api/health` is the other question — is the process alive — and stays 200
 * while the server drains, so an orchestrator does not kill a process that is finishing its work.
 */
import type { Request, Response } from 'express';
import pTimeout from 'p-timeout';
import type { ReadinessCheck } from '../storage/readiness.js';
import type { Drain } from './drain.js';
import { sendError } from './errors.js';

/** How long the database may take to answer a probe before the server counts as not ready, ms. */
export const READY_CHECK_TIMEOUT_MS = 2_000;

const DRAINING = 'the server is shutting down: send new requests to another server';

/** The handler of `GET /api/ready` over a drain state and the store's check. */
export function readyHandler(drain: Pick<Drain, 'draining'>, check: ReadinessCheck, timeoutMs = READY_CHECK_TIMEOUT_MS): (req: Request, res: Response) => Promise<void> {
  return async (_req, res) => {
    if (drain.draining) return notReady(res, 'draining', DRAINING);
    const problem = await pTimeout(check(), { milliseconds: Math.max(1, timeoutMs), fallback: () => 'late' as const });
    // A drain may have begun while the database was asked.
    if (drain.draining) return notReady(res, 'draining', DRAINING);
    if (problem === 'late') return notReady(res, 'database_unavailable', `the database did not answer within ${timeoutMs} ms`);
    if (problem) return notReady(res, problem.code, problem.message);
    res.json({ ready: true });
  };
}

function notReady(res: Response, code: 'draining' | 'database_unavailable' | 'migrations_pending', message: string): void {
  if (code === 'draining') res.set('Connection', 'close');
  sendError(res, 503, code, message);
}
