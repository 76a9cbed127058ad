/**
 * Serves the built client with an SPA fallback, or, when it has not been built, a page saying how.
 * Files are compressed when worth it (compress.ts). Everything under `assets/` is named by the hash of its
 * content (Vite's build), so a browser may keep it a year without asking again (`immutable`); index.html
 * and anything else is `no-cache` (asked again every time), or a new build would not be picked up. A
 * missing file under `assets/` is a 404, not the app's page: a stale page asking for a chunk of an older
 * build then fails plainly instead of receiving HTML as a script.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { Router } from 'express';
import { compressReplies } from './compress.js';
import { APP_CSP, cspMiddleware } from './csp.js';
import { sendError } from './errors.js';

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

/** `Cache-Control` of a hashed build file: a year, never revalidated. */
export const IMMUTABLE = 'public, max-age=31536000, immutable';

/** Static files and the SPA fallback for every non-`/api` GET. */
export function staticRoutes(staticDir: string): Router {
  const router = Router();
  const index = path.join(staticDir, 'index.html');
  // The app's policy on the page and on its files alike (it matters only on the page).
  router.use(cspMiddleware(APP_CSP));
  if (existsSync(index)) {
    const assets = path.join(staticDir, 'assets') + path.sep;
    router.use(compressReplies());
    router.use(express.static(staticDir, { index: false, cacheControl: false, setHeaders: (res, file) => {
      res.setHeader('Cache-Control', file.startsWith(assets) ? IMMUTABLE : 'no-cache');
    } }));
    router.use('/assets', (req, res) => {
      sendError(res, 404, 'not_found', `no file ${req.originalUrl.split('?')[0]} in this build`);
    });
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
