/**
 * Export and import files. A scenario file (`mofang.scenario/v1`) holds a draft's name, description,
 * graph and the template version it came from; a template file (`mofang.template/v1`) holds one version's
 * metadata (with the changelog up to it), graph and samples. Neither holds ids of rows or times of
 * storage, so export → import → export gives the same bytes (see {@link serializeFile}).
 */
import { assertGraphLimits } from '../limits.js';
import { GRAPH_FORMAT, GraphSchema } from '@shared/graph.js';
import { issueDetails } from '@shared/issues.js';
import {
  SCENARIO_FILE_FORMAT,
  ScenarioFileSchema,
  TEMPLATE_FILE_FORMAT,
  TemplateFileSchema,
  type ImportScenarioReply,
  type ImportTemplateReply,
  type ScenarioFile,
  type TemplateFile,
} from '@shared/template-api.js';
import type { z } from 'zod';
import { DomainError } from '../common/domain-error.js';
import type { DataStore } from '../storage/store.js';
import { createScenario, getScenario } from '../storage/scenarios.js';
import { getScenarioOrigin, getTemplateRow, getVersionRow, setScenarioOrigin } from '../storage/templates.js';
import { defaultVersionRow, getTemplateVersion, mustGetVersionRow, storeVersion } from './store.js';

/** The one way files are written (API and CLI alike): two-space JSON and a final newline. */
export function serializeFile(value: ScenarioFile | TemplateFile): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** A file name for a download: the name without characters file systems refuse. */
export function fileNameFor(name: string, suffix: string): string {
  return `${name.replace(/[\\/:*?"<>|\s]+/g, '_') || 'export'}${suffix}`;
}

/** The scenario's export file; 404 when there is no such scenario. */
export async function exportScenario(store: DataStore, id: string): Promise<ScenarioFile> {
  const scenario = await getScenario(store, id);
  if (!scenario) throw new DomainError('not_found', 'not_found', `no scenario with id "${id}"`);
  const origin = await getScenarioOrigin(store, id);
  const file: ScenarioFile = { format: SCENARIO_FILE_FORMAT, name: scenario.name, description: scenario.description, graph: scenario.graph };
  if (origin?.templateId && origin.templateVersion) file.template = { id: origin.templateId, version: origin.templateVersion };
  return file;
}

/** A template version's export file (default: the latest non-deprecated version). */
export async function exportTemplate(store: DataStore, id: string, version?: string): Promise<TemplateFile> {
  const row = version === undefined ? await defaultVersionRow(store, id) : await mustGetVersionRow(store, id, version);
  const detail = await getTemplateVersion(store, id, row.version);
  const file: TemplateFile = { format: TEMPLATE_FILE_FORMAT, meta: detail.meta, graph: detail.graph };
  if (detail.samples.length > 0) file.samples = detail.samples;
  return file;
}

function invalid(what: string, error: z.ZodError): DomainError {
  const first = error.issues[0];
  const where = first ? first.path.map(String).join('.') || '(root)' : '(root)';
  return new DomainError('invalid', 'invalid_file', `not a valid ${what}: at "${where}": ${first?.message ?? 'invalid'}`, issueDetails(error.issues));
}

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && key in value ? Object.entries(value).find(([k]) => k === key)?.[1] : undefined;
}

/** The `format` field of a JSON object (undefined for anything else), to route a file before validating it. */
export function formatOf(value: unknown): unknown {
  return field(value, 'format');
}

/** What a parsed JSON file is, or a 400 naming what is wrong with it. */
export type DetectedFile = { kind: 'scenario'; file: ScenarioFile } | { kind: 'graph'; file: z.infer<typeof GraphSchema> } | { kind: 'template'; file: TemplateFile };

/** Recognises a scenario file, a bare graph or a template file by its `format` (or `schema`) field. */
export function detectFile(value: unknown): DetectedFile {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new DomainError('invalid', 'invalid_file', 'the file is not a JSON object; expected a mofang.scenario/v1 or mofang.template/v1 file, or a mofang.graph/v1 graph', { reason: 'not_object' });
  }
  const format = field(value, 'format');
  const schema = field(value, 'schema');
  if (format === SCENARIO_FILE_FORMAT) {
    const parsed = ScenarioFileSchema.safeParse(value);
    if (!parsed.success) throw invalid(`${SCENARIO_FILE_FORMAT} file`, parsed.error);
    return { kind: 'scenario', file: parsed.data };
  }
  if (format === TEMPLATE_FILE_FORMAT) {
    const parsed = TemplateFileSchema.safeParse(value);
    if (!parsed.success) throw invalid(`${TEMPLATE_FILE_FORMAT} file`, parsed.error);
    return { kind: 'template', file: parsed.data };
  }
  if (schema === GRAPH_FORMAT) {
    const parsed = GraphSchema.safeParse(value);
    if (!parsed.success) throw invalid(`${GRAPH_FORMAT} graph`, parsed.error);
    return { kind: 'graph', file: parsed.data };
  }
  const found = typeof format === 'string' ? ` (its "format" is ${JSON.stringify(format)})` : typeof schema === 'string' ? ` (its "schema" is ${JSON.stringify(schema)})` : '';
  throw new DomainError(
    'invalid',
    'invalid_file',
    `unrecognised file${found}: expected "format": "${SCENARIO_FILE_FORMAT}" or "${TEMPLATE_FILE_FORMAT}", or a graph with "schema": "${GRAPH_FORMAT}"`,
    { reason: 'unrecognised' },
  );
}

/** Creates a scenario from a scenario file or a bare graph. A template link is kept when that version is stored. */
export async function importScenario(store: DataStore, detected: Exclude<DetectedFile, { kind: 'template' }>): Promise<ImportScenarioReply> {
  const warnings: string[] = [];
  const input =
    detected.kind === 'scenario'
      ? { name: detected.file.name, description: detected.file.description, graph: detected.file.graph, template: detected.file.template }
      : { name: detected.file.name, description: detected.file.description ?? '', graph: detected.file, template: undefined };
  const link = input.template && (await getVersionRow(store, input.template.id, input.template.version)) ? input.template : undefined;
  if (input.template && !link) warnings.push(`template ${input.template.id}@${input.template.version} is not in this store; the scenario is not linked to it`);
  const scenario = await store.transaction(async (tx) => {
    const created = await createScenario(tx, { name: input.name, description: input.description, graph: input.graph });
    if (link) await setScenarioOrigin(tx, created.id, link.id, link.version);
    return created;
  });
  return { kind: 'scenario', from: detected.kind === 'scenario' ? 'scenario-file' : 'graph', scenario_id: scenario.id, name: scenario.name, template: link ?? null, warnings };
}

/** Stores a template file as a new template, or as a new version of the template with its id (semver must increase). */
export async function importTemplate(store: DataStore, file: TemplateFile, by = 'import'): Promise<ImportTemplateReply> {
  assertGraphLimits(file.graph);
  const exists = (await getTemplateRow(store, file.meta.id)) !== undefined;
  await storeVersion(store, { meta: file.meta, graph: file.graph, samples: file.samples, source: 'admin', by }, exists ? 'add' : 'create');
  return { kind: 'template', created: exists ? 'version' : 'template', template_id: file.meta.id, version: file.meta.version };
}

/** Reads any export file: a template file goes to the template store, the others become a scenario. */
export async function importAny(store: DataStore, value: unknown, by?: string): Promise<ImportScenarioReply | ImportTemplateReply> {
  const detected = detectFile(value);
  return detected.kind === 'template' ? importTemplate(store, detected.file, by) : importScenario(store, detected);
}
