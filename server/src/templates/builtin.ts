import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { GraphSchema, type Graph } from '@shared/graph.js';
import { TemplateMetaSchema, TemplateSampleSchema, type TemplateMeta, type TemplateSample } from '@shared/templates.js';

/** The built-in templates folder, found from this file so the working directory does not matter. */
export const BUILTIN_TEMPLATES_DIR = fileURLToPath(new URL('../../../templates', import.meta.url));

export interface TemplateFolder {
  meta: TemplateMeta;
  graph: Graph;
  samples: Array<{ file: string; sample: TemplateSample }>;
  dir: string;
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function parse<T>(file: string, schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: Array<{ path: PropertyKey[]; message: string }> } } }): T {
  const result = schema.safeParse(readJson(file));
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new Error(`${file}: ${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`);
  }
  return result.data;
}

/** Reads one template folder: template.json, graph.json and samples/*.json, each validated. */
export function readTemplateFolder(dir: string): TemplateFolder {
  const meta = parse(path.join(dir, 'template.json'), TemplateMetaSchema);
  const graph = parse(path.join(dir, 'graph.json'), GraphSchema);
  const samplesDir = path.join(dir, 'samples');
  const samples = existsSync(samplesDir)
    ? readdirSync(samplesDir)
        .filter((f) => f.endsWith('.json'))
        .sort()
        .map((file) => ({ file, sample: parse(path.join(samplesDir, file), TemplateSampleSchema) }))
    : [];
  return { meta, graph, samples, dir };
}

/** Every built-in template, in folder-name order. */
export function listBuiltinTemplates(dir = BUILTIN_TEMPLATES_DIR): TemplateFolder[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(path.join(dir, d.name, 'template.json')))
    .map((d) => d.name)
    .sort()
    .map((name) => readTemplateFolder(path.join(dir, name)));
}
