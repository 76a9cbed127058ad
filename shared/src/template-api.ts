/**
 * Bodies and replies of the template gallery and admin API (`/api/templates…`), the template status of a
 * scenario, and the two export file formats (`mofang.scenario/v1`, `mofang.template/v1`).
 */
import semver from 'semver';
import { z } from 'zod';
import { GraphSchema } from './graph.js';
import { GraphDiffSchema } from './publish.js';
import { compareSemver, LocalizedSchema, SemverSchema, TEMPLATE_CATEGORIES, TemplateMetaSchema, TemplateSampleSchema } from './templates.js';

export const SCENARIO_FILE_FORMAT = 'mofang.scenario/v1';
export const TEMPLATE_FILE_FORMAT = 'mofang.template/v1';

export const TemplateIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'a template id is 2–63 lowercase letters, digits or dashes, starting with a letter or digit');

/** A sample kept with a template version: the sample file's stem (`good-call`) plus its content. */
export const StoredSampleSchema = TemplateSampleSchema.extend({ id: z.string().min(1).max(200) });
export type StoredSample = z.infer<typeof StoredSampleSchema>;

/** Just enough of a graph to draw a read-only thumbnail: node boxes and the wires between them. */
export const GraphPreviewSchema = z.object({
  nodes: z.array(z.object({ id: z.string(), kind: z.string(), name: z.string().optional(), x: z.number(), y: z.number() })),
  edges: z.array(z.object({ id: z.string(), source: z.string(), target: z.string() })),
});
export type GraphPreview = z.infer<typeof GraphPreviewSchema>;

export const TemplateSourceSchema = z.enum(['builtin', 'admin']);

/** One row of `GET /api/templates`: the latest non-deprecated version of a template. */
export const TemplateSummarySchema = z.object({
  id: z.string(),
  category: z.enum(TEMPLATE_CATEGORIES),
  name: LocalizedSchema,
  description: LocalizedSchema,
  tags: z.array(z.string()),
  /** The newest version that is not deprecated (what "use" gives by default). */
  version: z.string(),
  source: TemplateSourceSchema,
  node_count: z.number().int(),
  updated_at: z.string(),
  preview: GraphPreviewSchema,
});
export type TemplateSummary = z.infer<typeof TemplateSummarySchema>;

/** One entry of a template's history (newest first). Times are ISO 8601. */
export const TemplateVersionSummarySchema = z.object({
  version: z.string(),
  created_at: z.string(),
  notes: z.string(),
  created_by: z.string(),
  source: TemplateSourceSchema,
  deprecated: z.boolean(),
  deprecated_at: z.string().nullable(),
});
export type TemplateVersionSummary = z.infer<typeof TemplateVersionSummarySchema>;

/** `GET /api/templates/:id`: the summary plus every version, newest first. */
export const TemplateDetailSchema = TemplateSummarySchema.extend({ versions: z.array(TemplateVersionSummarySchema) });
export type TemplateDetail = z.infer<typeof TemplateDetailSchema>;

/** `GET /api/templates/:id/versions/:v`. */
export const TemplateVersionDetailSchema = TemplateVersionSummarySchema.extend({
  template_id: z.string(),
  meta: TemplateMetaSchema,
  graph: GraphSchema,
  samples: z.array(StoredSampleSchema),
});
export type TemplateVersionDetail = z.infer<typeof TemplateVersionDetailSchema>;

/** `GET /api/templates/:id/diff?from=&to=`. */
export const TemplateDiffReplySchema = z.object({ template_id: z.string(), from: z.string(), to: z.string(), diff: GraphDiffSchema });
export type TemplateDiffReply = z.infer<typeof TemplateDiffReplySchema>;

/** `POST /api/templates/:id/use`: the version defaults to the latest non-deprecated one. */
export const UseTemplateBodySchema = z.object({ version: SemverSchema.optional(), name: z.string().trim().min(1).max(200).optional() });
export type UseTemplateBody = z.infer<typeof UseTemplateBodySchema>;

const Notes = z.string().trim().min(1, 'changelog notes are required').max(5000);
const By = z.string().trim().min(1).max(200).optional();

/** `POST /api/templates`: save a scenario as a new template. */
export const CreateTemplateBodySchema = z.object({
  scenario_id: z.string().min(1),
  id: TemplateIdSchema,
  name: LocalizedSchema,
  description: LocalizedSchema,
  category: z.enum(TEMPLATE_CATEGORIES),
  tags: z.array(z.string().max(50)).max(20).optional(),
  version: SemverSchema.default('1.0.0'),
  notes: Notes,
  by: By,
});
export type CreateTemplateBody = z.infer<typeof CreateTemplateBodySchema>;

export const BumpSchema = z.enum(['major', 'minor', 'patch']);
export type Bump = z.infer<typeof BumpSchema>;

/** `POST /api/templates/:id/versions`: save a scenario as the next version, by a bump or an explicit version. */
export const NewTemplateVersionBodySchema = z
  .object({
    scenario_id: z.string().min(1),
    bump: BumpSchema.optional(),
    version: SemverSchema.optional(),
    notes: Notes,
    by: By,
  })
  .refine((b) => (b.bump === undefined) !== (b.version === undefined), { message: 'give either "bump" (major, minor or patch) or "version", not both', path: ['bump'], params: { rule: 'bump_or_version' } });
export type NewTemplateVersionBody = z.infer<typeof NewTemplateVersionBodySchema>;

/** Where a scenario came from, and whether its template has moved on. */
export const ScenarioTemplateStatusSchema = z.object({
  id: z.string(),
  version: z.string(),
  /** The template's latest non-deprecated version; null when the template is gone or all deprecated. */
  latest: z.string().nullable(),
  update_available: z.boolean(),
});
export type ScenarioTemplateStatus = z.infer<typeof ScenarioTemplateStatusSchema>;

/** `POST /api/scenarios/:id/template-update`: the rebased scenario and the graph it had (for undo). */
export const TemplateUpdateReplySchema = z.object({
  scenario_id: z.string(),
  from_version: z.string(),
  to_version: z.string(),
  revision: z.number().int(),
  previous_graph: GraphSchema,
});
export type TemplateUpdateReply = z.infer<typeof TemplateUpdateReplySchema>;

/** A scenario export file. It carries no ids or times, so a round trip compares byte for byte. */
export const ScenarioFileSchema = z.object({
  format: z.literal(SCENARIO_FILE_FORMAT),
  name: z.string().trim().min(1).max(200),
  description: z.string().max(5000),
  graph: GraphSchema,
  template: z.object({ id: TemplateIdSchema, version: SemverSchema }).optional(),
});
export type ScenarioFile = z.infer<typeof ScenarioFileSchema>;

/** A template export file: one version with its metadata (changelog up to that version) and samples. */
export const TemplateFileSchema = z.object({
  format: z.literal(TEMPLATE_FILE_FORMAT),
  meta: TemplateMetaSchema,
  graph: GraphSchema,
  samples: z.array(StoredSampleSchema).optional(),
});
export type TemplateFile = z.infer<typeof TemplateFileSchema>;

/** `POST /api/scenarios/import`. */
export const ImportScenarioReplySchema = z.object({
  kind: z.literal('scenario'),
  /** What the file was: a scenario export or a bare graph. */
  from: z.enum(['scenario-file', 'graph']),
  scenario_id: z.string(),
  name: z.string(),
  template: z.object({ id: z.string(), version: z.string() }).nullable(),
  warnings: z.array(z.string()),
});
export type ImportScenarioReply = z.infer<typeof ImportScenarioReplySchema>;

/** `POST /api/templates/import`. */
export const ImportTemplateReplySchema = z.object({
  kind: z.literal('template'),
  /** `template` when the id was new, `version` when it added a version to an existing template. */
  created: z.enum(['template', 'version']),
  template_id: z.string(),
  version: z.string(),
});
export type ImportTemplateReply = z.infer<typeof ImportTemplateReplySchema>;

/** The next version after `version` for a bump (`1.2.3` + minor → `1.3.0`), by `semver.inc`; throws a TypeError for a string that is not a version. */
export function bumpSemver(version: string, bump: Bump): string {
  const next = semver.inc(version, bump);
  if (next === null) throw new TypeError(`not a version: ${JSON.stringify(version)}`);
  return next;
}

/** Versions sorted newest first. */
export function sortVersionsDesc(versions: string[]): string[] {
  return [...versions].sort((a, b) => compareSemver(b, a));
}
