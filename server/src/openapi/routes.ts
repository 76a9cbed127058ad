/**
 * `GET /v1/scenarios/:slug/openapi.json` (live, or `?version=N`) and `GET /v1/openapi.json` (every live
 * scenario). Public: they describe the contract, not data, so no API key is needed. Mount this router
 * at `/v1` before the key-protected `/v1` routes.
 */
import { readFileSync } from 'node:fs';
import { Router, type Request } from 'express';
import type { AppDeps } from '../http/context.js';
import { sendError } from '../http/errors.js';
import type { ResolvedScenario } from '../publish/registry.js';
import { aggregateDocument, scenarioDocument, type DocumentedScenario } from './document.js';

function appVersion(): string {
  try {
    const pkg: unknown = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8'));
    return typeof pkg === 'object' && pkg !== null && 'version' in pkg && typeof pkg.version === 'string' ? pkg.version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** The origin the client used, so "try it" in the docs calls the same server. */
export function requestOrigin(req: Request): string {
  return `${req.protocol}://${req.get('host') ?? '127.0.0.1'}`;
}

/** What a document needs from a resolved published scenario. */
export function documented(r: Pick<ResolvedScenario, 'slug' | 'version' | 'plan' | 'graph'>): DocumentedScenario {
  return {
    slug: r.slug,
    name: r.graph.name,
    description: r.graph.description,
    version: r.version,
    inputSchema: r.plan.inputSchema,
    outputSchema: r.plan.outputSchema,
    sampleInputs: r.graph.inputs,
  };
}

const MESSAGES = {
  unknown_scenario: (slug: string) => `no published scenario "${slug}"`,
  not_published: (slug: string) => `scenario "${slug}" has no live version`,
  unknown_version: (slug: string) => `scenario "${slug}" has no such version`,
};

/** The public OpenAPI routes (mounted at `/v1`). */
export function openapiRoutes(deps: AppDeps): Router {
  const router = Router();
  const version = appVersion();

  router.get('/openapi.json', (req, res) => {
    const list = deps.published.listLive().map(documented);
    res.json(aggregateDocument(list, { serverUrl: requestOrigin(req), version }));
  });

  router.get('/scenarios/:slug/openapi.json', (req, res) => {
    const raw = req.query.version;
    let pinned: number | undefined;
    if (raw !== undefined) {
      if (typeof raw !== 'string' || !/^[1-9][0-9]{0,8}$/.test(raw)) {
        sendError(res, 400, 'invalid_version', 'version must be a positive whole number, e.g. ?version=3');
        return;
      }
      pinned = Number(raw);
    }
    const slug = req.params.slug;
    const resolved = deps.published.resolve(slug, pinned);
    if ('error' in resolved) {
      if (resolved.error === 'version_not_runnable') sendError(res, 409, resolved.error, resolved.message);
      else sendError(res, 404, resolved.error, MESSAGES[resolved.error](slug));
      return;
    }
    res.json(scenarioDocument(documented(resolved), { serverUrl: requestOrigin(req) }));
  });

  return router;
}
