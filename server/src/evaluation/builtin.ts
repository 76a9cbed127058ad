/**
 * Labelled sets shipped with a built-in template: `templates/<id>/eval/sets.json` lists them (file,
 * name, description, citation) and each file is the JSONL form of a set. A scenario made from the
 * template gets them at creation, or imports them in one click from its evaluation page.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { EvalCaseInputSchema, type EvalCaseInput } from '@shared/evaluation.js';

/** The built-in templates folder (as templates/builtin.ts finds it: from this file, not the working directory). */
export const BUILTIN_SETS_ROOT = fileURLToPath(new URL('../../../templates', import.meta.url));

const ManifestSchema = z.array(
  z.object({
    file: z.string().regex(/^[\w.-]+\.jsonl$/),
    name: z.string().min(1).max(100),
    description: z.string().default(''),
    citation: z.string().default(''),
  }),
);

/** One shipped set: its manifest entry. */
export type BuiltinSet = z.infer<typeof ManifestSchema>[number];

/** The sets shipped with template `templateId` (none when it ships none or its id is not a plain folder name). */
export function builtinSetsOf(templateId: string, root = BUILTIN_SETS_ROOT): BuiltinSet[] {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(templateId)) return [];
  const manifest = path.join(root, templateId, 'eval', 'sets.json');
  if (!existsSync(manifest)) return [];
  return ManifestSchema.parse(JSON.parse(readFileSync(manifest, 'utf8')));
}

/** The cases of a shipped set's file, each checked as a file line is. Throws on a damaged file (a packaging fault). */
export function builtinCases(templateId: string, set: BuiltinSet, root = BUILTIN_SETS_ROOT): EvalCaseInput[] {
  const text = readFileSync(path.join(root, templateId, 'eval', set.file), 'utf8');
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, i) => {
      const parsed = EvalCaseInputSchema.safeParse(JSON.parse(line));
      if (!parsed.success) throw new Error(`${set.file} line ${i + 1}: ${parsed.error.issues[0]?.message ?? 'not a case'}`);
      return parsed.data;
    });
}
