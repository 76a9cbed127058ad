/**
 * `/api/users`: admins list, add (a one-time password shown once), change (display name, role,
 * disabled) and reset users. The last active admin cannot be disabled or demoted (409 `last_admin`).
 */
import { Router } from 'express';
import { CreateUserBodySchema, UpdateUserBodySchema, type CreatedUser, type ResetPasswordReply } from '@shared/users.js';
import type { Db } from '../storage/db.js';
import { createUserWithOneTimePassword, getUserById, listUsers, resetPassword, toUser, updateUser } from '../users/users.js';
import { allow } from './access.js';
import { audits, auditedRequest, recordRequest } from './audit-context.js';
import { userCreatedChange, userPasswordResetChange, userUpdatedChange } from '../audit/index.js';
import { parseBody } from './errors.js';

/** The `/users` routes (mounted under `/api`). */
export function userRoutes(db: Db): Router {
  const router = Router();

  router.get('/users', allow('users:read'), (_req, res) => {
    res.json(listUsers(db));
  });

  router.post('/users', allow('users:write'), audits('user.create'), async (req, res) => {
    const body = parseBody(CreateUserBodySchema, req.body ?? {});
    const created = await createUserWithOneTimePassword(db, { name: body.name, displayName: body.display_name, role: body.role });
    // Hashing the password is asynchronous, so the entry follows the insert rather than sharing its transaction.
    recordRequest(db, res, userCreatedChange(toUser(created.user)));
    const reply: CreatedUser = { user: toUser(created.user), password: created.password };
    res.status(201).location(`/api/users/${created.user.id}`).json(reply);
  });

  router.patch('/users/:id', allow('users:write'), audits('user.update'), (req, res) => {
    const body = parseBody(UpdateUserBodySchema, req.body ?? {});
    const before = getUserById(db, req.params.id);
    const updated = auditedRequest(
      db,
      res,
      () => toUser(updateUser(db, req.params.id, { displayName: body.display_name, role: body.role, disabled: body.disabled })),
      (after) => (before ? userUpdatedChange(toUser(before), after) : null),
    );
    res.json(updated);
  });

  router.post('/users/:id/reset-password', allow('users:write'), audits('user.reset_password'), async (req, res) => {
    const reset = await resetPassword(db, req.params.id);
    recordRequest(db, res, userPasswordResetChange(toUser(reset.user)));
    const reply: ResetPasswordReply = { password: reset.password };
    res.json(reply);
  });

  return router;
}
