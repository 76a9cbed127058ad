/**
 * Content-Security-Policies, as helmet directives. Every reply gets {@link API_CSP} from the front door
 * (a JSON body or a file is never a page to run anything in); the HTML pages replace it with theirs:
 * the app (`dist/client/index.html`) and the API docs (`/docs`). Names, descriptions and model output
 * are drawn as text everywhere; should markup ever slip through (a chart tooltip, a Markdown
 * renderer), these policies keep it from running: scripts come only from the server's own files, so
 * inline scripts, event-handler attributes and `javascript:` URLs are refused, and nothing is framed,
 * embedded or loaded from another host. No page may be framed (clickjacking): `frame-ancestors 'none'`.
 * Inline styles stay allowed: antd, echarts, Monaco and Swagger UI set them.
 */
import helmet from 'helmet';

/** A policy: directive name → its sources. */
export type CspDirectives = Readonly<Record<string, readonly string[]>>;

/** Directives both pages share. */
const PAGE: CspDirectives = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'style-src': ["'self'", "'unsafe-inline'"],
  'font-src': ["'self'", 'data:'],
  'connect-src': ["'self'"],
  'object-src': ["'none'"],
  'frame-src': ["'none'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
};

/** Anything that is not one of the pages below: loads nothing, runs nothing, is framed nowhere. */
export const API_CSP: CspDirectives = { 'default-src': ["'none'"], 'frame-ancestors': ["'none'"], 'base-uri': ["'none'"], 'form-action': ["'none'"] };

/** The app: Monaco's workers are the build's own files; downloads and images may be `blob:` or `data:`. */
export const APP_CSP: CspDirectives = { ...PAGE, 'img-src': ["'self'", 'data:', 'blob:'], 'worker-src': ["'self'", 'blob:'], 'base-uri': ["'self'"] };

/** The Swagger UI pages. */
export const DOCS_CSP: CspDirectives = { ...PAGE, 'img-src': ["'self'", 'data:'], 'base-uri': ["'none'"] };

/** Express middleware that sets `policy` as the reply's Content-Security-Policy (helmet's, defaults off). */
export function cspMiddleware(policy: CspDirectives) {
  return helmet.contentSecurityPolicy({ useDefaults: false, directives: policy });
}
