/**
 * Whether the request's user may see customers' personal data unmasked (the `pii:read` permission,
 * see `@shared/permissions.ts`). Every `/api` route that sends stored transcripts, run inputs, outputs
 * or traces, job results or dashboard calls asks here, once per request, and shapes its reply with
 * {@link piiView} from `./pii.ts`.
 *
 * Until requests carry a signed-in user (issue 12's accounts branch), every request may: this is the
 * one place that changes then, to `can(requestUser(req).role, 'pii:read')`.
 */
import type { Request } from 'express';

/** Whether `req`'s user holds `pii:read`. */
export function canReadPii(req: Request): boolean {
  void req;
  return true;
}

/** How the routes ask (a server started with another answer, for tests, passes its own). */
export type PiiAccess = (req: Request) => boolean;
