/**
 * Admin API for keys, under `/api`: list (no secrets, no hashes), create (the secret shown once), revoke.
 */
import { Router } from 'express';
import { CreateKeyBodySchema } from '@shared/keys.js';
import type { Db } from '../storage/db.js';
import { listKeys, revokeKey } from '../storage/keys.js';
import { HttpError, parseBody } from './errors.js';
import { allow } from './access.js';
import { createApiKey } from '../keys/index.js';

/** `GET /keys`, `POST /keys`, `POST /keys/:id/revoke`; `onChange` lets the key cache drop at once. */
export function keyRoutes(db: Db, onChange: () => void = () => {}): Router {
  const router = Router();
  router.get('/keys', allow('keys:read'), (_req, res) => {
    res.json(listKeys(db));
  });
  router.post('/keys', allow('keys:write'), (req, res) => {
    const body = parseBody(CreateKeyBodySchema, req.body ?? {});
    const created = createApiKey(db, body);
    onChange();
    res.status(201).json(created);
  });
  router.post('/keys/:id/revoke', allow('keys:write'), (req, res) => {
    const outcome = revokeKey(db, req.params.id);
    if (!outcome.ok) {
      if (outcome.reason === 'ambiguous') throw new HttpError(409, 'ambiguous_key', `more than one key has the prefix "${req.params.id}": use its id`);
      throw new HttpError(404, 'not_found', `no key with id or prefix "${req.params.id}"`);
    }
    onChange();
    res.json(outcome.key);
  });
  return router;
}
