import { describe, expect, it } from 'vitest';
import { storesUnderTest } from '../storage/testing-stores.js';
import { loadConfig } from '../config.js';
import { FLOW_TTL_MS, newFlowKey, openFlow, sealFlow, type OidcFlow } from './oidc-client.js';
import { oidcConfigFromEnv, parseRoleMap, type OidcConfig } from './oidc-config.js';
import { mappedRole, signInOidcUser, wantedName } from './oidc-users.js';
import { createUser, getUserByName, updateUser } from './users.js';

const BASE = { MOFANG_OIDC_ISSUER: 'https://sso.example.com/realms/main', MOFANG_OIDC_CLIENT_ID: 'mofang' };

function error(env: NodeJS.ProcessEnv): string {
  try {
    oidcConfigFromEnv(env);
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
  return '(no error)';
}

describe('MOFANG_OIDC_* settings', () => {
  it('are off without an issuer, and take the defaults with one', () => {
    expect(oidcConfigFromEnv({})).toBeUndefined();
    expect(oidcConfigFromEnv({ MOFANG_OIDC_ISSUER: '  ' })).toBeUndefined();
    const config = oidcConfigFromEnv(BASE);
    expect(config).toMatchObject({ clientId: 'mofang', clientSecret: undefined, redirectUrl: undefined, scopes: 'openid profile email', defaultRole: 'viewer', roleClaim: undefined, roleMap: [], autoCreate: true });
    expect(config?.issuer.href).toBe('https://sso.example.com/realms/main');
  });

  it('read every setting', () => {
    const config = oidcConfigFromEnv({
      ...BASE,
      MOFANG_OIDC_CLIENT_SECRET: 's3cret',
      MOFANG_OIDC_REDIRECT_URL: 'https://mofang.example/api/auth/oidc/callback',
      MOFANG_OIDC_SCOPES: 'openid,profile  groups',
      MOFANG_OIDC_DEFAULT_ROLE: 'inspector',
      MOFANG_OIDC_ROLE_CLAIM: 'groups',
      MOFANG_OIDC_ROLE_MAP: 'admin=mofang-admins, designer=mofang-designers,designer=cc-leads',
      MOFANG_OIDC_AUTO_CREATE: 'false',
    });
    expect(config).toMatchObject({ clientSecret: 's3cret', scopes: 'openid profile groups', defaultRole: 'inspector', roleClaim: 'groups', autoCreate: false });
    expect(config?.redirectUrl?.href).toBe('https://mofang.example/api/auth/oidc/callback');
    expect(config?.roleMap).toEqual([{ role: 'admin', value: 'mofang-admins' }, { role: 'designer', value: 'mofang-designers' }, { role: 'designer', value: 'cc-leads' }]);
    expect(oidcConfigFromEnv({ ...BASE, MOFANG_OIDC_ISSUER: 'http://127.0.0.1:9000' })?.issuer.port).toBe('9000');
  });

  it('refuse bad values with a message naming the setting', () => {
    expect(error({ MOFANG_OIDC_CLIENT_ID: 'x' })).toMatch(/MOFANG_OIDC_CLIENT_ID is set but MOFANG_OIDC_ISSUER is not/);
    expect(error({ MOFANG_OIDC_ISSUER: 'https://sso.example.com' })).toMatch(/MOFANG_OIDC_CLIENT_ID is required/);
    expect(error({ ...BASE, MOFANG_OIDC_ISSUER: 'sso.example.com' })).toMatch(/MOFANG_OIDC_ISSUER must be an absolute URL/);
    expect(error({ ...BASE, MOFANG_OIDC_ISSUER: 'http://sso.example.com' })).toMatch(/MOFANG_OIDC_ISSUER must be an https URL/);
    expect(error({ ...BASE, MOFANG_OIDC_ISSUER: 'https://sso.example.com/?x=1' })).toMatch(/MOFANG_OIDC_ISSUER must have no query/);
    expect(error({ ...BASE, MOFANG_OIDC_REDIRECT_URL: 'https://mofang.example/callback' })).toMatch(/MOFANG_OIDC_REDIRECT_URL must end in \/api\/auth\/oidc\/callback/);
    expect(error({ ...BASE, MOFANG_OIDC_SCOPES: 'profile email' })).toMatch(/MOFANG_OIDC_SCOPES must include openid/);
    expect(error({ ...BASE, MOFANG_OIDC_DEFAULT_ROLE: 'root' })).toMatch(/MOFANG_OIDC_DEFAULT_ROLE: "root" is not a role/);
    expect(error({ ...BASE, MOFANG_OIDC_ROLE_MAP: 'admin=x' })).toMatch(/MOFANG_OIDC_ROLE_MAP needs MOFANG_OIDC_ROLE_CLAIM/);
    expect(error({ ...BASE, MOFANG_OIDC_ROLE_CLAIM: 'groups' })).toMatch(/MOFANG_OIDC_ROLE_CLAIM needs MOFANG_OIDC_ROLE_MAP/);
    expect(error({ ...BASE, MOFANG_OIDC_ROLE_CLAIM: 'groups', MOFANG_OIDC_ROLE_MAP: 'boss=x' })).toMatch(/MOFANG_OIDC_ROLE_MAP: "boss" is not a role/);
    expect(error({ ...BASE, MOFANG_OIDC_AUTO_CREATE: 'sometimes' })).toMatch(/MOFANG_OIDC_AUTO_CREATE must be true or false/);
    expect(() => parseRoleMap('admin')).toThrow(/"admin" is not role=value/);
    expect(() => parseRoleMap('=x')).toThrow(/not role=value/);
  });

  it('stop the server at start (loadConfig) with the setting named', () => {
    expect(() => loadConfig({ ...BASE, MOFANG_OIDC_DEFAULT_ROLE: 'root' })).toThrow(/invalid configuration:\n {2}MOFANG_OIDC_DEFAULT_ROLE/);
    expect(loadConfig(BASE).oidc?.clientId).toBe('mofang');
    expect(loadConfig({}).oidc).toBeUndefined();
  });
});

describe('claims to users', () => {
  it('maps a role from a claim: the first pair held wins; strings and lists both read', () => {
    const map = parseRoleMap('admin=ops,designer=leads');
    expect(mappedRole({ sub: 'a', groups: ['staff', 'leads', 'ops'] }, 'groups', map)).toBe('admin');
    expect(mappedRole({ sub: 'a', groups: 'staff leads' }, 'groups', map)).toBe('designer');
    expect(mappedRole({ sub: 'a', groups: ['staff'] }, 'groups', map)).toBeUndefined();
    expect(mappedRole({ sub: 'a', roles: ['ops'] }, 'groups', map)).toBeUndefined();
    expect(mappedRole({ sub: 'a', groups: ['ops'] }, undefined, [])).toBeUndefined();
  });

  it('takes the login name from preferred_username, then email, then the subject, in the characters a name may hold', () => {
    expect(wantedName({ sub: '1', preferred_username: '张三', email: 'z@example.com' })).toBe('张三');
    expect(wantedName({ sub: '1', email: 'z@example.com' })).toBe('z@example.com');
    expect(wantedName({ sub: '1', preferred_username: 'Zhang San/ops' })).toBe('Zhang-San-ops');
    expect(wantedName({ sub: 'f:1/2', preferred_username: '--' })).toBe('sso-f-1-2');
    expect(wantedName({ sub: 'abc' })).toBe('sso-abc');
    expect(wantedName({ sub: '1', preferred_username: 'x'.repeat(100) })).toHaveLength(64);
  });
});

describe.each(storesUnderTest('oidc_users'))('signInOidcUser on %s', (_name, open, skip) => {
  const config = (over: Partial<OidcConfig> = {}): OidcConfig => ({ ...oidcConfigFromEnv(BASE)!, roleClaim: 'groups', roleMap: parseRoleMap('admin=ops'), ...over });

  it.skipIf(skip)('keeps the last active admin an admin when the claim would demote them', async () => {
    const store = await open();
    await createUser(store, { name: 'local', role: 'designer', password: 'password-1' });
    const first = await signInOidcUser(store, config(), { sub: 's1', iss: 'https://sso.example.com/realms/main', preferred_username: 'boss', groups: ['ops'] });
    expect(first).toMatchObject({ ok: true, created: true, user: { role: 'admin' } });
    const again = await signInOidcUser(store, config(), { sub: 's1', iss: 'https://sso.example.com/realms/main', preferred_username: 'boss', groups: [] });
    expect(again).toMatchObject({ ok: true, created: false, user: { role: 'admin' } });
    // With another active admin, the demotion applies.
    const other = await createUser(store, { name: 'admin2', role: 'viewer', password: 'password-2' });
    await updateUser(store, other.id, { role: 'admin' });
    expect(await signInOidcUser(store, config(), { sub: 's1', iss: 'https://sso.example.com/realms/main', groups: [] })).toMatchObject({ ok: true, user: { role: 'viewer' } });
  });

  it.skipIf(skip)('does not link a disabled admin-made user, nor one already linked to another identity', async () => {
    const store = await open();
    const made = await createUser(store, { name: 'zhang', role: 'inspector', password: 'password-1' });
    await updateUser(store, made.id, { disabled: true });
    const linkOnly = config({ autoCreate: false, roleMap: [], roleClaim: undefined });
    expect(await signInOidcUser(store, linkOnly, { sub: 'z1', preferred_username: 'zhang' })).toEqual({ ok: false, reason: 'user_disabled' });
    expect((await getUserByName(store, 'zhang'))?.oidcSubject).toBeNull();
    await updateUser(store, made.id, { disabled: false });
    expect(await signInOidcUser(store, linkOnly, { sub: 'z1', preferred_username: 'zhang' })).toMatchObject({ ok: true, user: { id: made.id, role: 'inspector', passwordHash: null } });
    expect(await signInOidcUser(store, linkOnly, { sub: 'z2', preferred_username: 'zhang' })).toEqual({ ok: false, reason: 'oidc_not_allowed' });
  });

  it.skipIf(skip)('keeps identities of different issuers apart', async () => {
    const store = await open();
    const a = await signInOidcUser(store, config(), { sub: 'same', iss: 'https://a.example', preferred_username: 'li' });
    const b = await signInOidcUser(store, config(), { sub: 'same', iss: 'https://b.example', preferred_username: 'li' });
    expect(a.ok && b.ok && a.user.id !== b.user.id && b.user.name === 'li-2').toBe(true);
  });

  it.skipIf(skip)('signs one identity in at once many times as one user, and many identities wanting one name as li, li-2, …', async () => {
    const store = await open();
    const same = await Promise.all(Array.from({ length: 6 }, () => signInOidcUser(store, config(), { sub: 'one', iss: 'https://a.example', preferred_username: 'wang' })));
    const ids = new Set(same.map((o) => (o.ok ? o.user.id : o.reason)));
    expect(ids.size).toBe(1);
    expect(same.filter((o) => o.ok && o.created)).toHaveLength(1);
    const many = await Promise.all(Array.from({ length: 5 }, (_, i) => signInOidcUser(store, config(), { sub: `li${i}`, iss: 'https://a.example', preferred_username: 'li' })));
    expect(many.map((o) => (o.ok ? o.user.name : o.reason)).sort()).toEqual(['li', 'li-2', 'li-3', 'li-4', 'li-5']);
  });
});

describe('the flow cookie', () => {
  const flow: OidcFlow = { state: 's', nonce: 'n', codeVerifier: 'v', redirectUrl: 'https://m.example/api/auth/oidc/callback', returnTo: '/#/jobs', createdAt: 1_000_000 };
  it('opens what it sealed, and nothing forged, re-keyed or too old', () => {
    const key = newFlowKey();
    const sealed = sealFlow(flow, key);
    expect(openFlow(sealed, key, flow.createdAt + 1000)).toEqual(flow);
    expect(openFlow(sealed, newFlowKey(), flow.createdAt + 1000)).toBeUndefined();
    expect(openFlow(sealed, key, flow.createdAt + FLOW_TTL_MS + 1)).toBeUndefined();
    const [payload, mac] = sealed.split('.');
    const forged = Buffer.from(JSON.stringify({ ...flow, returnTo: '//evil.example' })).toString('base64url');
    expect(openFlow(`${forged}.${mac}`, key, flow.createdAt + 1000)).toBeUndefined();
    expect(openFlow(`${payload}`, key, flow.createdAt)).toBeUndefined();
    expect(openFlow(undefined, key)).toBeUndefined();
  });
});
