/**
 * Interactive API docs: `/docs` (every live scenario, from `/v1/openapi.json`) and `/docs/:slug` (one
 * scenario). Swagger UI is served from the installed `swagger-ui-dist` package; nothing loads from a
 * CDN, and the validator badge (which would call an outside service) is turned off.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Router, type Response } from 'express';
import { SLUG_PATTERN } from '@shared/publish.js';
import type { AppDeps } from './context.js';
import { cspMiddleware, DOCS_CSP } from './csp.js';

/** The files of swagger-ui-dist the page uses (source maps too, for the browser's devtools). */
const ASSETS = new Set(['swagger-ui.css', 'swagger-ui.css.map', 'swagger-ui-bundle.js', 'swagger-ui-bundle.js.map']);

function swaggerDir(): string | undefined {
  try {
    return path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  } catch {
    return undefined;
  }
}

const INIT_SCRIPT = `window.addEventListener('load', function () {
  var el = document.getElementById('swagger-ui');
  window.ui = SwaggerUIBundle({
    url: el.getAttribute('data-url'),
    dom_id: '#swagger-ui',
    validatorUrl: null,
    deepLinking: true,
    persistAuthorization: true,
    displayRequestDuration: true
  });
});
`;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The HTML page; `specUrl` is a same-origin path. Every asset it references is under `/docs/`. */
export function docsPage(title: string, specUrl: string): string {
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
<style>body{margin:0} .mofang-bar{font:14px system-ui,sans-serif;padding:10px 20px;background:#1f2937;color:#fff} .mofang-bar a{color:#93c5fd}</style>
</head>
<body>
<div class="mofang-bar">魔方 Mofang API · <a href="/docs">all scenarios</a> · <a href="${escapeHtml(specUrl)}">OpenAPI JSON</a></div>
<div id="swagger-ui" data-url="${escapeHtml(specUrl)}"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script>
</body>
</html>
`;
}

/** The docs routes (mounted at `/docs`, outside `/api` and `/v1`). */
export function docsRoutes(deps: AppDeps): Router {
  const router = Router();
  const dir = swaggerDir();
  router.use(cspMiddleware(DOCS_CSP));

  router.get('/init.js', (_req, res) => {
    res.type('application/javascript').set('Cache-Control', 'no-cache').send(INIT_SCRIPT);
  });

  router.get('/assets/:file', (req, res) => {
    const file = req.params.file;
    if (!dir || !ASSETS.has(file) || !existsSync(path.join(dir, file))) {
      res.status(404).type('text/plain').send('not found');
      return;
    }
    res.sendFile(path.join(dir, file), { maxAge: '1d' });
  });

  const html = (res: Response) => res.type('html');

  router.get('/', (_req, res) => {
    html(res).send(docsPage('Mofang API', '/v1/openapi.json'));
  });

  router.get('/:slug', async (req, res) => {
    const slug = req.params.slug;
    const resolved = SLUG_PATTERN.test(slug) ? await deps.published.resolve(slug) : { error: 'unknown_scenario' as const };
    if ('error' in resolved) {
      html(res.status(404)).send(`<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>Not found</title><p>No published scenario "${escapeHtml(slug)}". <a href="/docs">All scenarios</a></p>`);
      return;
    }
    html(res).send(docsPage(`${resolved.graph.name} · Mofang API`, `/v1/scenarios/${slug}/openapi.json`));
  });

  return router;
}
