/**
 * API keys as the admin API (`/api/keys`) and the CLI show them. A key's secret is only ever returned
 * once, by the create call; listings carry its display prefix, never a hash or the secret.
 */
import { z } from 'zod';

/** Scenario slugs as keys name them in their scope. */
const Slug = z.string().trim().min(1).max(200);

/**
 * What a key may do beyond calling its scenarios and reading what it made itself.
 * - `runs:read`: read every run and job of its scenarios (`GET /v1/runs/{id}`, `GET /v1/jobs/{id}` and its
 *   results), whichever key made them, e.g. for a reporting system. Without it a key reads only the runs
 *   and jobs it created; any other answers 404, as an unknown one.
 */
export const KEY_SCOPES = ['runs:read'] as const;
export const KeyScopeSchema = z.enum(KEY_SCOPES);
export type KeyScope = z.infer<typeof KeyScopeSchema>;

/** `POST /api/keys`. */
export const CreateKeyBodySchema = z.object({
  name: z.string().trim().min(1, 'a name is required').max(200),
  /** Slugs this key may call; omitted or null for every scenario. */
  scenarios: z.array(Slug).max(1000).nullable().optional(),
  /** Requests per minute; omitted for the server default (`MOFANG_API_RATE_LIMIT`). */
  rate_limit: z.number().int().min(1).max(10_000_000).nullable().optional(),
  /** Extra scopes ({@link KEY_SCOPES}); omitted for none. */
  scopes: z.array(KeyScopeSchema).max(KEY_SCOPES.length * 4).optional(),
});
export type CreateKeyBody = z.infer<typeof CreateKeyBodySchema>;

/** One key as listed: no secret, no hash. Times are ISO 8601. */
export const ApiKeySchema = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  scenarios: z.array(z.string()).nullable(),
  rate_limit: z.number().int().nullable(),
  /** Extra scopes ({@link KEY_SCOPES}); empty for none. */
  scopes: z.array(KeyScopeSchema),
  created_at: z.string(),
  revoked_at: z.string().nullable(),
  last_used_at: z.string().nullable(),
});
export type ApiKey = z.infer<typeof ApiKeySchema>;

/** The reply to a create: the key record plus `key`, the secret, shown this once. */
export const CreatedKeySchema = ApiKeySchema.extend({ key: z.string() });
export type CreatedKey = z.infer<typeof CreatedKeySchema>;
