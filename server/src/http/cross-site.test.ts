import { describe, expect, it } from 'vitest';
import { crossSiteCheck, type RequestHead } from './cross-site.js';

function request(method: string, url: string, headers: Record<string, string>): RequestHead {
  return { method, url, headers };
}

describe('crossSiteCheck', () => {
  const check = crossSiteCheck();

  it('lets through changes from the same origin and from programs that send no Origin', () => {
    expect(check(request('POST', '/api/keys/k/revoke', { host: '127.0.0.1:3000', origin: 'http://127.0.0.1:3000', 'sec-fetch-site': 'same-origin' }))).toBeUndefined();
    expect(check(request('DELETE', '/api/scenarios/x', { host: 'mofang.example.com', origin: 'https://mofang.example.com' }))).toBeUndefined();
    expect(check(request('POST', '/api/keys', { host: 'localhost:3000' }))).toBeUndefined();
    expect(check(request('PUT', '/api/scenarios/x', { host: 'a.example:80', origin: 'http://a.example' }))).toBeUndefined();
  });

  it('refuses changes from another origin, a null origin or a cross-site fetch', () => {
    const cases: Array<[string, Record<string, string>]> = [
      ['an attacker page', { host: '127.0.0.1:3000', origin: 'https://attacker.example' }],
      ['another port of the same host (same site, other origin)', { host: 'localhost:3000', origin: 'http://localhost:8080' }],
      ['a sandboxed frame', { host: '127.0.0.1:3000', origin: 'null' }],
      ['a cross-site fetch without Origin', { host: '127.0.0.1:3000', 'sec-fetch-site': 'cross-site' }],
      ['an origin that is not a URL', { host: '127.0.0.1:3000', origin: 'garbage' }],
    ];
    for (const [name, headers] of cases) {
      expect(check(request('POST', '/api/keys/k/revoke', headers)), name).toMatchObject({ status: 403, code: 'cross_site_request' });
    }
    expect(check(request('POST', '/api/keys/k/revoke', { host: '127.0.0.1:3000', origin: 'https://attacker.example' }))?.message).toContain('https://attacker.example');
  });

  it('reads are not refused, nor other paths (/v1 is for CORS to decide)', () => {
    const headers = { host: '127.0.0.1:3000', origin: 'https://attacker.example', 'sec-fetch-site': 'cross-site' };
    expect(check(request('GET', '/api/keys', headers))).toBeUndefined();
    expect(check(request('POST', '/v1/scenarios/x/run', headers))).toBeUndefined();
    expect(check(request('POST', '/apiary', headers))).toBeUndefined();
  });

  it('counts the public URL and a proxy\'s X-Forwarded-Host as the server\'s own origin', () => {
    const behind = crossSiteCheck('https://mofang.example.com');
    expect(behind(request('POST', '/api/keys', { host: '127.0.0.1:3000', origin: 'https://mofang.example.com' }))).toBeUndefined();
    expect(check(request('POST', '/api/keys', { host: '127.0.0.1:3000', 'x-forwarded-host': 'mofang.example.com', origin: 'https://mofang.example.com' }))).toBeUndefined();
    expect(behind(request('POST', '/api/keys', { host: '127.0.0.1:3000', origin: 'https://attacker.example' }))).toMatchObject({ code: 'cross_site_request' });
  });
});
