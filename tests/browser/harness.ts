import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { expect } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** The first admin of every browser-test server, created by `POST /api/auth/setup` as it starts. */
export const BROWSER_ADMIN = { name: 'admin', password: 'admin-password-for-tests' };

export interface TestServer {
  url: string;
  dataDir: string;
  /** The admin's session: its cookie token and CSRF token. */
  session: { token: string; csrfToken: string };
  /** `cookie` and `x-csrf-token` of the admin's session, for a fetch from the test process. */
  authHeaders: Record<string, string>;
  /** Everything the server printed so far (stdout and stderr), to explain an unexpected status. */
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts the real server (`bin/mofang.mjs start`) on a free port with a temporary data directory and
 * the zero-latency simulator (`extraEnv` may tune it), and resolves once it prints its URL.
 */
export async function startTestServer(dataDir = mkdtempSync(path.join(tmpdir(), 'mofang-browser-')), extraEnv: NodeJS.ProcessEnv = {}): Promise<TestServer> {
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
  const session = await setUpAdmin(url);
  return {
    url,
    dataDir,
    session,
    authHeaders: { cookie: `mofang_session=${session.token}`, 'x-csrf-token': session.csrfToken },
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

/** Creates the first admin (or signs in when the data directory has one) and returns the session. */
async function setUpAdmin(url: string): Promise<{ token: string; csrfToken: string }> {
  const post = (path: string) => fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(BROWSER_ADMIN) });
  let res = await post('/api/auth/setup');
  if (res.status === 409) res = await post('/api/auth/login');
  const body = (await res.json()) as { csrf_token?: string };
  const token = /(?:^|;\s*)mofang_session=([^;]+)/.exec(res.headers.getSetCookie().join('; '))?.[1];
  if (!res.ok || !token || !body.csrf_token) throw new Error(`could not sign in the test admin: ${res.status} ${JSON.stringify(body)}`);
  return { token, csrfToken: body.csrf_token };
}

/**
 * Signs the browser in as the server's admin without the sign-in page: puts the session cookie in the
 * browser and adds the session's `X-CSRF-Token` to the page's changes under `/api`.
 */
export async function signInBrowser(browser: TestBrowser, server: TestServer): Promise<void> {
  await browser.context.addCookies([{ name: 'mofang_session', value: server.session.token, url: server.url, httpOnly: true, sameSite: 'Lax' }]);
  await browser.context.route(`${server.url}/api/**`, (route) => {
    const request = route.request();
    if (['GET', 'HEAD', 'OPTIONS'].includes(request.method())) return route.continue();
    return route.continue({ headers: { ...request.headers(), 'x-csrf-token': server.session.csrfToken } });
  });
}

export interface TestBrowser {
  context: BrowserContext;
  page: Page;
  /** Console errors and page errors seen so far. */
  errors: string[];
  close(): Promise<void>;
}

/** Launches Debian's Chromium headless with a fresh profile, signed in to `server` when given ({@link signInBrowser}). */
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
  const browser: TestBrowser = {
    context,
    page,
    errors,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
  if (server) await signInBrowser(browser, server);
  return browser;
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
