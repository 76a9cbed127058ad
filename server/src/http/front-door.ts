/**
 * The front door: what every request passes before the `/v1` fast lane and Express, on Node's own
 * request and response, so that both answer with the same headers and refusals.
 *
 * 1. Security headers (helmet): a strict Content-Security-Policy that the HTML pages replace with
 *    theirs (csp.ts), `X-Frame-Options: DENY`, `X-Content-Type-Options: nosniff`,
 *    `Referrer-Policy: no-referrer`, no `X-Powered-By`, and helmet's other defaults; `/v1` (fast lane
 *    and Express alike) gets only the first four, which are what a JSON reply needs.
 * 2. The Host check against DNS rebinding (host-check.ts): 421 `host_not_allowed` / 400 `invalid_host`.
 * 3. CORS for `/v1` when `MOFANG_CORS_ORIGINS` lists origins (the `cors` package); a preflight from
 *    any other origin, or to any other path, is refused with 403 `cors_origin_not_allowed`.
 * 4. Cross-site changes to `/api` refused (cross-site.ts): 403 `cross_site_request`.
 * 5. A request target holding U+0000 (`%00`, in the path or the query) refused with 400 `nul_character`
 *    naming where (`query.<name>` or `url`): path parameters and query values (names, slugs, webhooks,
 *    mappings) are stored or looked up, and PostgreSQL takes no U+0000 (the NUL rule, shared/src/nul.ts).
 *    Node itself refuses a raw NUL byte in the target or in a header.
 * 6. `Cache-Control: no-store` on every `/api` reply (JSON, CSV, JSONL, refusals): the auth state with
 *    its CSRF token, users, runs and dashboards with customers' data must not stay in a shared PC's
 *    browser cache after sign-out. The static client's hashed files keep their own caching.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import cors from 'cors';
import helmet from 'helmet';
import type { WebConfig } from '../common/web-config.js';
import { API_CSP } from './csp.js';
import { crossSiteCheck, isUnder } from './cross-site.js';
import { hostChecker } from './host-check.js';
import { sendJson } from './v1/respond.js';
import { nulInTarget } from './nul-target.js';

/** What the front door is built from: the listen address and the settings. */
export interface FrontDoorOptions {
  /** `HOST`, the address the server listens on. */
  listenHost: string;
  web: WebConfig;
  /** `MOFANG_PUBLIC_URL`, a name of this server too. */
  publicUrl?: string;
}

/** Request headers a page on a listed origin may send to `/v1` (its key, bodies, jobs, event streams). */
const CORS_REQUEST_HEADERS = ['Authorization', 'Content-Type', 'Content-Encoding', 'Accept', 'Idempotency-Key', 'Last-Event-ID'];
/** Response headers such a page may read besides the CORS-safelisted ones. */
const CORS_EXPOSED_HEADERS = ['X-Run-Id', 'Retry-After', 'WWW-Authenticate', 'Location'];

function isV1(url: string): boolean {
  return isUnder(url, '/v1');
}

function isApi(url: string): boolean {
  return url === '/api' || url.startsWith('/api/') || url.startsWith('/api?');
}

function refuse(req: IncomingMessage, res: ServerResponse, status: number, error: { code: string; message: string; details: object }): true {
  // The body, if any, is not wanted; reading it to the end keeps the connection usable.
  req.resume();
  sendJson(res, status, { error: { code: error.code, message: error.message, details: error.details } });
  return true;
}

/**
 * Builds the front door. Call it with every request first: it returns true when it has answered the
 * request (a refusal or a CORS preflight), false when the request goes on, with its headers set.
 */
export function frontDoor(options: FrontDoorOptions): (req: IncomingMessage, res: ServerResponse) => boolean {
  const headers = helmet({
    contentSecurityPolicy: { useDefaults: false, directives: API_CSP },
    xFrameOptions: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
  });
  // /v1 answers programs with JSON and event streams, never pages: the headers that matter for a reply a
  // browser might still open (no sniffing, no framing, no referrer, a policy that runs nothing), and
  // not the rest of helmet's dozen, on the path whose whole budget is a fraction of a millisecond.
  const v1Headers = helmet({
    contentSecurityPolicy: { useDefaults: false, directives: API_CSP },
    xFrameOptions: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    crossOriginOpenerPolicy: false,
    crossOriginResourcePolicy: false,
    originAgentCluster: false,
    strictTransportSecurity: false,
    xDnsPrefetchControl: false,
    xDownloadOptions: false,
    xPermittedCrossDomainPolicies: false,
    xXssProtection: false,
  });
  const checkHost = hostChecker({ listenHost: options.listenHost, allowedHosts: options.web.allowedHosts, publicUrl: options.publicUrl });
  const checkCrossSite = crossSiteCheck(options.publicUrl);
  const origins = new Set(options.web.corsOrigins);
  const corsHeaders = cors({ origin: [...origins], methods: ['GET', 'HEAD', 'POST'], allowedHeaders: CORS_REQUEST_HEADERS, exposedHeaders: CORS_EXPOSED_HEADERS, maxAge: 600 });

  return (req, res) => {
    const url = req.url ?? '';
    // Only origin-form targets (`/path?query`): an absolute-form one (`GET http://other.example/api/…`),
    // meant for proxies, would name a host the Host check never sees and a path the checks below miss.
    if (!url.startsWith('/')) {
      headers(req, res, () => {});
      return refuse(req, res, 400, { code: 'invalid_request_target', message: `this server takes request targets that start with "/" (got "${url.slice(0, 100)}"): it is not a proxy`, details: { target: url.slice(0, 100) } });
    }
    // helmet's and cors's middleware set headers and call next at once (no I/O).
    (isV1(url) ? v1Headers : headers)(req, res, () => {});
    if (isApi(url)) res.setHeader('Cache-Control', 'no-store');
    const badHost = checkHost(req.headers.host);
    if (badHost) return refuse(req, res, badHost.status, badHost);

    const origin = req.headers.origin;
    const preflight = req.method === 'OPTIONS' && origin !== undefined && req.headers['access-control-request-method'] !== undefined;
    if (preflight && !(isV1(url) && origins.has(origin))) {
      const setting = origins.size === 0 ? 'CORS is off: set MOFANG_CORS_ORIGINS to the origins whose pages may call /v1' : 'the origin is not in MOFANG_CORS_ORIGINS';
      const where = isV1(url) ? setting : 'only /v1 can be called from pages of other origins';
      return refuse(req, res, 403, { code: 'cors_origin_not_allowed', message: `refused a cross-origin request from ${origin}: ${where}`, details: { origin, setting: 'MOFANG_CORS_ORIGINS' } });
    }
    if (origins.size > 0 && isV1(url)) {
      let next = false;
      corsHeaders(req, res, () => {
        next = true;
      });
      if (!next) return true; // a preflight cors has answered (204)
    }

    const crossSite = checkCrossSite(req);
    if (crossSite) return refuse(req, res, crossSite.status, crossSite);
    const nul = nulInTarget(url);
    if (nul) return refuse(req, res, 400, nul);
    return false;
  };
}
