/**
 * `/api/model-endpoints…` (admins: list with health, add, change, remove, test the connection) and
 * `/api/models` (anyone who reads scenarios: the aliases a node may pick). No reply carries a key.
 */
import { Router } from 'express';
import { CreateEndpointBodySchema, EndpointTestBodySchema, UpdateEndpointBodySchema, type ModelAliasList } from '@shared/model-endpoints.js';
import { endpointCreatedChange, endpointDeletedChange, endpointTestedChange, endpointUpdatedChange } from '../audit/index.js';
import type { EndpointService } from '../endpoints/service.js';
import { listsAliases } from '../endpoints/config.js';
import type { ModelResolver } from '../model/types.js';
import { allow } from './access.js';
import { audits, auditedRequest, recordRequest } from './audit-context.js';
import { parseBody } from './errors.js';
import type { Db } from '../storage/db.js';

/** The admin routes; each change is applied to the running resolver at once (for runs that start after it). */
export function modelEndpointRoutes(db: Db, endpoints: EndpointService): Router {
  const router = Router();
  router.get('/model-endpoints', allow('settings:write'), (_req, res) => {
    res.json(endpoints.list());
  });
  router.post('/model-endpoints', allow('settings:write'), audits('endpoint.create'), (req, res) => {
    const body = parseBody(CreateEndpointBodySchema, req.body ?? {});
    const row = auditedRequest(db, res, () => endpoints.create(body), endpointCreatedChange);
    endpoints.reload();
    res.status(201).json(endpoints.get(row.id));
  });
  router.put('/model-endpoints/:id', allow('settings:write'), audits('endpoint.update'), (req, res) => {
    const body = parseBody(UpdateEndpointBodySchema, req.body ?? {});
    const { after } = auditedRequest(db, res, () => endpoints.update(req.params.id, body), (done) => endpointUpdatedChange(done.before, done.after));
    endpoints.reload();
    res.json(endpoints.get(after.id));
  });
  router.delete('/model-endpoints/:id', allow('settings:write'), audits('endpoint.delete'), (req, res) => {
    auditedRequest(db, res, () => endpoints.remove(req.params.id), endpointDeletedChange);
    endpoints.reload();
    res.status(204).end();
  });
  router.post('/model-endpoints/:id/test', allow('settings:write'), audits('endpoint.test'), async (req, res) => {
    const body = parseBody(EndpointTestBodySchema, req.body ?? {});
    const endpoint = endpoints.get(req.params.id);
    const reply = await endpoints.test(endpoint.id, body.alias);
    recordRequest(db, res, endpointTestedChange(endpoint, reply));
    res.json(reply);
  });
  return router;
}

/** `GET /models`: the aliases of the endpoints in use (names of endpoint and model, no URL or key). */
export function modelAliasRoutes(models: ModelResolver, endpoints?: EndpointService): Router {
  const router = Router();
  router.get('/models', allow('scenarios:read'), (_req, res) => {
    const aliases = endpoints ? endpoints.aliases() : listsAliases(models) ? models.aliases() : [];
    const reply: ModelAliasList = { aliases };
    res.json(reply);
  });
  return router;
}
