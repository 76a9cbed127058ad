/**
 * The Host header check, against DNS rebinding: a page on `attacker.example` whose name the attacker
 * then points at this server's address would otherwise talk to Mofang as the same origin. Browsers
 * always send the name they resolved as `Host`, so the server answers only to its own names:
 *
 * - loopback names (`localhost`, `127.0.0.1`, `[::1]`, any port) always;
 * - the names in `MOFANG_ALLOWED_HOSTS` and the host of `MOFANG_PUBLIC_URL`, always;
 * - when it listens beyond loopback, also any IP address: a rebinding attack needs a DNS name, and
 *   reaching the server by address (`http://10.0.0.5:3000`) must keep working without a setting.
 *
 * Anything else is refused with 421 Misdirected Request, `host_not_allowed`, naming the setting; a
 * missing or malformed Host with 400 `invalid_host`.
 */
import ipaddr from 'ipaddr.js';
import { normaliseHostName } from '../common/web-config.js';

/** Where the server listens and which names it was told are its own. */
export interface HostPolicy {
  /** The listen address (`HOST`): a loopback address or `localhost` keeps the check to loopback names. */
  listenHost: string;
  /** `MOFANG_ALLOWED_HOSTS`, normalised (see WebConfig.allowedHosts). */
  allowedHosts: readonly string[];
  /** `MOFANG_PUBLIC_URL`, whose host is allowed too. */
  publicUrl?: string;
}

/** A refusal: the status, code and message of the JSON error to send. */
export interface HostRefusal {
  status: 400 | 421;
  code: 'invalid_host' | 'host_not_allowed';
  message: string;
  details: { host: string | null; setting: 'MOFANG_ALLOWED_HOSTS' };
}

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '::1']);

/** Whether a listen address only accepts connections from this machine. */
export function isLoopbackAddress(host: string): boolean {
  const name = host.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (name === 'localhost') return true;
  if (!ipaddr.isValid(name)) return false;
  return ipaddr.process(name).range() === 'loopback';
}

/** The host name of a Host header (port dropped, normalised), or undefined when it is not one. */
export function hostNameOfHeader(header: string): string | undefined {
  let name = header;
  let port = '';
  if (header.startsWith('[')) {
    const end = header.indexOf(']');
    if (end < 0) return undefined;
    name = header.slice(0, end + 1);
    port = header.slice(end + 1);
    if (!name.includes(':')) return undefined;
  } else {
    const colon = header.indexOf(':');
    if (colon >= 0) {
      name = header.slice(0, colon);
      port = header.slice(colon);
    }
  }
  if (port !== '' && !/^:\d{1,5}$/.test(port)) return undefined;
  return normaliseHostName(name);
}

function matches(name: string, entry: string): boolean {
  return entry.startsWith('.') ? name === entry.slice(1) || name.endsWith(entry) : name === entry;
}

/**
 * Builds the check: give it a request's Host header, get undefined (allowed) or the refusal. Verdicts
 * are remembered per header value (a bounded cache), so the common case costs one map lookup.
 */
export function hostChecker(policy: HostPolicy): (header: string | undefined) => HostRefusal | undefined {
  const loopbackOnly = isLoopbackAddress(policy.listenHost);
  const own = [...policy.allowedHosts];
  if (policy.publicUrl) {
    const name = normaliseHostName(new URL(policy.publicUrl).hostname);
    if (name) own.push(name);
  }
  const verdicts = new Map<string, HostRefusal | undefined>();

  const decide = (header: string): HostRefusal | undefined => {
    const name = hostNameOfHeader(header);
    if (name === undefined) {
      return { status: 400, code: 'invalid_host', message: `the Host header "${header}" is not a host name`, details: { host: header, setting: 'MOFANG_ALLOWED_HOSTS' } };
    }
    if (LOOPBACK_NAMES.has(name) || own.some((entry) => matches(name, entry))) return undefined;
    if (!loopbackOnly && ipaddr.isValid(name)) return undefined;
    return {
      status: 421,
      code: 'host_not_allowed',
      message: `this server does not answer to the host "${name}": add it to MOFANG_ALLOWED_HOSTS (comma-separated host names) or set MOFANG_PUBLIC_URL, if it is a name of this server`,
      details: { host: name, setting: 'MOFANG_ALLOWED_HOSTS' },
    };
  };

  return (header) => {
    if (header === undefined || header === '') {
      return { status: 400, code: 'invalid_host', message: 'the request has no Host header', details: { host: null, setting: 'MOFANG_ALLOWED_HOSTS' } };
    }
    if (verdicts.has(header)) return verdicts.get(header);
    const verdict = decide(header);
    if (verdicts.size >= 1024) verdicts.clear();
    verdicts.set(header, verdict);
    return verdict;
  };
}
