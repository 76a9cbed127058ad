/**
 * A real OpenID Connect provider for tests: the `oidc-provider` package on 127.0.0.1 (a free port), with
 * its own minimal sign-in and consent pages (`/interaction/:uid`: a form naming the account to sign in
 * as, then a consent form), RS256 keys made for the run, and accounts the test can change between
 * sign-ins. Also a small cookie jar that follows redirects, for driving the flow over real HTTP as a
 * browser would.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPairSync } from 'node:crypto';
import Provider from 'oidc-provider';

/** The claims of an account at the test IdP (besides `sub`, its id). */
export interface IdpAccount {
  preferred_username?: string;
  name?: string;
  email?: string;
  groups?: string[];
}

/** A client registered at the IdP: confidential (`client_secret_basic`) with a secret, public (`none`) without. */
export interface IdpClient {
  client_id: string;
  client_secret?: string;
  redirect_uris: string[];
}

/** A running test IdP. */
export interface TestIdp {
  /** The issuer URL, e.g. `http://127.0.0.1:41234`. */
  issuer: string;
  /** Accounts by subject; change them between sign-ins. */
  accounts: Map<string, IdpAccount>;
  /** Registers the clients (once the relying parties' callback URLs are known) and starts answering. */
  configure(clients: IdpClient[]): Promise<void>;
  close(): Promise<void>;
}

function page(res: ServerResponse, html: string): void {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
  res.end(`<!doctype html><html><head><title>Test IdP</title><link rel="icon" href="data:,"></head><body>${html}</body></html>`);
}

async function formBody(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/** The sign-in and consent pages of the IdP. */
async function interaction(provider: Provider, req: IncomingMessage, res: ServerResponse, accounts: Map<string, IdpAccount>): Promise<void> {
  const m = /^\/interaction\/([^/?]+)(?:\/(login|confirm|abort))?/.exec(req.url ?? '');
  if (!m) return void res.writeHead(404).end();
  const [, uid, action] = m;
  const details = await provider.interactionDetails(req, res);
  if (req.method === 'GET') {
    if (details.prompt.name === 'login') {
      return page(res, `<h1>Test IdP sign-in</h1><form method="post" action="/interaction/${uid}/login"><input name="login" data-testid="idp-login"><button type="submit" data-testid="idp-submit">Sign in</button></form>`);
    }
    return page(res, `<h1>Allow Mofang?</h1><form method="post" action="/interaction/${uid}/confirm"><button type="submit" data-testid="idp-allow">Allow</button></form><form method="post" action="/interaction/${uid}/abort"><button type="submit" data-testid="idp-deny">Deny</button></form>`);
  }
  if (action === 'login') {
    const login = (await formBody(req)).get('login') ?? '';
    if (!accounts.has(login)) return page(res, `<p>unknown account</p>`);
    return provider.interactionFinished(req, res, { login: { accountId: login } }, { mergeWithLastSubmission: false });
  }
  if (action === 'abort') {
    return provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'the user refused' }, { mergeWithLastSubmission: false });
  }
  const accountId = details.session?.accountId;
  const clientId = details.params.client_id;
  if (typeof accountId !== 'string' || typeof clientId !== 'string') throw new Error('consent without a signed-in account');
  const grant = details.grantId ? await provider.Grant.find(details.grantId) : new provider.Grant({ accountId, clientId });
  if (!grant) throw new Error('grant not found');
  const missing = details.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[] };
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  const grantId = await grant.save();
  await provider.interactionFinished(req, res, { consent: details.grantId ? {} : { grantId } }, { mergeWithLastSubmission: true });
}

/** Starts the IdP's HTTP server on a free port; it answers once {@link TestIdp.configure} registered the clients. */
export async function startIdp(): Promise<TestIdp> {
  const accounts = new Map<string, IdpAccount>();
  let provider: Provider | undefined;
  const server: Server = createServer((req, res) => {
    if (!provider) return void res.writeHead(503).end();
    if (req.url?.startsWith('/interaction/')) {
      interaction(provider, req, res, accounts).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String(error));
      });
      return;
    }
    provider.callback()(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    issuer,
    accounts,
    configure(clients) {
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'test-key', alg: 'RS256', use: 'sig' };
      provider = new Provider(issuer, {
        clients: clients.map((c) => ({ ...c, grant_types: ['authorization_code'], response_types: ['code'], token_endpoint_auth_method: c.client_secret === undefined ? 'none' : 'client_secret_basic' })),
        jwks: { keys: [jwk] },
        cookies: { keys: ['test-idp-cookie-key'] },
        claims: { openid: ['sub'], profile: ['name', 'preferred_username', 'groups'], email: ['email'] },
        findAccount: (_ctx, sub) => {
          const account = accounts.get(sub);
          return account ? { accountId: sub, claims: () => ({ sub, ...account }) } : undefined;
        },
        interactions: { url: (_ctx, i) => `/interaction/${i.uid}` },
        features: { devInteractions: { enabled: false } },
        ttl: { AccessToken: 600, AuthorizationCode: 60, Grant: 3600, IdToken: 600, Interaction: 600, Session: 3600 },
      });
      return Promise.resolve();
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

interface StoredCookie {
  value: string;
  path: string;
}

/**
 * Cookies by origin, as a browser keeps them (path-scoped; expired or emptied ones dropped), and a fetch
 * that sends them, stores what comes back and follows redirects like a browser navigating.
 */
export class CookieJar {
  private readonly jar = new Map<string, Map<string, StoredCookie>>();

  /** The `Cookie` header for `url`. */
  header(url: URL): string {
    const cookies = this.jar.get(url.origin) ?? new Map<string, StoredCookie>();
    return [...cookies].filter(([, c]) => url.pathname.startsWith(c.path)).map(([name, c]) => `${name}=${c.value}`).join('; ');
  }

  /** The value of a cookie the jar holds for `origin`, or undefined. */
  get(origin: string, name: string): string | undefined {
    return this.jar.get(origin)?.get(name)?.value;
  }

  private store(url: URL, res: Response): void {
    const cookies = this.jar.get(url.origin) ?? new Map<string, StoredCookie>();
    this.jar.set(url.origin, cookies);
    for (const line of res.headers.getSetCookie()) {
      const [pair = '', ...attrs] = line.split(';').map((s) => s.trim());
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      const path = attrs.find((a) => /^path=/i.test(a))?.slice(5) ?? '/';
      const expires = attrs.find((a) => /^expires=/i.test(a))?.slice(8);
      const maxAge = attrs.find((a) => /^max-age=/i.test(a))?.slice(8);
      const gone = value === '' || maxAge === '0' || (expires !== undefined && Date.parse(expires) <= Date.now());
      if (gone) cookies.delete(name);
      else cookies.set(name, { value, path });
    }
  }

  /** One request with the jar's cookies (no redirect followed). */
  async fetch(url: string | URL, init: RequestInit = {}): Promise<Response> {
    const target = new URL(url);
    const headers = new Headers(init.headers);
    const cookie = this.header(target);
    if (cookie) headers.set('cookie', cookie);
    const res = await fetch(target, { ...init, headers, redirect: 'manual' });
    this.store(target, res);
    return res;
  }

  /**
   * Navigates to `url` and follows redirects until a page answers or `stop(url)` says to stop at a
   * redirect target (not fetched); returns the last response and every URL visited.
   */
  async navigate(url: string | URL, init: RequestInit = {}, stop: (next: URL) => boolean = () => false): Promise<{ res: Response; url: URL; visited: URL[] }> {
    let current = new URL(url);
    const visited = [current];
    let res = await this.fetch(current, init);
    for (let hops = 0; res.status >= 300 && res.status < 400 && hops < 20; hops++) {
      const next = new URL(res.headers.get('location') ?? '/', current);
      await res.body?.cancel();
      if (stop(next)) return { res, url: next, visited: [...visited, next] };
      current = next;
      visited.push(current);
      res = await this.fetch(current);
    }
    return { res, url: current, visited };
  }

  /** Submits the page's form whose action contains `actionPart` (POST, url-encoded) and follows the redirects. */
  async submit(pageUrl: URL, html: string, actionPart: string, fields: Record<string, string>, stop?: (next: URL) => boolean) {
    const action = [...html.matchAll(/<form[^>]*action="([^"]+)"/g)].map((m) => m[1] ?? '').find((a) => a.includes(actionPart));
    if (!action) throw new Error(`no form with an action containing "${actionPart}" in: ${html.slice(0, 300)}`);
    return this.navigate(new URL(action, pageUrl), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() }, stop);
  }
}
