/**
 * Serves the built client with an SPA fallback, or, when it has not been built, a page saying how.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { Router } from 'express';
import { APP_CSP, cspMiddleware } from './csp.js';

/** The default client build folder: `<repo>/dist/client`, resolved from this file. */
export const DEFAULT_STATIC_DIR = fileURLToPath(new URL('../../../dist/client', import.meta.url));

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>Mofang: client not built</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto; line-height: 1.5">
<h1>Mofang (魔方)</h1>
<p>The server is running, but the web client has not been built yet.</p>
<p>Run <code>npm run build</code> (or simply <code>npm start</code>, which builds it) and reload this page.</p>
<p>The API is available under <a href="/api/health"><code>/api</code></a>.</p>
</body></html>`;

/** Static files and the SPA fallback for every non-`/api` GET. */
export function staticRoutes(staticDir: string): Router {
  const router = Router();
  const index = path.join(staticDir, 'index.html');
  // The app's policy on the page and on its files alike (it matters only on the page).
  router.use(cspMiddleware(APP_CSP));
  if (existsSync(index)) {
    router.use(express.static(staticDir, { index: false, maxAge: '1h', setHeaders: (res, file) => {
      // Hashed assets may be cached for long; index.html must not be, or a rebuild is not picked up.
      if (file.endsWith('.html')) res.setHeader('Cache-Control', 'no-cache');
    } }));
    router.get(/^(?!\/api(?:\/|$)).*/, (_req, res) => {
      res.setHeader('Cache-Control', 'no-cache');
      res.sendFile(index);
    });
  } else {
    router.get(/^(?!\/api(?:\/|$)).*/, (_req, res) => {
      res.status(200).type('html').send(NOT_BUILT_PAGE);
    });
  }
  return router;
}
