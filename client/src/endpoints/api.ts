/** The model endpoints API (`/api/model-endpoints`, admins) and the aliases nodes may pick (`/api/models`). */
import type { CreateEndpointBody, EndpointTestReply, ModelAliasInfo, ModelAliasList, ModelEndpoint, ModelEndpointList, UpdateEndpointBody } from '@shared/model-endpoints';
import { send } from '../publish/http';

export type { EndpointTestReply, ModelAliasInfo, ModelEndpoint, ModelEndpointList };

const path = (id: string) => `/api/model-endpoints/${encodeURIComponent(id)}`;

export const endpointsApi = {
  list: () => send<ModelEndpointList>('GET', '/api/model-endpoints'),
  create: (body: CreateEndpointBody) => send<ModelEndpoint>('POST', '/api/model-endpoints', body),
  update: (id: string, body: UpdateEndpointBody) => send<ModelEndpoint>('PUT', path(id), body),
  remove: (id: string) => send<void>('DELETE', path(id)),
  test: (id: string, alias?: string) => send<EndpointTestReply>('POST', `${path(id)}/test`, alias ? { alias } : {}),
  aliases: () => send<ModelAliasList>('GET', '/api/models'),
};
