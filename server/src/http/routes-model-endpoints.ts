/**
 * `/api/model-endpoints…` (admins: list with health, add, change, remove, test the connection) and
 * `/api/models` (anyone who reads scenarios: the aliases a node may pick). No reply carries a key.
 */
import { Router } from 'express';
import { CreateEndpointBodySchema, EndpointTestBodySchema, UpdateEndpointBodySchema, type ModelAliasList } from '@shared/model-endpoints.js';
import { endpointCreatedChange, endpointDeletedChange, endpointTestedChange, endpointUpdatedChange, recordAuditIn } from '../audit/index.js';
import type { EndpointService } from '../endpoints/service.js';
import { listsAliases } from '../endpoints/config.js';
import type { ModelResolver } from '../model/types.js';
import { allow } from './access.js';
import { audits, auditedRequestIn, requestActor } from './audit-context.js';
import { parseBody } from './errors.js';
import type { DataStore } from '../storage/store.js';

/** The admin routes; each change is applied to the running resolver at once (for runs that start after it). */
export function modelEndpointRoutes(store: DataStore, endpoints: EndpointService): Router {
  const router = Router();
  router.get('/model-endpoints', allow('settings:write'), async (_req, res) => {
    res.json(await endpoints.list());
  });
  router.post('/model-endpoints', allow('settings:write'), audits('endpoint.create'), async (req, res) => {
    const body = parseBody(CreateEndpointBodySchema, req.body ?? {});
    const row = await auditedRequestIn(store, res, (tx) => endpoints.create(body, tx), endpointCreatedChange);
    await endpoints.reload();
    res.status(201).json(await endpoints.get(row.id));
  });
  router.put('/model-endpoints/:id', allow('settings:write'), audits('endpoint.update'), async (req, res) => {
    const body = parseBody(UpdateEndpointBodySchema, req.body ?? {});
    const { after } = await auditedRequestIn(store, res, (tx) => endpoints.update(req.params.id, body, tx), (done) => endpointUpdatedChange(done.before, done.after));
    await endpoints.reload();
    res.json(await endpoints.get(after.id));
  });
  router.delete('/model-endpoints/:id', allow('settings:write'), audits('endpoint.delete'), async (req, res) => {
    await auditedRequestIn(store, res, (tx) => endpoints.remove(req.params.id, tx), endpointDeletedChange);
    await endpoints.reload();
    res.status(204).end();
  });
  router.post('/model-endpoints/:id/test', allow('settings:write'), audits('endpoint.test'), async (req, res) => {
    const body = parseBody(EndpointTestBodySchema, req.body ?? {});
    const endpoint = await endpoints.get(req.params.id);
    const reply = await endpoints.test(endpoint.id, body.alias);
    await recordAuditIn(store, requestActor(res), endpointTestedChange(endpoint, reply));
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
