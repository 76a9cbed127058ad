/**
 * A model endpoint's concurrency split among the servers sharing the store: every adaptive limiter of
 * the server's model clients keeps at or below ⌊its ceiling (the endpoint's `max_concurrency`) / servers⌋.
 */
import { LimitedModelClient } from '../model/limiter/limited-client.js';
import type { ModelClient } from '../model/types.js';

/** Gives each limited client of `models` its share for `servers` live servers. */
export function shareModelEndpoints(models: { clients(): ModelClient[] }, servers: number): void {
  for (const client of models.clients()) {
    if (client instanceof LimitedModelClient) client.limiter.setServers(servers);
  }
}
