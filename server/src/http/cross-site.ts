/**
 * Refuses changes to `/api` that a page of another site makes the browser send. A form or `fetch` on
 * `attacker.example` can POST to Mofang without a body or a custom header (no CORS preflight), and the
 * browser would attach whatever credentials it holds for Mofang: revoking a key took one such POST.
 * Browsers name the page that made a request in `Origin` (every POST, PUT, PATCH and DELETE) and, in
 * newer ones, `Sec-Fetch-Site`; a request from a page of another origin is refused with 403
 * `cross_site_request`. Requests without either header (curl, the CLI, server-to-server) are not from a
 * browser page and pass. This holds beside the session's CSRF token, whatever authenticates the call.
 */
import type { IncomingMessage } from 'node:http';

/** The JSON error to send for a refused request. */
export interface CrossSiteRefusal {
  status: 403;
  code: 'cross_site_request';
  message: string;
  details: { origin: string | null; sec_fetch_site: string | null };
}

/** What the check reads of a request. */
export type RequestHead = Pick<IncomingMessage, 'method' | 'url' | 'headers'>;

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function first(value: string | string[] | undefined): string | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  return text?.split(',')[0]?.trim().toLowerCase() || undefined;
}

/** `host[:port]` with the scheme's default port written out, so `a.example` and `a.example:80` compare equal. */
function withPort(host: string, scheme: 'http:' | 'https:'): string {
  return /:\d+$/.test(host) && !host.endsWith(']') ? host : `${host}:${scheme === 'https:' ? 443 : 80}`;
}

/**
 * Whether a request target is `prefix` or under it (`/api`, `/api/…`, `/api?…`), in any letter case:
 * Express routes `/API/keys` to `/api/keys`, so every check on a path prefix must match it too.
 */
export function isUnder(url: string, prefix: string): boolean {
  const head = url.slice(0, prefix.length + 1).toLowerCase();
  return head === prefix || head === `${prefix}/` || head === `${prefix}?`;
}

/**
 * Builds the check for `/api` requests. `publicUrl` (MOFANG_PUBLIC_URL) names the origin the app is
 * reached at when a proxy in front rewrites Host; a proxy's `X-Forwarded-Host` counts as well (a page
 * cannot make a browser send that header without a CORS preflight, which is refused).
 */
export function crossSiteCheck(publicUrl?: string): (req: RequestHead) => CrossSiteRefusal | undefined {
  const publicHost = publicUrl ? new URL(publicUrl).host.toLowerCase() : undefined;
  return (req) => {
    if (SAFE_METHODS.has(req.method ?? 'GET') || !isUnder(req.url ?? '', '/api')) return undefined;
    const origin = req.headers.origin;
    const site = first(req.headers['sec-fetch-site']);
    if (origin === undefined) return site === 'cross-site' ? refusal(null, site, req) : undefined;
    let url: URL | undefined;
    try {
      url = origin === 'null' ? undefined : new URL(origin);
    } catch {
      url = undefined;
    }
    if (url && (url.protocol === 'http:' || url.protocol === 'https:')) {
      const scheme = url.protocol;
      const from = withPort(url.host.toLowerCase(), scheme);
      const own = [first(req.headers.host), first(req.headers['x-forwarded-host']), publicHost];
      if (own.some((host) => host !== undefined && withPort(host, scheme) === from)) return undefined;
    }
    return refusal(origin, site ?? null, req);
  };
}

function refusal(origin: string | null, site: string | null, req: RequestHead): CrossSiteRefusal {
  const from = origin && origin !== 'null' ? `a page at ${origin}` : site === 'cross-site' ? 'a page of another site' : 'a page with no origin (a sandboxed frame or a file)';
  return {
    status: 403,
    code: 'cross_site_request',
    message: `refused ${req.method} ${(req.url ?? '').split('?')[0]}: it came from ${from}; the admin API takes changes only from Mofang's own pages (or from programs that are not browsers)`,
    details: { origin: origin ?? null, sec_fetch_site: site },
  };
}
