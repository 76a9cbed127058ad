/**
 * Settings of single sign-on through OpenID Connect, from the environment (SSO is on when
 * `MOFANG_OIDC_ISSUER` is set):
 * - `MOFANG_OIDC_ISSUER`: the identity platform's issuer URL (its discovery document is
 *   `<issuer>/.well-known/openid-configuration`); https, or http only for a loopback host;
 * - `MOFANG_OIDC_CLIENT_ID` (required with an issuer) and `MOFANG_OIDC_CLIENT_SECRET` (none: a public
 *   client, which PKCE protects);
 * - `MOFANG_OIDC_REDIRECT_URL`: the callback as registered at the identity platform, ending in
 *   `/api/auth/oidc/callback`; unset, it is `MOFANG_PUBLIC_URL` + that path, else the request's own origin;
 * - `MOFANG_OIDC_SCOPES` (default `openid profile email`; must hold `openid`);
 * - `MOFANG_OIDC_DEFAULT_ROLE` (default `viewer`): the role of a user the sign-in creates, or whose role
 *   claim maps to no role;
 * - `MOFANG_OIDC_ROLE_CLAIM` + `MOFANG_OIDC_ROLE_MAP`: the claim (e.g. `groups`) and `role=value` pairs
 *   separated by commas (e.g. `admin=mofang-admins,designer=mofang-designers`); the first pair whose value
 *   the claim holds gives the role, which is then set again at every sign-in;
 * - `MOFANG_OIDC_AUTO_CREATE` (default `true`): `false` lets in only identities already linked, or whose
 *   login name an admin created.
 */
import { z } from 'zod';
import { ROLES, type Role } from '@shared/permissions.js';
import { blankAsUnset } from '../env-settings.js';

/** The path of the callback under the server's origin. */
export const OIDC_CALLBACK_PATH = '/api/auth/oidc/callback';

/** One `role=value` pair of `MOFANG_OIDC_ROLE_MAP`. */
export interface RoleMapping {
  role: Role;
  /** The claim value (a group or role name at the identity platform) that gives `role`. */
  value: string;
}

/** Single sign-on settings; undefined in {@link oidcConfigFromEnv}'s result means SSO is off. */
export interface OidcConfig {
  issuer: URL;
  clientId: string;
  /** Undefined for a public client (no client authentication; PKCE only). */
  clientSecret?: string;
  /** The callback URL as the identity platform knows it; undefined: `MOFANG_PUBLIC_URL` or the request's origin + {@link OIDC_CALLBACK_PATH}. */
  redirectUrl?: URL;
  /** Space-separated scopes sent with the authorization request. */
  scopes: string;
  defaultRole: Role;
  /** The claim holding group or role names, when roles are mapped. */
  roleClaim?: string;
  /** In order: the first match wins. Empty when roles are not mapped. */
  roleMap: RoleMapping[];
  /** Whether a first-time identity gets a new user. */
  autoCreate: boolean;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** An absolute http(s) URL; plain http only for a loopback host (a test or a local identity platform). */
function url(name: string, value: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new Error(`${name} must be an absolute URL, e.g. https://sso.example.com/realms/main`);
  }
  if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && LOOPBACK.has(parsed.hostname))) {
    throw new Error(`${name} must be an https URL (plain http only for localhost / 127.0.0.1)`);
  }
  if (parsed.search || parsed.hash || parsed.username || parsed.password) throw new Error(`${name} must have no query, fragment or credentials`);
  return parsed;
}

function role(name: string, value: string): Role {
  if (!(ROLES as readonly string[]).includes(value)) throw new Error(`${name}: "${value}" is not a role (${ROLES.join(', ')})`);
  return value as Role;
}

/** Parses `admin=mofang-admins,designer=mofang-designers`; throws an Error naming the setting. */
export function parseRoleMap(value: string): RoleMapping[] {
  const name = 'MOFANG_OIDC_ROLE_MAP';
  return value
    .split(',')
    .map((pair) => pair.trim())
    .filter((pair) => pair !== '')
    .map((pair) => {
      const eq = pair.indexOf('=');
      if (eq <= 0 || eq === pair.length - 1) throw new Error(`${name}: "${pair}" is not role=value (e.g. admin=mofang-admins)`);
      return { role: role(name, pair.slice(0, eq).trim()), value: pair.slice(eq + 1).trim() };
    });
}

const text = z.preprocess(blankAsUnset, z.string().trim().optional());
const Schema = z.object({
  MOFANG_OIDC_ISSUER: text,
  MOFANG_OIDC_CLIENT_ID: text,
  MOFANG_OIDC_CLIENT_SECRET: z.preprocess(blankAsUnset, z.string().optional()),
  MOFANG_OIDC_REDIRECT_URL: text,
  MOFANG_OIDC_SCOPES: text,
  MOFANG_OIDC_DEFAULT_ROLE: text,
  MOFANG_OIDC_ROLE_CLAIM: text,
  MOFANG_OIDC_ROLE_MAP: text,
  MOFANG_OIDC_AUTO_CREATE: text,
});

function bool(name: string, value: string | undefined, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (/^(true|1|yes)$/i.test(value)) return true;
  if (/^(false|0|no)$/i.test(value)) return false;
  throw new Error(`${name} must be true or false`);
}

/**
 * Reads the settings: undefined when `MOFANG_OIDC_ISSUER` is unset (SSO off; the other `MOFANG_OIDC_*`
 * must then be unset too). Throws an Error naming the first bad variable.
 */
export function oidcConfigFromEnv(env: NodeJS.ProcessEnv): OidcConfig | undefined {
  const e = Schema.parse(env);
  if (e.MOFANG_OIDC_ISSUER === undefined) {
    const stray = Object.entries(e).find(([, v]) => v !== undefined);
    if (stray) throw new Error(`${stray[0]} is set but MOFANG_OIDC_ISSUER is not: set the issuer to turn single sign-on on`);
    return undefined;
  }
  const issuer = url('MOFANG_OIDC_ISSUER', e.MOFANG_OIDC_ISSUER);
  if (e.MOFANG_OIDC_CLIENT_ID === undefined) throw new Error('MOFANG_OIDC_CLIENT_ID is required with MOFANG_OIDC_ISSUER (the client id registered at the identity platform)');
  const redirectUrl = e.MOFANG_OIDC_REDIRECT_URL === undefined ? undefined : url('MOFANG_OIDC_REDIRECT_URL', e.MOFANG_OIDC_REDIRECT_URL);
  if (redirectUrl && !redirectUrl.pathname.endsWith(OIDC_CALLBACK_PATH)) throw new Error(`MOFANG_OIDC_REDIRECT_URL must end in ${OIDC_CALLBACK_PATH}`);
  const scopes = (e.MOFANG_OIDC_SCOPES ?? 'openid profile email').split(/[\s,]+/).filter((s) => s !== '');
  if (!scopes.includes('openid')) throw new Error('MOFANG_OIDC_SCOPES must include openid');
  const roleMap = e.MOFANG_OIDC_ROLE_MAP === undefined ? [] : parseRoleMap(e.MOFANG_OIDC_ROLE_MAP);
  if (roleMap.length > 0 && e.MOFANG_OIDC_ROLE_CLAIM === undefined) throw new Error('MOFANG_OIDC_ROLE_MAP needs MOFANG_OIDC_ROLE_CLAIM (the claim holding group or role names, e.g. groups)');
  if (e.MOFANG_OIDC_ROLE_CLAIM !== undefined && roleMap.length === 0) throw new Error('MOFANG_OIDC_ROLE_CLAIM needs MOFANG_OIDC_ROLE_MAP (e.g. admin=mofang-admins,designer=mofang-designers)');
  return {
    issuer,
    clientId: e.MOFANG_OIDC_CLIENT_ID,
    clientSecret: e.MOFANG_OIDC_CLIENT_SECRET,
    redirectUrl,
    scopes: scopes.join(' '),
    defaultRole: e.MOFANG_OIDC_DEFAULT_ROLE === undefined ? 'viewer' : role('MOFANG_OIDC_DEFAULT_ROLE', e.MOFANG_OIDC_DEFAULT_ROLE),
    roleClaim: e.MOFANG_OIDC_ROLE_CLAIM,
    roleMap,
    autoCreate: bool('MOFANG_OIDC_AUTO_CREATE', e.MOFANG_OIDC_AUTO_CREATE, true),
  };
}
