/**
 * `GET /v1/scenarios/:slug/openapi.json` (live, or `?version=N`) and `GET /v1/openapi.json` (every live
 * scenario). Public: they describe the contract, not data, so no API key is needed, and they never
 * carry stored values (no sample inputs: customers' data must not reach a page anyone can read). Mount this router
 * at `/v1` before the key-protected `/v1` routes.
 */
import { readFileSync } from 'node:fs';
import { Router, type Request } from 'express';
import type { AppDeps } from '../http/context.js';
import type { ApiConfig } from '../common/api-config.js';
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

/** The first value of a header a chain of proxies may have appended to (`https, http`). */
function firstForwarded(req: Request, name: string): string | undefined {
  const value = req.get(name)?.split(',')[0]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

/** A host with an optional port, as `Host` and `X-Forwarded-Host` carry it (`example.com:8443`, `[::1]:3000`). */
const HOST = /^(?:[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;

/**
 * The origin callers reach the server at, for the documents' `servers[0].url`, so "try it" in the docs
 * and generated clients call the same server: `MOFANG_PUBLIC_URL` when set; else the request's own
 * origin, with the scheme and host a proxy reports in `X-Forwarded-Proto` / `X-Forwarded-Host` (first
 * value of each; values that are not a scheme or a host are ignored).
 */
export function publicOrigin(req: Request, publicUrl?: string): string {
  if (publicUrl) return publicUrl;
  const proto = firstForwarded(req, 'x-forwarded-proto')?.toLowerCase();
  const host = firstForwarded(req, 'x-forwarded-host');
  const scheme = proto === 'http' || proto === 'https' ? proto : req.protocol;
  const own = req.get('host');
  const authority = host !== undefined && HOST.test(host) ? host : own !== undefined && HOST.test(own) ? own : '127.0.0.1';
  return `${scheme}://${authority}`;
}

/**
 * What a document needs from a resolved published scenario. The graph's sample inputs (`graph.inputs`,
 * what a designer last typed in the Run panel, often a real customer's call) are deliberately left out:
 * these documents are public, so their examples are made from the input schema alone (see
 * `./examples.ts`), never from stored data.
 */
export function documented(r: Pick<ResolvedScenario, 'slug' | 'version' | 'plan' | 'graph'>): DocumentedScenario {
  return {
    slug: r.slug,
    name: r.graph.name,
    description: r.graph.description,
    version: r.version,
    inputSchema: r.plan.inputSchema,
    outputSchema: r.plan.outputSchema,
  };
}

const MESSAGES = {
  unknown_scenario: (slug: string) => `no published scenario "${slug}"`,
  not_published: (slug: string) => `scenario "${slug}" has no live version`,
  unknown_version: (slug: string) => `scenario "${slug}" has no such version`,
};

/** The public OpenAPI routes (mounted at `/v1`); `config.publicUrl` fixes the documents' server URL. */
export function openapiRoutes(deps: AppDeps, config: Pick<ApiConfig, 'publicUrl'> = {}): Router {
  const router = Router();
  const version = appVersion();

  router.get('/openapi.json', async (req, res) => {
    const list = (await deps.published.listLive()).map(documented);
    res.json(aggregateDocument(list, { serverUrl: publicOrigin(req, config.publicUrl), version }));
  });

  router.get('/scenarios/:slug/openapi.json', async (req, res) => {
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
    const resolved = await deps.published.resolve(slug, pinned);
    if ('error' in resolved) {
      if (resolved.error === 'version_not_runnable') sendError(res, 409, resolved.error, resolved.message);
      else sendError(res, 404, resolved.error, MESSAGES[resolved.error](slug));
      return;
    }
    res.json(scenarioDocument(documented(resolved), { serverUrl: publicOrigin(req, config.publicUrl) }));
  });

  return router;
}
