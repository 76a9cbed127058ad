import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { expect } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** An account to sign in with. */
export interface Account {
  name: string;
  password: string;
}

export interface TestServer {
  url: string;
  dataDir: string;
  /** The first admin, created through `POST /api/auth/setup` at start (null when started with `setup: false`). */
  admin: Account | null;
  /** Headers that make a request from the test the admin's: the session cookie and, for changes, the CSRF token. */
  authHeaders: Record<string, string>;
  /** Everything the server printed so far (stdout and stderr), to explain an unexpected status. */
  output(): string;
  stop(): Promise<void>;
}

/** A JSON request as the server's admin (the test's own set-up), its parsed reply; throws with the status and body on a refusal. */
export async function adminJson<T>(server: TestServer, method: string, url: string, body?: unknown): Promise<T> {
  const res = await fetch(`${server.url}${url}`, { method, headers: { 'content-type': 'application/json', ...server.authHeaders }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

/**
 * Starts the real server (`bin/mofang.mjs start`) on a free port with a temporary data directory and
 * the zero-latency simulator (`extraEnv` may tune it), and resolves once it prints its URL. Unless
 * `options.setup` is false (a fresh install, for the setup page's own test), it then creates the first admin
 * through the API and keeps the admin's session for the test's own requests (`authHeaders`).
 */
export async function startTestServer(dataDir = mkdtempSync(path.join(tmpdir(), 'mofang-browser-')), extraEnv: NodeJS.ProcessEnv = {}, options: { setup?: boolean } = {}): Promise<TestServer> {
  if (!existsSync(path.join(root, 'dist/client/index.html'))) throw new Error('dist/client is missing: run `npx vite build` first');
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', HOST: '127.0.0.1', MOFANG_DATA_DIR: dataDir, MOFANG_SIM_TTFT_MS: '0', MOFANG_SIM_PER_TOKEN_MS: '0', ...extraEnv };
  // The simulator, whatever the machine running the tests has configured.
  for (const key of ['MOFANG_MODEL_BASE_URL', 'MOFANG_MODEL_API_KEY', 'MOFANG_MODEL']) delete env[key];
  const child: ChildProcess = spawn(process.execPath, [path.join(root, 'bin/mofang.mjs'), 'start'], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const m = /https?:\/\/127\.0\.0\.1:\d+/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[0]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output}`));
    });
  });
  const admin: Account | null = options.setup === false ? null : { name: 'admin', password: `pw-${randomBytes(9).toString('base64url')}` };
  const authHeaders = admin ? await apiSession(url, '/api/auth/setup', { name: admin.name, display_name: '测试管理员', password: admin.password }) : {};
  return {
    url,
    dataDir,
    admin,
    authHeaders,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
    },
  };
}

/**
 * Signs in through the API (`/api/auth/setup` or `/api/auth/login`, with `body`) and returns the headers that
 * carry that session: `cookie` and `x-csrf-token`.
 */
export async function apiSession(url: string, route: '/api/auth/setup' | '/api/auth/login', body: Record<string, string>): Promise<Record<string, string>> {
  const res = await fetch(`${url}${route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const reply: unknown = await res.json();
  if (!res.ok || typeof reply !== 'object' || reply === null || !('csrf_token' in reply) || typeof reply.csrf_token !== 'string') {
    throw new Error(`${route} answered ${res.status}: ${JSON.stringify(reply)}`);
  }
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .find((c) => c.startsWith('mofang_session='));
  if (!cookie) throw new Error(`${route} set no mofang_session cookie`);
  return { cookie, 'x-csrf-token': reply.csrf_token };
}

/**
 * Signs in through the app's sign-in page as a person would (name, password, the button) and waits for the
 * user menu; the page is left on `next` (a hash such as `#/jobs`, default the scenario list).
 */
export async function signIn(page: Page, url: string, account: Account, next = '#/'): Promise<void> {
  await page.goto(`${url}/#/sign-in?next=${encodeURIComponent(next)}`);
  await page.getByTestId('sign-in-name').fill(account.name);
  await page.getByTestId('sign-in-password').fill(account.password);
  await page.getByTestId('sign-in-submit').click();
  await page.getByTestId('user-menu').waitFor();
}

/**
 * Finishes a first sign-in with a one-time password: on the forced change page, the one-time password
 * and `chosen` twice, then waits for the app (the user menu). Returns the account with its new password.
 */
export async function chooseOwnPassword(page: Page, account: Account, chosen: string): Promise<Account> {
  await page.getByTestId('must-change-page').waitFor();
  await page.getByTestId('must-change-current').fill(account.password);
  await page.getByTestId('must-change-new').fill(chosen);
  await page.getByTestId('must-change-new2').fill(chosen);
  await page.getByTestId('must-change-submit').click();
  await page.getByTestId('user-menu').waitFor();
  return { ...account, password: chosen };
}

/** Signs out through the user menu and waits for the sign-in page. */
export async function signOut(page: Page): Promise<void> {
  await page.getByTestId('user-menu').click();
  await page.getByTestId('menu-sign-out').click();
  await page.getByTestId('sign-in-page').waitFor();
}

export interface TestBrowser {
  context: BrowserContext;
  page: Page;
  /** Console errors and page errors seen so far. */
  errors: string[];
  close(): Promise<void>;
}

/**
 * Launches Debian's Chromium headless with a fresh profile; given a server with an admin, signs in as that
 * admin through the sign-in page, then leaves the page blank, so the test starts as a signed-in user would.
 */
export async function launchBrowser(server?: TestServer): Promise<TestBrowser> {
  const profile = mkdtempSync(path.join(tmpdir(), 'mofang-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1440, height: 900 },
    locale: 'zh-CN',
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  if (server?.admin) {
    await signIn(page, server.url, server.admin);
    // Back to a blank page, as a fresh browser starts: the test's first goto then loads the app anew (with its headers).
    await page.goto('about:blank');
  }
  return {
    context,
    page,
    errors,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Drags from the centre of one element to the centre of another with the mouse (a wire between ports). */
export async function dragBetween(page: Page, fromSelector: string, toSelector: string): Promise<void> {
  const { from, to } = await settledBoxes(page, fromSelector, toSelector);
  await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
  await page.mouse.down();
  await page.mouse.move((from.x + to.x) / 2, (from.y + to.y) / 2, { steps: 5 });
  await page.mouse.move(to.x + to.width / 2, to.y + to.height / 2, { steps: 5 });
  await page.mouse.up();
}

type Box = { x: number; y: number; width: number; height: number };

/**
 * The two elements' boxes once they have stopped moving (a fit-view or layout animation, a slow machine):
 * a drag aimed at a port that is still sliding lands on the pane and pans it instead.
 */
async function settledBoxes(page: Page, a: string, b: string): Promise<{ from: Box; to: Box }> {
  let last = '';
  for (let i = 0; i < 40; i++) {
    const from = await page.locator(a).boundingBox();
    const to = await page.locator(b).boundingBox();
    if (!from || !to) throw new Error(`cannot see ${from ? b : a}`);
    const key = JSON.stringify([from, to]);
    if (key === last) return { from, to };
    last = key;
    await page.waitForTimeout(100);
  }
  throw new Error(`${a} and ${b} kept moving`);
}

/**
 * Where a test saves a screenshot: docs/ when MOFANG_SCREENSHOTS=1 (to refresh the README's pictures),
 * otherwise .tmp/screenshots/, so an ordinary `npm test` leaves the working tree clean.
 */
export function screenshotPath(name: string): string {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const dir = process.env.MOFANG_SCREENSHOTS ? path.join(root, 'docs') : path.join(root, '.tmp', 'screenshots');
  mkdirSync(dir, { recursive: true });
  return path.join(dir, name);
}

/**
 * Picks an option of an antd Select (found by its test id) by the option's title, as a person would:
 * open it, wait for its list to finish opening, click. A list still closing from an earlier pick can
 * swallow the click, so the pick is checked and tried again.
 */
export async function pickOption(page: Page, selectTestId: string, title: string): Promise<void> {
  const select = page.getByTestId(selectTestId);
  for (let attempt = 0; attempt < 3; attempt++) {
    await page.waitForTimeout(300);
    await select.click();
    const option = page.locator(`.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option[title="${title}"]`).last();
    try {
      await option.waitFor({ state: 'visible', timeout: 3000 });
      await page.waitForTimeout(300);
      await option.click({ timeout: 3000 });
      await expect.poll(async () => (await select.textContent()) ?? '', { timeout: 2000 }).toContain(title);
      return;
    } catch {
      await page.keyboard.press('Escape');
    }
  }
  throw new Error(`could not pick "${title}" in ${selectTestId}`);
}
