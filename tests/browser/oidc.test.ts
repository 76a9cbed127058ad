import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startIdp, type TestIdp } from '../api/oidc-idp';
import { launchBrowser, screenshotPath, signOut, startTestServer, type TestBrowser, type TestServer } from './harness';

/**
 * Single sign-on in Chromium: the sign-in page's 使用单点登录 button, a real OpenID Connect provider's
 * sign-in and consent pages (`oidc-provider` on 127.0.0.1), back to the page asked for as the mapped role;
 * then a disabled user sent back with the error said on the sign-in page.
 */
let idp: TestIdp;
let server: TestServer;
let browser: TestBrowser;
let page: Page;
const SECRET = 'browser-test-client-secret';

beforeAll(async () => {
  idp = await startIdp();
  idp.accounts.set('alice', { preferred_username: 'alice', name: 'Alice Li', email: 'alice@example.com', groups: ['mofang-designers'] });
  server = await startTestServer(undefined, {
    MOFANG_OIDC_ISSUER: idp.issuer,
    MOFANG_OIDC_CLIENT_ID: 'mofang',
    MOFANG_OIDC_CLIENT_SECRET: SECRET,
    MOFANG_OIDC_ROLE_CLAIM: 'groups',
    MOFANG_OIDC_ROLE_MAP: 'admin=mofang-admins,designer=mofang-designers',
  });
  await idp.configure([{ client_id: 'mofang', client_secret: SECRET, redirect_uris: [`${server.url}/api/auth/oidc/callback`] }]);
  browser = await launchBrowser();
  page = browser.page;
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await idp?.close();
});

describe('single sign-on in the browser', () => {
  it('signs in through the SSO button and the identity platform, back on the page asked for', async () => {
    await page.goto(`${server.url}/#/jobs`);
    await page.getByTestId('sign-in-page').waitFor();
    const button = page.getByTestId('sign-in-sso');
    expect(await button.textContent()).toContain('使用单点登录');
    await page.screenshot({ path: screenshotPath('sign-in-sso.png') });
    await button.click();
    await page.getByTestId('idp-login').waitFor();
    expect(new URL(page.url()).origin).toBe(idp.issuer);
    await page.getByTestId('idp-login').fill('alice');
    await page.getByTestId('idp-submit').click();
    await page.getByTestId('idp-allow').click();
    await page.getByTestId('user-menu').waitFor();
    expect(page.url()).toBe(`${server.url}/#/jobs`);
    expect(await page.getByTestId('user-name').textContent()).toBe('Alice Li');
    expect(await page.getByTestId('user-menu').getAttribute('data-role')).toBe('designer');
    expect(browser.errors).toEqual([]);
  });

  it('sends a disabled user back to the sign-in page, which says why', async () => {
    await signOut(page);
    const users = (await (await fetch(`${server.url}/api/users`, { headers: server.authHeaders })).json()) as Array<{ id: string; name: string; sso: boolean }>;
    const alice = users.find((u) => u.name === 'alice');
    expect(alice?.sso).toBe(true);
    const res = await fetch(`${server.url}/api/users/${alice?.id}`, { method: 'PATCH', headers: { ...server.authHeaders, 'content-type': 'application/json' }, body: JSON.stringify({ disabled: true }) });
    expect(res.status).toBe(200);
    await page.getByTestId('sign-in-sso').click(); // the platform remembers alice: straight back
    const alert = page.getByTestId('sign-in-sso-error');
    await alert.waitFor();
    expect(await alert.textContent()).toContain('此账号已停用');
    expect(page.url()).toBe(`${server.url}/#/sign-in`);
    expect(await page.getByTestId('user-menu').count()).toBe(0);
  });
});
