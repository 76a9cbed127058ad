/**
 * Whether the request's user may see customers' personal data unmasked (the `pii:read` permission,
 * see `@shared/permissions.ts`: admins and inspectors). Every `/api` route that sends stored
 * transcripts, run inputs, outputs or traces, job results or dashboard calls asks here, once per
 * request, and shapes its reply with {@link piiView} from `./pii.ts`. A request with no signed-in user
 * (none reaches those routes: they declare a permission) may not.
 */
import type { Request } from 'express';
import { can } from '@shared/permissions.js';
import { requestUser } from './access.js';

/** Whether `req`'s signed-in user holds `pii:read`. */
export function canReadPii(req: Request): boolean {
  const user = req.res ? requestUser(req.res) : undefined;
  return user !== undefined && can(user.role, 'pii:read');
}

/** How the routes ask (a server started with another answer, for tests, passes its own). */
export type PiiAccess = (req: Request) => boolean;
