/**
 * Content-Security-Policy of the HTML pages the server sends: the app (`dist/client/index.html`) and
 * the API docs (`/docs`). Names, descriptions and model output are drawn as text everywhere; should
 * markup ever slip through (a chart tooltip, a Markdown renderer), these policies keep it from running:
 * scripts come only from the server's own files, so inline scripts, event-handler attributes and
 * `javascript:` URLs are refused, and nothing is framed, embedded or loaded from another host.
 * Inline styles stay allowed: antd, echarts and Swagger UI set them.
 */

/** Directives both pages share. */
const COMMON = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "frame-src 'none'",
  "form-action 'self'",
  "frame-ancestors 'self'",
];

/** The app: Monaco's workers are the build's own files; downloads and images may be `blob:` or `data:`. */
export const APP_CSP = [...COMMON, "img-src 'self' data: blob:", "worker-src 'self' blob:", "base-uri 'self'"].join('; ');

/** The Swagger UI pages. */
export const DOCS_CSP = [...COMMON, "img-src 'self' data:", "base-uri 'none'"].join('; ');
