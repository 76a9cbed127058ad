/**
 * Settings of the web front door, from the environment (all optional): the host names the server
 * answers to beyond loopback (`MOFANG_ALLOWED_HOSTS`, against DNS rebinding) and the origins whose
 * pages may call the published API from a browser (`MOFANG_CORS_ORIGINS`).
 */
import ipaddr from 'ipaddr.js';
import { blankAsUnset } from '../env-settings.js';

/** What the front door (server/src/http/front-door.ts) is configured with. */
export interface WebConfig {
  /**
   * Host names (lower case, no port) a request's `Host` may name, besides loopback names and, when the
   * server listens beyond loopback, IP addresses. An entry starting with `.` also matches every
   * subdomain (`.example.com` matches `example.com` and `a.example.com`).
   */
  allowedHosts: string[];
  /** Origins (`scheme://host[:port]`, as browsers send them) allowed to call `/v1` across origins; empty: CORS off. */
  corsOrigins: string[];
}

/** The defaults, as with an empty environment: no extra hosts, CORS off. */
export const DEFAULT_WEB_CONFIG: WebConfig = { allowedHosts: [], corsOrigins: [] };

// One DNS label: letters, digits and inner hyphens (underscores too, which some internal zones use).
const LABEL = /^(?!-)[a-z0-9_-]{1,63}(?<!-)$/;

function list(value: unknown): string[] {
  const text = blankAsUnset(value);
  if (typeof text !== 'string') return [];
  return text.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}

/** A host name or IP address as a Host header carries it without its port, normalised; undefined when it is neither. */
export function normaliseHostName(raw: string): string | undefined {
  let name = raw.toLowerCase();
  if (name.startsWith('[') && name.endsWith(']')) name = name.slice(1, -1);
  if (ipaddr.isValid(name)) {
    // An IPv4 address in its one usual form only ("127.1" or "0x7f.0.0.1" are other names for it).
    if (ipaddr.IPv4.isValidFourPartDecimal(name) || name.includes(':')) return ipaddr.parse(name).toString();
    return undefined;
  }
  if (name.endsWith('.')) name = name.slice(0, -1);
  if (name.length === 0 || name.length > 253) return undefined;
  return name.split('.').every((label) => LABEL.test(label)) ? name : undefined;
}

function allowedHost(entry: string): string {
  const sub = entry.startsWith('.');
  const name = normaliseHostName(sub ? entry.slice(1) : entry);
  if (name === undefined) {
    throw new Error(`MOFANG_ALLOWED_HOSTS: "${entry}" is not a host name; list names without scheme, port or path, e.g. mofang.example.com,.corp.example.com`);
  }
  return sub ? `.${name}` : name;
}

function corsOrigin(entry: string): string {
  const problem = `MOFANG_CORS_ORIGINS: "${entry}" is not an origin; list origins as browsers send them, e.g. https://crm.example.com,http://10.0.0.8:8080 (no path, no *)`;
  let url: URL;
  try {
    url = new URL(entry);
  } catch {
    throw new Error(problem);
  }
  const bare = url.pathname === '/' && url.search === '' && url.hash === '' && url.username === '' && url.password === '';
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || !bare) throw new Error(problem);
  return url.origin;
}

/** Reads the front door's settings; throws an Error naming the variable and the bad entry. */
export function webConfigFromEnv(env: NodeJS.ProcessEnv): WebConfig {
  return {
    allowedHosts: [...new Set(list(env.MOFANG_ALLOWED_HOSTS).map(allowedHost))],
    corsOrigins: [...new Set(list(env.MOFANG_CORS_ORIGINS).map(corsOrigin))],
  };
}
