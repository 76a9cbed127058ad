import { useSyncExternalStore } from 'react';

/** The pages of the app, read from the URL hash: `#/` the list, `#/s/<id>` a scenario's canvas, `#/templates` the gallery, `#/keys` the API keys, `#/jobs` batch jobs. */
export type Route =
  | { page: 'list' }
  | { page: 'editor'; id: string }
  | { page: 'gallery' }
  | { page: 'keys' }
  | { page: 'jobs'; scenarioId?: string; jobId?: string };

/** `#/jobs`, `#/jobs/<scenario>`, `#/jobs/<scenario>/<job>`: the batch jobs page. */
function parseJobs(hash: string): Route | undefined {
  const m = /^#\/jobs(?:\/([^/?#]+))?(?:\/([^/?#]+))?\/?$/.exec(hash);
  if (!m) return undefined;
  return { page: 'jobs', scenarioId: m[1] === undefined ? undefined : decodeURIComponent(m[1]), jobId: m[2] === undefined ? undefined : decodeURIComponent(m[2]) };
}

function jobsHash(route: { scenarioId?: string; jobId?: string }): string {
  if (route.scenarioId === undefined) return '#/jobs';
  return `#/jobs/${encodeURIComponent(route.scenarioId)}${route.jobId === undefined ? '' : `/${encodeURIComponent(route.jobId)}`}`;
}

/** Parses a location hash into a route; anything unknown is the list. */
export function parseHash(hash: string): Route {
  const m = /^#\/s\/([^/?#]+)/.exec(hash);
  if (/^#\/templates\/?$/.test(hash)) return { page: 'gallery' };
  if (/^#\/keys\/?$/.test(hash)) return { page: 'keys' };
  const jobs = parseJobs(hash);
  if (jobs) return jobs;
  return m ? { page: 'editor', id: decodeURIComponent(m[1]) } : { page: 'list' };
}

/** Goes to a route by changing the hash (so back and forward work). */
export function navigate(route: Route): void {
  if (route.page === 'jobs') {
    window.location.hash = jobsHash(route);
    return;
  }
  window.location.hash = route.page === 'editor' ? `#/s/${encodeURIComponent(route.id)}` : route.page === 'gallery' ? '#/templates' : route.page === 'keys' ? '#/keys' : '#/';
}

function subscribe(cb: () => void): () => void {
  window.addEventListener('hashchange', cb);
  return () => window.removeEventListener('hashchange', cb);
}

/** The current hash, re-rendering on change. */
export function useHash(): string {
  return useSyncExternalStore(subscribe, () => window.location.hash);
}
