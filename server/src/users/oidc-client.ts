/**
 * The OpenID Connect relying party, on `openid-client`: discovery of the identity platform (cached once
 * it succeeds, tried again on the next sign-in when it failed), the authorization request (code flow
 * with PKCE S256, `state` and `nonce`), and the code exchange whose ID token the library validates
 * (signature, issuer, audience, expiry, nonce), merged with the UserInfo claims when the platform has a
 * UserInfo endpoint. What a sign-in in progress must remember ({@link OidcFlow}) travels in a signed,
 * short-lived cookie ({@link sealFlow}); no HTTP framework here.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import * as oidc from 'openid-client';
import type { OidcConfig } from './oidc-config.js';
import type { OidcClaims } from './oidc-users.js';

/** How long a sign-in may take at the identity platform, ms (the flow cookie's lifetime). */
export const FLOW_TTL_MS = 10 * 60_000;

/** Longest wait for the identity platform's answer (discovery, token, UserInfo), seconds. */
const HTTP_TIMEOUT_S = 10;

/** A failed sign-in through the identity platform, with the stable code the sign-in page translates. */
export class OidcError extends Error {
  /** `oidc_unavailable` (discovery failed: the platform is down or misnamed), `oidc_denied` (refused at the platform), `oidc_failed` (anything else). */
  readonly code: 'oidc_unavailable' | 'oidc_denied' | 'oidc_failed';
  constructor(code: OidcError['code'], message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'OidcError';
    this.code = code;
  }
}

/** What a sign-in in progress remembers between the redirect to the platform and the callback. */
export interface OidcFlow {
  state: string;
  nonce: string;
  codeVerifier: string;
  /** The callback URL sent as `redirect_uri` (the code exchange must send it again). */
  redirectUrl: string;
  /** Where to go once signed in: a path of this site. */
  returnTo: string;
  /** Epoch ms. */
  createdAt: number;
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}

/** The relying party of one configured identity platform. */
export class OidcClient {
  private discovered?: Promise<oidc.Configuration>;

  constructor(readonly config: OidcConfig) {}

  /**
   * The platform's configuration (its discovery document and keys location), fetched once. Throws
   * {@link OidcError} `oidc_unavailable` naming the issuer when it cannot be fetched; the next call tries again.
   */
  async discover(): Promise<oidc.Configuration> {
    if (!this.discovered) {
      const { issuer, clientId, clientSecret } = this.config;
      // client_secret_basic: OpenID Connect's default method, the one identity platforms register clients with unless told otherwise.
      const auth = clientSecret === undefined ? oidc.None() : oidc.ClientSecretBasic(clientSecret);
      const insecure = issuer.protocol === 'http:'; // only allowed for loopback hosts (oidc-config.ts)
      this.discovered = oidc.discovery(issuer, clientId, undefined, auth, { timeout: HTTP_TIMEOUT_S, execute: insecure ? [oidc.allowInsecureRequests] : [] });
      this.discovered.catch(() => (this.discovered = undefined));
    }
    try {
      return await this.discovered;
    } catch (error) {
      throw new OidcError('oidc_unavailable', `the identity platform ${this.config.issuer.href} cannot be reached (discovery failed: ${describe(error)})`, { cause: error });
    }
  }

  /**
   * Starts a sign-in: the platform's authorization URL to redirect the browser to, and the flow to keep
   * in the flow cookie. Throws {@link OidcError} `oidc_unavailable` when discovery fails.
   */
  async begin(redirectUrl: string, returnTo: string, now = Date.now()): Promise<{ url: URL; flow: OidcFlow }> {
    const configuration = await this.discover();
    const codeVerifier = oidc.randomPKCECodeVerifier();
    const flow: OidcFlow = { state: oidc.randomState(), nonce: oidc.randomNonce(), codeVerifier, redirectUrl, returnTo, createdAt: now };
    const url = oidc.buildAuthorizationUrl(configuration, {
      redirect_uri: redirectUrl,
      scope: this.config.scopes,
      code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state: flow.state,
      nonce: flow.nonce,
    });
    return { url, flow };
  }

  /**
   * Ends a sign-in at the callback: checks `state`, exchanges the code (PKCE), lets the library validate
   * the ID token (with the flow's `nonce`), and returns its claims merged under the UserInfo claims'
   * `sub`-checked answer. `query` is the callback's query string. Throws {@link OidcError}.
   */
  async finish(flow: OidcFlow, query: URLSearchParams): Promise<OidcClaims> {
    const configuration = await this.discover();
    const callback = new URL(flow.redirectUrl);
    callback.search = query.toString();
    let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
    try {
      tokens = await oidc.authorizationCodeGrant(configuration, callback, { pkceCodeVerifier: flow.codeVerifier, expectedState: flow.state, expectedNonce: flow.nonce, idTokenExpected: true });
    } catch (error) {
      if (error instanceof oidc.AuthorizationResponseError && error.error === 'access_denied') {
        throw new OidcError('oidc_denied', `the identity platform refused the sign-in: ${error.error_description ?? error.error}`, { cause: error });
      }
      throw new OidcError('oidc_failed', `the sign-in could not be completed: ${describe(error)}`, { cause: error });
    }
    const idClaims = tokens.claims();
    if (!idClaims) throw new OidcError('oidc_failed', 'the identity platform sent no ID token');
    let claims: OidcClaims = { ...idClaims, sub: idClaims.sub };
    if (configuration.serverMetadata().userinfo_endpoint && tokens.access_token) {
      try {
        const info = await oidc.fetchUserInfo(configuration, tokens.access_token, idClaims.sub);
        claims = { ...info, ...idClaims, sub: idClaims.sub };
      } catch (error) {
        throw new OidcError('oidc_failed', `the identity platform's UserInfo could not be read: ${describe(error)}`, { cause: error });
      }
    }
    return claims;
  }
}

function mac(key: Buffer, payload: string): Buffer {
  return createHmac('sha256', key).update(payload).digest();
}

/** A fresh random key for {@link sealFlow} (one per server process). */
export function newFlowKey(): Buffer {
  return randomBytes(32);
}

/** The flow as a cookie value: base64url JSON and its HMAC-SHA256 under `key`. */
export function sealFlow(flow: OidcFlow, key: Buffer): string {
  const payload = Buffer.from(JSON.stringify(flow)).toString('base64url');
  return `${payload}.${mac(key, payload).toString('base64url')}`;
}

/** The flow of a cookie value made by {@link sealFlow}, or undefined when it is forged, malformed or older than {@link FLOW_TTL_MS}. */
export function openFlow(value: string | undefined, key: Buffer, now = Date.now()): OidcFlow | undefined {
  if (!value) return undefined;
  const [payload, sent, extra] = value.split('.');
  if (!payload || !sent || extra !== undefined) return undefined;
  const expected = mac(key, payload);
  const given = Buffer.from(sent, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  try {
    const flow = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as OidcFlow;
    if (typeof flow.createdAt !== 'number' || now - flow.createdAt > FLOW_TTL_MS || now < flow.createdAt - 60_000) return undefined;
    return flow;
  } catch {
    return undefined;
  }
}
