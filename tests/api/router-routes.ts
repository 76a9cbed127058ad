/**
 * Walks a running app's Express router stack (nested routers and their mount paths included) and lists
 * every route with what its handlers declare: the access of its first handler (`allow(…)`) and the audit
 * actions of an `audits(…)` handler. The permission and audit tests enumerate the routes with it.
 */
import type { AuditAction } from '@shared/audit.js';
import { accessOf, type Access } from '../../server/src/http/access.js';
import { auditsOf } from '../../server/src/http/audit-context.js';

interface Layer {
  route?: { path: unknown; methods: Record<string, boolean>; stack: Array<{ handle: unknown }> };
  handle?: { stack?: Layer[] };
  rawPath?: unknown;
}

/** One route: its method (`ALL` for `app.all`), full path, declared access and audited actions. */
export interface RouteEntry {
  method: string;
  path: string;
  access: Access | undefined;
  audits: readonly AuditAction[] | undefined;
}

function walk(stack: Layer[], prefix: string): RouteEntry[] {
  const out: RouteEntry[] = [];
  for (const layer of stack) {
    if (layer.route) {
      const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
      const handlers = layer.route.stack.map((l) => l.handle);
      const audits = handlers.map(auditsOf).find((a) => a !== undefined);
      for (const p of paths) {
        for (const method of Object.keys(layer.route.methods)) {
          out.push({ method: method === '_all' ? 'ALL' : method.toUpperCase(), path: typeof p === 'string' ? prefix + p : `${prefix}${String(p)}`, access: accessOf(handlers[0]), audits });
        }
      }
    } else if (layer.handle?.stack) {
      const mount = typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : '';
      out.push(...walk(layer.handle.stack, prefix + mount));
    }
  }
  return out;
}

/** Every route of an Express app (`server.app`). */
export function routesOf(app: unknown): RouteEntry[] {
  const router = (app as { router: { stack: Layer[] } }).router;
  return walk(router.stack, '');
}
