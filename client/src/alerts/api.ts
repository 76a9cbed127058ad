/** The live alert settings endpoints under `/api`, as the 实时预警 page calls them. */
import type { AlertDelivery, AlertSettings, AlertSettingsBody } from '@shared/alerts';
import { send } from '../publish/http';

export type { AlertDelivery, AlertSettings, AlertSettingsBody };

const enc = encodeURIComponent;

export const alertsApi = {
  get: (scenarioId: string) => send<AlertSettings>('GET', `/api/scenarios/${enc(scenarioId)}/alert-rules`),
  save: (scenarioId: string, body: AlertSettingsBody) => send<AlertSettings>('PUT', `/api/scenarios/${enc(scenarioId)}/alert-rules`, body),
  deliveries: (scenarioId: string) => send<{ deliveries: AlertDelivery[] }>('GET', `/api/scenarios/${enc(scenarioId)}/alert-deliveries`),
};
