import { useSyncExternalStore } from 'react';

/**
 * The pages of the app, read from the URL hash: `#/` the list, `#/s/<id>` a scenario's canvas, `#/templates` the
 * gallery, `#/keys` the API keys, `#/jobs` batch jobs, `#/users` the accounts, `#/audit` the audit log, `#/endpoints` the model endpoints, `#/scenarios/<id>/eval[/<set>]` a scenario's evaluation sets, `#/scenarios/<id>/alerts` its live alert settings, `#/review[/<item>]` the human-review queue (`#/review/rules/<scenario>` a scenario's review rules), `#/live` the supervisors' live board, `#/desk/<session>[?token=<desk token>]` a live call's agent desk, `#/sign-in?next=<hash>` the sign-in
 * page (`next`: where to go back to after signing in).
 */
export type Route =
  | { page: 'list' }
  | { page: 'editor'; id: string }
  | { page: 'gallery' }
  | { page: 'keys' }
  | { page: 'users' }
  | { page: 'audit' }
  | { page: 'endpoints' }
  | { page: 'signIn'; next?: string }
  | { page: 'jobs'; scenarioId?: string; jobId?: string }
  | { page: 'eval'; scenarioId: string; setId?: string }
  | { page: 'alerts'; scenarioId: string }
  | { page: 'review'; itemId?: string; rulesOf?: string }
  | { page: 'live' }
  | { page: 'desk'; id: string; token?: string };

/** `next` when it is a page of this app to go back to (a hash, not the sign-in page itself), else undefined. */
export function safeNext(next: string | null | undefined): string | undefined {
  if (!next || !next.startsWith('#/') || next.startsWith('#/sign-in')) return undefined;
  return next;
}

function parseSignIn(hash: string): Route | undefined {
  const m = /^#\/sign-in\/?(?:\?(.*))?$/.exec(hash);
  if (!m) return undefined;
  return { page: 'signIn', next: safeNext(new URLSearchParams(m[1] ?? '').get('next')) };
}

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

/** `#/scenarios/<id>/eval`, `#/scenarios/<id>/eval/<set>`: a scenario's evaluation sets. */
function parseEval(hash: string): Route | undefined {
  const m = /^#\/scenarios\/([^/?#]+)\/eval(?:\/([^/?#]+))?\/?$/.exec(hash);
  if (!m) return undefined;
  return { page: 'eval', scenarioId: decodeURIComponent(m[1]), ...(m[2] === undefined ? {} : { setId: decodeURIComponent(m[2]) }) };
}

/** `#/scenarios/<id>/alerts`: a scenario's live alert settings. */
function parseAlerts(hash: string): Route | undefined {
  const m = /^#\/scenarios\/([^/?#]+)\/alerts\/?$/.exec(hash);
  return m ? { page: 'alerts', scenarioId: decodeURIComponent(m[1]) } : undefined;
}

/** `#/review`, `#/review/<item>`, `#/review/rules/<scenario>`: the human-review queue, an item, a scenario's rules. */
function parseReview(hash: string): Route | undefined {
  const m = /^#\/review(?:\/(rules)\/([^/?#]+)|\/([^/?#]+))?\/?$/.exec(hash);
  if (!m) return undefined;
  if (m[1] === 'rules' && m[2] !== undefined) return { page: 'review', rulesOf: decodeURIComponent(m[2]) };
  return { page: 'review', ...(m[3] === undefined ? {} : { itemId: decodeURIComponent(m[3]) }) };
}

/** `#/desk/<session>`, `#/desk/<session>?token=<desk token>`: a live call's agent desk. */
function parseDesk(hash: string): Route | undefined {
  const m = /^#\/desk\/([^/?#]+)\/?(?:\?(.*))?$/.exec(hash);
  if (!m) return undefined;
  const token = new URLSearchParams(m[2] ?? '').get('token');
  return { page: 'desk', id: decodeURIComponent(m[1]), ...(token ? { token } : {}) };
}

/** Parses a location hash into a route; anything unknown is the list. */
export function parseHash(hash: string): Route {
  const m = /^#\/s\/([^/?#]+)/.exec(hash);
  if (/^#\/templates\/?$/.test(hash)) return { page: 'gallery' };
  if (/^#\/keys\/?$/.test(hash)) return { page: 'keys' };
  if (/^#\/users\/?$/.test(hash)) return { page: 'users' };
  if (/^#\/audit\/?$/.test(hash)) return { page: 'audit' };
  if (/^#\/endpoints\/?$/.test(hash)) return { page: 'endpoints' };
  if (/^#\/live\/?$/.test(hash)) return { page: 'live' };
  const desk = parseDesk(hash);
  if (desk) return desk;
  const signIn = parseSignIn(hash);
  if (signIn) return signIn;
  const jobs = parseJobs(hash);
  if (jobs) return jobs;
  const evaluation = parseEval(hash);
  if (evaluation) return evaluation;
  const alerts = parseAlerts(hash);
  if (alerts) return alerts;
  const review = parseReview(hash);
  if (review) return review;
  return m ? { page: 'editor', id: decodeURIComponent(m[1]) } : { page: 'list' };
}

/** The hash of a route (the inverse of `parseHash`). */
export function routeHash(route: Route): string {
  switch (route.page) {
    case 'jobs':
      return jobsHash(route);
    case 'eval':
      return `#/scenarios/${encodeURIComponent(route.scenarioId)}/eval${route.setId === undefined ? '' : `/${encodeURIComponent(route.setId)}`}`;
    case 'alerts':
      return `#/scenarios/${encodeURIComponent(route.scenarioId)}/alerts`;
    case 'review':
      if (route.rulesOf !== undefined) return `#/review/rules/${encodeURIComponent(route.rulesOf)}`;
      return route.itemId === undefined ? '#/review' : `#/review/${encodeURIComponent(route.itemId)}`;
    case 'editor':
      return `#/s/${encodeURIComponent(route.id)}`;
    case 'gallery':
      return '#/templates';
    case 'keys':
      return '#/keys';
    case 'users':
      return '#/users';
    case 'audit':
      return '#/audit';
    case 'endpoints':
      return '#/endpoints';
    case 'live':
      return '#/live';
    case 'desk':
      return `#/desk/${encodeURIComponent(route.id)}${route.token === undefined ? '' : `?${new URLSearchParams({ token: route.token }).toString()}`}`;
    case 'signIn':
      return route.next === undefined ? '#/sign-in' : `#/sign-in?${new URLSearchParams({ next: route.next }).toString()}`;
    case 'list':
      return '#/';
  }
}

/** Goes to a route by changing the hash (so back and forward work). */
export function navigate(route: Route): void {
  window.location.hash = routeHash(route);
}

/** Goes to a route in place of the current history entry (a redirect: back does not return to it). */
export function redirect(route: Route): void {
  window.location.replace(routeHash(route));
}

function subscribe(cb: () => void): () => void {
  window.addEventListener('hashchange', cb);
  return () => window.removeEventListener('hashchange', cb);
}

/** The current hash, re-rendering on change. */
export function useHash(): string {
  return useSyncExternalStore(subscribe, () => window.location.hash);
}
