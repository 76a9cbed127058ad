import semver from 'semver';
import { z } from 'zod';

/** Categories the gallery groups templates by. */
export const TEMPLATE_CATEGORIES = ['work-order', 'quality', 'routing', 'risk', 'assist', 'other'] as const;

/** `MAJOR.MINOR.PATCH` as semver defines it (no leading zeros), without pre-release or build parts. */
export const SemverSchema = z
  .string()
  .regex(/^\d+\.\d+\.\d+$/, 'a version is MAJOR.MINOR.PATCH, e.g. 1.2.0')
  .refine((value) => semver.valid(value) === value, { message: 'a version is MAJOR.MINOR.PATCH without leading zeros, e.g. 1.2.0', params: { rule: 'version_semver' } });

export const LocalizedSchema = z.object({ zh: z.string().min(1).max(500), en: z.string().min(1).max(500) });

export const ChangelogEntrySchema = z.object({
  version: SemverSchema,
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date is YYYY-MM-DD'),
  notes: z.string().min(1).max(5000),
});

/** `templates/<id>/template.json`: what the gallery shows and which version this is. */
export const TemplateMetaSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/),
  version: SemverSchema,
  category: z.enum(TEMPLATE_CATEGORIES),
  name: LocalizedSchema,
  description: LocalizedSchema,
  tags: z.array(z.string().max(50)).default([]),
  changelog: z.array(ChangelogEntrySchema).min(1),
});
export type TemplateMeta = z.infer<typeof TemplateMetaSchema>;

/**
 * `templates/<id>/samples/<name>.json`: sample inputs, what a scripted model answers at each node, and
 * the outputs the template must then produce. CI runs every sample, so a template behaves as designed.
 */
export const TemplateSampleSchema = z.object({
  name: LocalizedSchema,
  /** Where the transcript comes from, e.g. the data set row and its citation. */
  source: z.string().max(1000).optional(),
  inputs: z.record(z.string(), z.unknown()),
  /** The scripted model's reply per node id: a JSON value, or a string sent as it is. */
  script: z.record(z.string(), z.unknown()),
  expected: z.object({
    status: z.enum(['succeeded', 'failed']).default('succeeded'),
    outputs: z.record(z.string(), z.unknown()).optional(),
    /** Node ids that must have been skipped (the branches not taken). */
    skipped: z.array(z.string()).default([]),
  }),
});
export type TemplateSample = z.infer<typeof TemplateSampleSchema>;

/**
 * Compares two versions by semver precedence (the `semver` package): -1, 0 or 1. Throws a TypeError for
 * a string that is not a version; {@link SemverSchema} lets none into storage.
 */
export function compareSemver(a: string, b: string): number {
  return semver.compare(a, b);
}
