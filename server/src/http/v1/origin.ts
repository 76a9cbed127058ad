/**
 * The origin a caller reached the server at, from a plain Node request (the fast lane has no Express):
 * `MOFANG_PUBLIC_URL` when set; else the scheme and host a proxy reports in `X-Forwarded-Proto` /
 * `X-Forwarded-Host` (first value of each), else the connection's own. The same rule as the OpenAPI
 * documents' server URL (openapi/routes.ts `publicOrigin`), so links in replies and documents agree.
 */
import type { IncomingMessage } from 'node:http';

/** A host with an optional port, as `Host` and `X-Forwarded-Host` carry it. */
const HOST = /^(?:[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;

function first(value: string | string[] | undefined): string | undefined {
  const text = (Array.isArray(value) ? value[0] : value)?.split(',')[0]?.trim();
  return text === undefined || text === '' ? undefined : text;
}

/** `https://host[:port]` without a trailing slash. */
export function requestOrigin(req: IncomingMessage, publicUrl?: string): string {
  if (publicUrl) return publicUrl.replace(/\/+$/, '');
  const proto = first(req.headers['x-forwarded-proto'])?.toLowerCase();
  const forwarded = first(req.headers['x-forwarded-host']);
  const own = first(req.headers.host);
  const encrypted = 'encrypted' in req.socket && req.socket.encrypted === true;
  const scheme = proto === 'http' || proto === 'https' ? proto : encrypted ? 'https' : 'http';
  const authority = forwarded !== undefined && HOST.test(forwarded) ? forwarded : own !== undefined && HOST.test(own) ? own : '127.0.0.1';
  return `${scheme}://${authority}`;
}
