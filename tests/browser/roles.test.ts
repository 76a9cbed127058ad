import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { apiSession, chooseOwnPassword, launchBrowser, pickOption, screenshotPath, signIn, signOut, startTestServer, type Account, type TestBrowser, type TestServer } from './harness';

/**
 * A fresh install as its first admin finds it, then a designer and a viewer added by that admin, each signing in
 * through the sign-in page with the one-time password and seeing only its column of the permission matrix.
 */
const root = fileURLToPath(new URL('../..', import.meta.url));
const ADMIN: Account = { name: 'lead', password: 'first-admin-pw-2026' };
let server: TestServer;
let browser: TestBrowser;
let page: Page;
const accounts: Record<string, Account> = {};
let scenarioId = '';

beforeAll(async () => {
  server = await startTestServer(undefined, {}, { setup: false });
  browser = await launchBrowser();
  page = browser.page;
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

/** Adds a user on the users page and returns the one-time password the page shows once. */
async function addUser(name: string, displayName: string, roleLabel: string): Promise<string> {
  await page.getByTestId('user-add').click();
  await page.getByTestId('user-add-name').fill(name);
  await page.getByTestId('user-add-display-name').fill(displayName);
  await pickOption(page, 'user-add-role', roleLabel);
  await page.getByTestId('user-add-ok').click();
  const shown = page.getByTestId('one-time-password');
  await shown.waitFor();
  const password = (await shown.textContent()) ?? '';
  expect(password.length).toBeGreaterThanOrEqual(12);
  await expect(page.getByTestId('one-time-password-copy').isVisible()).resolves.toBe(true);
  await page.getByTestId('one-time-done').click();
  await shown.waitFor({ state: 'detached' });
  const row = page.getByTestId('users-table').locator('tr', { hasText: name });
  await expect.poll(() => row.textContent()).toContain(displayName);
  expect(await page.getByTestId(`user-role-${name}`).textContent()).toContain(roleLabel);
  return password;
}

describe('a fresh install and its first admin', () => {
  it('shows only the setup page, and creating the first admin signs in', async () => {
    await page.goto(`${server.url}/#/keys`);
    await page.getByTestId('setup-page').waitFor();
    expect(await page.getByTestId('nav-list').count()).toBe(0);
    await page.getByTestId('setup-name').fill(ADMIN.name);
    await page.getByTestId('setup-display-name').fill('张组长');
    await page.getByTestId('setup-password').fill(ADMIN.password);
    await page.getByTestId('setup-password2').fill('something-else');
    await page.getByTestId('setup-submit').click();
    await expect.poll(() => page.getByTestId('setup-page').textContent()).toContain('两次输入的密码不一致');
    await page.getByTestId('setup-password2').fill(ADMIN.password);
    await page.screenshot({ path: screenshotPath('setup-page.png') });
    await page.getByTestId('setup-submit').click();
    await page.getByTestId('user-menu').waitFor();
    expect(await page.getByTestId('user-name').textContent()).toBe('张组长');
    expect(await page.getByTestId('user-role').textContent()).toBe('管理员');
    for (const nav of ['nav-list', 'nav-gallery', 'nav-keys', 'nav-jobs', 'nav-users']) await expect(page.getByTestId(nav).isVisible()).resolves.toBe(true);
    // The setup is one-time: the API refuses a second one.
    const again = await fetch(`${server.url}/api/auth/setup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'x', password: 'another-password' }) });
    expect(again.status).toBe(409);
  });

  it('adds a designer and a viewer on the users page, each with a one-time password shown once', async () => {
    await page.getByTestId('nav-users').click();
    await page.getByTestId('users-page').waitFor();
    expect(await page.getByTestId('users-title').textContent()).toContain('用户');
    accounts.designer = { name: 'designer1', password: await addUser('designer1', '王设计', '场景设计') };
    accounts.viewer = { name: 'viewer1', password: await addUser('viewer1', '李只读', '只读') };
    await page.screenshot({ path: screenshotPath('users-page.png') });
    // A scenario for the others to open, made by the admin through the API.
    const headers = await apiSession(server.url, '/api/auth/login', { ...ADMIN });
    const graph = JSON.parse(readFileSync(path.join(root, 'templates/intent-triage/graph.json'), 'utf8'));
    const res = await fetch(`${server.url}/api/scenarios`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ name: '意图分流', graph }) });
    expect(res.status).toBe(201);
    scenarioId = ((await res.json()) as { id: string }).id;
  });

  it('refuses to demote the last admin, saying why in the page\'s language', async () => {
    // One's own row offers no disable or reset (the user menu changes one's password), only the role.
    expect(await page.getByTestId(`user-disable-${ADMIN.name}`).count()).toBe(0);
    // The select stays on the role the server keeps, so pick by hand (pickOption waits for the pick to show).
    await page.getByTestId(`user-role-${ADMIN.name}`).click();
    await page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option[title="只读"]').click();
    await expect.poll(() => page.locator('.ant-message').textContent()).toContain('至少要保留一个启用的管理员');
    await expect.poll(() => page.getByTestId(`user-role-${ADMIN.name}`).textContent()).toContain('管理员');
    expect(await page.getByTestId('user-role').textContent()).toBe('管理员');
    await page.locator('.ant-message-notice').first().waitFor({ state: 'detached', timeout: 10_000 });
  });
});

describe('each role sees its column', () => {
  it('the viewer signs in with the one-time password and can read, not edit, publish, manage keys or users', async () => {
    await signOut(page);
    await page.locator('.ant-message-notice').first().waitFor({ state: 'detached', timeout: 10_000 });
    await page.screenshot({ path: screenshotPath('sign-in-page.png') });
    // A wrong password is refused and said so.
    await page.getByTestId('sign-in-name').fill(accounts.viewer.name);
    await page.getByTestId('sign-in-password').fill('not-the-password');
    await page.getByTestId('sign-in-submit').click();
    await expect.poll(() => page.getByTestId('sign-in-error').textContent()).toContain('登录名或密码不正确');
    // The one-time password signs in to the forced change page only: nothing of the app shows before it.
    await page.getByTestId('sign-in-password').fill(accounts.viewer.password);
    await page.getByTestId('sign-in-submit').click();
    await page.getByTestId('must-change-page').waitFor();
    expect(await page.getByTestId('must-change-page').textContent()).toContain('请设置自己的密码');
    expect(await page.getByTestId('user-menu').count()).toBe(0);
    await page.screenshot({ path: screenshotPath('must-change-password.png') });
    // In English too; a wrong one-time password is said so.
    await page.getByTestId('lang-switch').click();
    await expect.poll(() => page.getByTestId('must-change-page').textContent()).toContain('Choose your own password');
    await page.getByTestId('must-change-current').fill('not-the-one-time-password');
    await page.getByTestId('must-change-new').fill('viewer-own-pw-1');
    await page.getByTestId('must-change-new2').fill('viewer-own-pw-1');
    await page.getByTestId('must-change-submit').click();
    await expect.poll(() => page.getByTestId('must-change-error').textContent()).toContain('The current password is wrong');
    await page.getByTestId('lang-switch').click();
    const oneTime = accounts.viewer;
    accounts.viewer = await chooseOwnPassword(page, accounts.viewer, 'viewer-own-pw-1');
    // The one-time password no longer signs in.
    const old = await fetch(`${server.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(oneTime) });
    expect(old.status).toBe(401);
    expect(await page.getByTestId('user-role').textContent()).toBe('只读');
    await page.getByTestId('scenario-link').first().waitFor();
    for (const hidden of ['nav-keys', 'nav-users', 'nav-review', 'create-scenario', 'import-scenario']) expect(await page.getByTestId(hidden).count(), hidden).toBe(0);
    await page.getByTestId('scenario-link').first().click();
    await page.getByTestId('node-classify_1').waitFor();
    await page.getByTestId('read-only').waitFor();
    for (const hidden of ['publish-open', 'open-run', 'undo', 'layout', 'import']) expect(await page.getByTestId(hidden).count(), hidden).toBe(0);
    expect(await page.locator('.mf-palette').count()).toBe(0);
    // The node's settings are shown, not editable.
    await page.getByTestId('node-classify_1').click();
    await expect(page.getByTestId('node-name').isDisabled()).resolves.toBe(true);
    await page.screenshot({ path: screenshotPath('viewer-editor.png') });
    // Pages the role may not open say so, even by a typed address.
    await page.goto(`${server.url}/#/users`);
    await page.getByTestId('forbidden').waitFor();
    await page.goto(`${server.url}/#/keys`);
    await page.getByTestId('forbidden').waitFor();
    // Templates: browse, no writing.
    await page.goto(`${server.url}/#/templates`);
    await page.getByTestId('gallery-title').waitFor();
    for (const hidden of ['import-template', 'new-template']) expect(await page.getByTestId(hidden).count(), hidden).toBe(0);
  });

  it('a signed-out visit to a page goes to the sign-in page and back there after signing in', async () => {
    await signOut(page);
    await page.goto(`${server.url}/#/s/${scenarioId}`);
    await page.getByTestId('sign-in-page').waitFor();
    expect(new URL(page.url()).hash).toBe(`#/sign-in?next=${encodeURIComponent(`#/s/${scenarioId}`)}`);
    await page.getByTestId('sign-in-name').fill(accounts.designer.name);
    await page.getByTestId('sign-in-password').fill(accounts.designer.password);
    await page.getByTestId('sign-in-submit').click();
    // A first sign-in: the designer chooses a password, then lands where they were going.
    accounts.designer = await chooseOwnPassword(page, accounts.designer, 'designer-first-pw');
    await page.getByTestId('node-classify_1').waitFor();
    expect(new URL(page.url()).hash).toBe(`#/s/${scenarioId}`);
  });

  it('the designer edits and publishes, and has no keys or users', async () => {
    expect(await page.getByTestId('user-role').textContent()).toBe('场景设计');
    for (const hidden of ['nav-keys', 'nav-users']) expect(await page.getByTestId(hidden).count(), hidden).toBe(0);
    expect(await page.getByTestId('read-only').count()).toBe(0);
    await page.getByTestId('open-run').waitFor();
    await page.getByTestId('publish-open').click();
    await page.getByTestId('publish-slug').fill('triage-by-designer');
    await page.getByTestId('publish-confirm').click();
    await expect.poll(() => page.getByTestId('publish-done').textContent()).toContain('1');
    await page.getByTestId('publish-close').click();
    await page.goto(`${server.url}/#/`);
    await page.getByTestId('create-scenario').waitFor();
    await page.goto(`${server.url}/#/keys`);
    await page.getByTestId('forbidden').waitFor();
  });

  it('the designer changes their password from the user menu and signs in with the new one', async () => {
    await page.getByTestId('user-menu').click();
    await page.getByTestId('menu-change-password').click();
    await page.getByTestId('password-current').fill('wrong-current-password');
    await page.getByTestId('password-new').fill('designer-own-pw-1');
    await page.getByTestId('password-new2').fill('designer-own-pw-1');
    await page.getByTestId('password-save').click();
    await expect.poll(() => page.getByTestId('password-error').textContent()).toContain('当前密码不正确');
    await page.getByTestId('password-current').fill(accounts.designer.password);
    await page.getByTestId('password-save').click();
    await page.getByTestId('password-current').waitFor({ state: 'hidden' });
    accounts.designer = { ...accounts.designer, password: 'designer-own-pw-1' };
    await signOut(page);
    await signIn(page, server.url, accounts.designer);
  });

  it('a session that ends meanwhile sends the next request to the sign-in page, and back after signing in', async () => {
    await page.goto(`${server.url}/#/`);
    await page.getByTestId('scenario-link').first().waitFor();
    // The server forgets the session (as when it expires or an admin disables the user).
    await browser.context.clearCookies();
    await page.getByTestId('nav-jobs').click();
    await page.getByTestId('sign-in-expired').waitFor();
    expect(new URL(page.url()).hash).toBe(`#/sign-in?next=${encodeURIComponent('#/jobs')}`);
    await page.getByTestId('sign-in-name').fill(accounts.designer.name);
    await page.getByTestId('sign-in-password').fill(accounts.designer.password);
    await page.getByTestId('sign-in-submit').click();
    await page.getByTestId('jobs-scenario').waitFor();
    // Back on the jobs page (which then picks the one published scenario: #/jobs/<id>).
    expect(new URL(page.url()).hash).toMatch(/^#\/jobs(\/|$)/);
  });

  it('the admin resets the viewer\'s password: the new one-time password signs in, the old one no longer does', async () => {
    await signOut(page);
    await signIn(page, server.url, ADMIN, '#/users');
    await page.getByTestId('users-page').waitFor();
    await page.getByTestId(`user-reset-${accounts.viewer.name}`).click();
    await page.locator('.ant-popconfirm .ant-btn-dangerous').click();
    const shown = page.getByTestId('one-time-password');
    await shown.waitFor();
    const fresh = (await shown.textContent()) ?? '';
    expect(fresh).not.toBe(accounts.viewer.password);
    await page.getByTestId('one-time-done').click();
    const old = await fetch(`${server.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(accounts.viewer) });
    expect(old.status).toBe(401);
    await apiSession(server.url, '/api/auth/login', { name: accounts.viewer.name, password: fresh });
  });

  it('printed no console errors but the refusals it provoked', () => {
    // Chromium logs every 4xx answer as a console error: the wrong passwords (401, 400), the last admin (409) and the
    // ended session (401) are expected.
    expect(browser.errors.filter((e) => !/status of (400|401|409)/.test(e))).toEqual([]);
  });
});
