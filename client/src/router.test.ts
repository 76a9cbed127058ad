import { describe, expect, it } from 'vitest';
import { parseHash, routeHash, safeNext, type Route } from './router';

describe('routes', () => {
  it('reads the sign-in page with where to return', () => {
    expect(parseHash('#/sign-in')).toEqual({ page: 'signIn', next: undefined });
    expect(parseHash(`#/sign-in?next=${encodeURIComponent('#/s/abc')}`)).toEqual({ page: 'signIn', next: '#/s/abc' });
    expect(parseHash('#/users')).toEqual({ page: 'users' });
  });

  it('returns only to a page of the app, never to the sign-in page or elsewhere', () => {
    expect(safeNext('#/jobs/x')).toBe('#/jobs/x');
    expect(safeNext('https://attacker.example/')).toBeUndefined();
    expect(safeNext('#/sign-in?next=%23%2F')).toBeUndefined();
    expect(safeNext('')).toBeUndefined();
    expect(parseHash(`#/sign-in?next=${encodeURIComponent('//attacker.example')}`)).toEqual({ page: 'signIn', next: undefined });
  });

  it('writes every route as a hash that reads back as the same route', () => {
    const routes: Route[] = [
      { page: 'list' },
      { page: 'editor', id: 'a b/c' },
      { page: 'gallery' },
      { page: 'keys' },
      { page: 'users' },
      { page: 'signIn', next: '#/s/a%20b?x=1&y=2' },
      { page: 'signIn', next: undefined },
      { page: 'jobs', scenarioId: 's', jobId: 'j' },
      { page: 'eval', scenarioId: 'a b' },
      { page: 'eval', scenarioId: 's', setId: 'set/1' },
      { page: 'review' },
      { page: 'review', itemId: '01a2-b/3' },
      { page: 'review', rulesOf: 'scen ario' },
      { page: 'alerts', scenarioId: 'scen ario' },
      { page: 'live' },
      { page: 'desk', id: '0193-a b' },
      { page: 'desk', id: 's1', token: 'dt_a+b/c=' },
    ];
    for (const route of routes) expect(parseHash(routeHash(route))).toEqual(route.page === 'jobs' ? route : { ...route });
  });
});
