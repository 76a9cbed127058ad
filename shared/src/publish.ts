/**
 * Bodies and replies of publishing: `/api/scenarios/:id/publish`, `/versions`, `/rollback`, `/diff`.
 */
import { z } from 'zod';
import { GraphSchema } from './graph.js';
import { GateOverrideSchema, VersionGateSchema } from './publish-gate.js';

/** A published API's path segment: lowercase ascii letters, digits and dashes, 2–63 characters. */
export const SLUG_PATTERN = /^[a-z0-9][a-z0-9-]{1,62}$/;

export const SlugSchema = z
  .string()
  .regex(SLUG_PATTERN, 'a slug is 2–63 lowercase letters, digits or dashes, starting with a letter or digit');

/** `POST /api/scenarios/:id/publish`. The slug is only taken at first publish and may not change later. */
export const PublishBodySchema = z.object({
  note: z.string().max(2000).optional(),
  slug: SlugSchema.optional(),
  /** Ignored over /api: the signed-in user is recorded as the publisher (kept so older clients are not refused). */
  by: z.string().max(200).optional(),
  /** Publish although the publish gate has not passed (admins only): the note is kept with the version and in the audit log. */
  override_gate: GateOverrideSchema.optional(),
});
export type PublishBody = z.infer<typeof PublishBodySchema>;

/** The reply of a successful publish. */
export const PublishReplySchema = z.object({
  slug: z.string(),
  version: z.number().int(),
  plan_hash: z.string(),
  live_version: z.number().int(),
  /** The gate record stored with the version (absent without a gate). */
  gate: VersionGateSchema.optional(),
});
export type PublishReply = z.infer<typeof PublishReplySchema>;

/** One row of `GET /api/scenarios/:id/versions` (newest first). Times are ISO 8601. */
export const VersionSummarySchema = z.object({
  version: z.number().int(),
  note: z.string(),
  created_by: z.string(),
  created_at: z.string(),
  plan_hash: z.string(),
  live: z.boolean(),
  /** The publish gate it went live through (passed, or overridden by an admin with a note); null without one. */
  gate: VersionGateSchema.nullable(),
});
export type VersionSummary = z.infer<typeof VersionSummarySchema>;

/** `GET /api/scenarios/:id/versions/:n`: a version with its graph. */
export const VersionDetailSchema = VersionSummarySchema.extend({ graph: GraphSchema });
export type VersionDetail = z.infer<typeof VersionDetailSchema>;

/** `POST /api/scenarios/:id/rollback`. */
export const RollbackBodySchema = z.object({ version: z.number().int().min(1) });
export type RollbackBody = z.infer<typeof RollbackBodySchema>;

export const RollbackReplySchema = z.object({ slug: z.string(), live_version: z.number().int() });
export type RollbackReply = z.infer<typeof RollbackReplySchema>;

/** One changed field of a node: a dotted path (`config.classes.0.label`, `name`, `kind`). */
export const FieldChangeSchema = z.object({ path: z.string(), before: z.unknown(), after: z.unknown() });
export type FieldChange = z.infer<typeof FieldChangeSchema>;

const EdgeRefSchema = z.object({ id: z.string(), source: z.string(), sourcePort: z.string(), target: z.string(), targetPort: z.string() });

/** `GET /api/scenarios/:id/diff?from=N&to=M|draft`: what changed between two graphs (positions ignored). */
export const GraphDiffSchema = z.object({
  nodes: z.object({
    added: z.array(z.object({ id: z.string(), kind: z.string(), name: z.string().optional() })),
    removed: z.array(z.object({ id: z.string(), kind: z.string(), name: z.string().optional() })),
    changed: z.array(z.object({ id: z.string(), fields: z.array(FieldChangeSchema) })),
  }),
  edges: z.object({ added: z.array(EdgeRefSchema), removed: z.array(EdgeRefSchema) }),
});
export type GraphDiff = z.infer<typeof GraphDiffSchema>;

/**
 * `GET /api/scenarios/:id/publication`: whether and how the scenario is published, for the API tab and
 * the publish button. `draft_changed` is null when the draft does not compile (it cannot be published).
 */
export const PublicationSchema = z.object({
  slug: z.string().nullable(),
  live_version: z.number().int().nullable(),
  latest_version: z.number().int().nullable(),
  /** The slug the first publish would choose when none is given (null once published). */
  suggested_slug: z.string().nullable(),
  draft_plan_hash: z.string().nullable(),
  draft_changed: z.boolean().nullable(),
});
export type Publication = z.infer<typeof PublicationSchema>;
