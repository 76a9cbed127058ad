/**
 * `/api/users`: admins list, add (a one-time password shown once), change (display name, role,
 * disabled) and reset users. The last active admin cannot be disabled or demoted (409 `last_admin`).
 */
import { Router } from 'express';
import { CreateUserBodySchema, UpdateUserBodySchema, type CreatedUser, type ResetPasswordReply, type User } from '@shared/users.js';
import type { DataStore } from '../storage/store.js';
import { createUserWithOneTimePassword, getUserById, listUsers, resetPassword, toUser, updateUser } from '../users/users.js';
import { allow } from './access.js';
import { audits, auditedRequestIn, requestActor } from './audit-context.js';
import { recordAuditIn, userCreatedChange, userPasswordResetChange, userUpdatedChange } from '../audit/index.js';
import { parseBody } from './errors.js';

/** The `/users` routes (mounted under `/api`). */
export function userRoutes(store: DataStore): Router {
  const router = Router();

  router.get('/users', allow('users:read'), async (_req, res) => {
    res.json(await listUsers(store));
  });

  router.post('/users', allow('users:write'), audits('user.create'), async (req, res) => {
    const body = parseBody(CreateUserBodySchema, req.body ?? {});
    const actor = requestActor(res);
    // The insert and its entry share one transaction (the password is hashed before it).
    const created = await createUserWithOneTimePassword(store, { name: body.name, displayName: body.display_name, role: body.role }, undefined, (tx, row) => recordAuditIn(tx, actor, userCreatedChange(toUser(row))));
    const reply: CreatedUser = { user: toUser(created.user), password: created.password };
    res.status(201).location(`/api/users/${created.user.id}`).json(reply);
  });

  router.patch('/users/:id', allow('users:write'), audits('user.update'), async (req, res) => {
    const body = parseBody(UpdateUserBodySchema, req.body ?? {});
    let before: User | undefined;
    const updated = await auditedRequestIn(
      store,
      res,
      async (tx) => {
        const row = await getUserById(tx, req.params.id);
        before = row && toUser(row);
        return toUser(await updateUser(tx, req.params.id, { displayName: body.display_name, role: body.role, disabled: body.disabled }));
      },
      (after) => (before ? userUpdatedChange(before, after) : null),
    );
    res.json(updated);
  });

  router.post('/users/:id/reset-password', allow('users:write'), audits('user.reset_password'), async (req, res) => {
    const actor = requestActor(res);
    const reset = await resetPassword(store, req.params.id, undefined, (tx, row) => recordAuditIn(tx, actor, userPasswordResetChange(toUser(row))));
    const reply: ResetPasswordReply = { password: reset.password };
    res.json(reply);
  });

  return router;
}
