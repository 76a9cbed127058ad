import { lookup as dnsLookup } from 'node:dns';
import type { LookupAddress, LookupOptions } from 'node:dns';
import ipaddr from 'ipaddr.js';
import { Agent, request } from 'undici';
import { NodeError, type HttpRequester } from '../nodes/kit.js';

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/** Resolves a host name to every address it has (injectable so tests need no DNS). */
export type Resolver = (hostname: string) => Promise<LookupAddress[]>;

export interface SafeHttpOptions {
  /** CIDRs (`10.1.0.0/16`), single addresses or host names that may be called even though private. */
  allow?: string[];
  /** Largest response body accepted, in bytes (default 5 MB). */
  maxBodyBytes?: number;
  resolve?: Resolver;
}

/** Raised inside the connection's DNS lookup when the address is refused. */
class RefusedAddressError extends Error {
  constructor(
    readonly hostname: string,
    readonly address: string,
    readonly range: string,
  ) {
    super(`${hostname} resolves to ${address} (${range})`);
  }
}

interface AllowList {
  ranges: Array<[Address, number]>;
  hosts: Set<string>;
}

/**
 * Reads the admin's allow-list from `MOFANG_HTTP_ALLOW`: comma-separated CIDRs, addresses or host names.
 */
export function httpAllowFromEnv(env: Record<string, string | undefined>): string[] {
  return (env.MOFANG_HTTP_ALLOW ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
}

/** Parses allow-list entries; throws on an entry that is neither a CIDR, an address nor a host name. */
export function parseAllowList(entries: string[]): AllowList {
  const list: AllowList = { ranges: [], hosts: new Set() };
  for (const raw of entries) {
    const entry = raw.trim().replace(/^\[(.*)\]$/, '$1');
    if (entry.includes('/')) {
      if (!ipaddr.isValidCIDR(entry)) throw new Error(`MOFANG_HTTP_ALLOW: "${raw}" is not a valid CIDR`);
      list.ranges.push(ipaddr.parseCIDR(entry));
    } else if (ipaddr.isValid(entry)) {
      const address = ipaddr.process(entry);
      list.ranges.push([address, address.kind() === 'ipv4' ? 32 : 128]);
    } else if (/^[a-z0-9.-]+$/i.test(entry)) {
      list.hosts.add(normalizeHost(entry));
    } else {
      throw new Error(`MOFANG_HTTP_ALLOW: "${raw}" is not a CIDR, an address or a host name`);
    }
  }
  return list;
}

/**
 * Why an address is refused (its ipaddr.js range such as `loopback` or `private`), or null when it may be
 * called: public unicast addresses always, others only when the allow-list covers them. An IPv6 address
 * that carries an IPv4 address (see {@link embeddedIPv4}) is judged as that IPv4 address, so
 * `[::127.0.0.1]` is loopback; the tunnel forms 6to4 and Teredo are refused whatever they carry.
 */
export function refusedRange(address: string, allow: AllowList): string | null {
  if (!ipaddr.isValid(address)) return 'invalid';
  // process() turns an IPv4-mapped IPv6 address into the IPv4 address it carries.
  const processed = ipaddr.process(address);
  const parsed = (processed.kind() === 'ipv6' && carriedIPv4(processed)) || processed;
  for (const [base, bits] of allow.ranges) {
    if (base.kind() === parsed.kind() && parsed.match([base, bits])) return null;
  }
  const range = parsed.range();
  return range === 'unicast' ? null : range;
}

/**
 * The IPv4 address an IPv6 address stands for, if it is one of the forms that carry one in their last
 * 32 bits: IPv4-mapped (`::ffff:a.b.c.d`), IPv4-compatible (`::a.b.c.d`, which URL parsers print as
 * `::7f00:1`), IPv4-translated (`::ffff:0:a.b.c.d`) and NAT64 (`64:ff9b::a.b.c.d`); otherwise null.
 */
export function embeddedIPv4(address: string): string | null {
  if (!ipaddr.isValid(address)) return null;
  const parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv4') return null;
  return carriedIPv4(parsed)?.toString() ?? (parsed instanceof ipaddr.IPv6 && parsed.isIPv4MappedAddress() ? parsed.toIPv4Address().toString() : null);
}

function carriedIPv4(address: Address): ipaddr.IPv4 | null {
  if (!(address instanceof ipaddr.IPv6)) return null;
  const p = address.parts;
  const zeros = (from: number, to: number) => p.slice(from, to).every((x) => x === 0);
  const compatible = zeros(0, 6) && (p[6] !== 0 || p[7] > 1); // ::/96 except :: and ::1
  const translated = zeros(0, 4) && p[4] === 0xffff && p[5] === 0;
  const nat64 = p[0] === 0x64 && p[1] === 0xff9b && zeros(2, 6);
  if (!compatible && !translated && !nat64) return null;
  return new ipaddr.IPv4([p[6] >> 8, p[6] & 0xff, p[7] >> 8, p[7] & 0xff]);
}

function normalizeHost(host: string): string {
  return host.toLowerCase().replace(/\.$/, '');
}

const defaultResolve: Resolver = (hostname) =>
  new Promise((resolve, reject) => {
    dnsLookup(hostname, { all: true }, (error, addresses) => (error ? reject(error) : resolve(addresses)));
  });

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * Creates the outbound HTTP client of the http node. Every connection's address is checked where it is
 * made (the agent's own DNS lookup), so a name that re-resolves to a private address is still refused.
 * Redirects are not followed: a 3xx is returned as it is.
 */
export function createSafeHttp(options: SafeHttpOptions = {}): HttpRequester & { close(): Promise<void> } {
  const allow = parseAllowList(options.allow ?? []);
  const maxBodyBytes = options.maxBodyBytes ?? 5 * 1024 * 1024;
  const resolve = options.resolve ?? defaultResolve;

  function guardedLookup(hostname: string, lookupOptions: LookupOptions, callback: LookupCallback): void {
    const host = normalizeHost(hostname);
    resolve(host).then(
      (found) => {
        const family = lookupOptions.family === 4 || lookupOptions.family === 6 ? lookupOptions.family : 0;
        const addresses = family ? found.filter((a) => a.family === family) : found;
        if (!allow.hosts.has(host)) {
          for (const a of addresses) {
            const range = refusedRange(a.address, allow);
            if (range) return callback(new RefusedAddressError(host, a.address, range), '');
          }
        }
        if (addresses.length === 0) return callback(Object.assign(new Error(`no address for ${host}`), { code: 'ENOTFOUND' }), '');
        if (lookupOptions.all) callback(null, addresses);
        else callback(null, addresses[0].address, addresses[0].family);
      },
      (error: NodeJS.ErrnoException) => callback(error, ''),
    );
  }

  const agent = new Agent({ connect: { lookup: guardedLookup }, connections: 32 });

  return {
    async request(req) {
      const url = parseUrl(req.url);
      const literal = url.hostname.replace(/^\[(.*)\]$/, '$1');
      if (ipaddr.isValid(literal)) {
        const range = refusedRange(literal, allow);
        if (range) throw refused(literal, literal, range);
      }
      const timeout = AbortSignal.timeout(req.timeoutMs);
      const signal = AbortSignal.any([req.signal, timeout]);
      try {
        const response = await request(url, {
          method: req.method,
          headers: req.headers,
          body: req.body === undefined || req.body === '' ? undefined : req.body,
          signal,
          dispatcher: agent,
          headersTimeout: req.timeoutMs,
          bodyTimeout: req.timeoutMs,
        });
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(response.headers)) {
          if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
        }
        const declared = Number(headers['content-length']);
        if (Number.isFinite(declared) && declared > maxBodyBytes) {
          discard(response.body);
          throw tooLarge(maxBodyBytes);
        }
        const chunks: Buffer[] = [];
        let size = 0;
        for await (const chunk of response.body) {
          const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
          size += buffer.length;
          if (size > maxBodyBytes) {
            discard(response.body);
            throw tooLarge(maxBodyBytes);
          }
          chunks.push(buffer);
        }
        return { status: response.statusCode, headers, body: Buffer.concat(chunks).toString('utf8') };
      } catch (error) {
        throw translate(error, req, timeout);
      }
    },
    close: () => agent.close(),
  };
}

/** Drops a response body unread; destroying it emits an abort error nobody needs. */
function discard(body: NodeJS.ReadableStream & { destroy(): void }): void {
  body.on('error', () => undefined);
  body.destroy();
}

function parseUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new NodeError('http_bad_url', `not a valid URL: ${text.slice(0, 200)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new NodeError('http_bad_url', `only http and https URLs are allowed, not ${url.protocol}`);
  }
  return url;
}

function refused(host: string, address: string, range: string): NodeError {
  const what = host === address ? address : `${host} (${address})`;
  const inner = embeddedIPv4(address);
  const carried = inner ? ` (it carries the IPv4 address ${inner})` : '';
  return new NodeError(
    'http_refused',
    `refused to call ${what}: it is a ${range} address${carried}. An admin can allow it by adding it (or its CIDR) to MOFANG_HTTP_ALLOW`,
    { details: { host, address, range, ...(inner ? { ipv4: inner } : {}) } },
  );
}

function tooLarge(max: number): NodeError {
  return new NodeError('http_too_large', `the response body is larger than ${max} bytes`);
}

/** Maps whatever the request threw to a NodeError, looking through causes for a refused address. */
function translate(error: unknown, req: { url: string; timeoutMs: number; signal: AbortSignal }, timeout: AbortSignal): unknown {
  if (error instanceof NodeError) return error;
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    if (e instanceof RefusedAddressError) return refused(e.hostname, e.address, e.range);
  }
  if (req.signal.aborted) return new NodeError('http_cancelled', 'the request was cancelled', { cause: error });
  const name = error instanceof Error ? error.name : '';
  const code = errorCode(error);
  if (timeout.aborted || name === 'TimeoutError' || /TIMEOUT/.test(code)) {
    return new NodeError('http_timeout', `no response from ${hostOf(req.url)} within ${req.timeoutMs} ms`, { retryable: true, cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new NodeError('http_network', `could not reach ${hostOf(req.url)}: ${code || message}`, { retryable: true, cause: error });
}

function errorCode(error: unknown): string {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    if ('code' in e && typeof e.code === 'string') return e.code;
  }
  return '';
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
