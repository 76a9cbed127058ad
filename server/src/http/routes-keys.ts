/**
 * Admin API for keys, under `/api`: list (no secrets, no hashes), create (the secret shown once), revoke.
 */
import { Router } from 'express';
import { CreateKeyBodySchema } from '@shared/keys.js';
import { listKeys, revokeKey } from '../storage/keys.js';
import type { DataStore } from '../storage/store.js';
import { HttpError, parseBody } from './errors.js';
import { allow } from './access.js';
import { audits, auditedRequestIn } from './audit-context.js';
import { createApiKey } from '../keys/index.js';
import { keyCreatedChange, keyRevokedChange } from '../audit/index.js';

/** `GET /keys`, `POST /keys`, `POST /keys/:id/revoke`; `onChange` lets the key cache drop at once. */
export function keyRoutes(store: DataStore, onChange: () => void = () => {}): Router {
  const router = Router();
  router.get('/keys', allow('keys:read'), async (_req, res) => {
    res.json(await listKeys(store));
  });
  router.post('/keys', allow('keys:write'), audits('key.create'), async (req, res) => {
    const body = parseBody(CreateKeyBodySchema, req.body ?? {});
    const created = await auditedRequestIn(store, res, (tx) => createApiKey(tx, body), (made) => keyCreatedChange(made));
    onChange();
    res.status(201).json(created);
  });
  router.post('/keys/:id/revoke', allow('keys:write'), audits('key.revoke'), async (req, res) => {
    const keysBefore = await listKeys(store);
    const outcome = await auditedRequestIn(store, res, (tx) => revokeKey(tx, req.params.id), (done) => (done.ok ? keyRevokedChange(keysBefore.find((k) => k.id === done.key.id), done.key) : null));
    if (!outcome.ok) {
      if (outcome.reason === 'ambiguous') throw new HttpError(409, 'ambiguous_key', `more than one key has the prefix "${req.params.id}": use its id`);
      throw new HttpError(404, 'not_found', `no key with id or prefix "${req.params.id}"`);
    }
    onChange();
    res.json(outcome.key);
  });
  return router;
}
