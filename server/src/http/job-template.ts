/**
 * `GET /api/scenarios/:id/jobs/template`: the upload template of a scenario's live (or `?version=`)
 * published version, as JSON (what the jobs page maps a file's columns against), CSV (`?format=csv`)
 * or an Excel workbook (`?format=xlsx`); `?lang=en` words the workbook's notes in English. Example
 * values come from the version's sample inputs, else the samples of the template it was made from,
 * masked for a reader without `pii:read` as every sample is (`PiiView.graph`).
 */
import type { Request, Response } from 'express';
import { XLSX_MEDIA_TYPE, type JobUploadTemplate } from '@shared/jobs.js';
import { StoredSampleSchema } from '@shared/template-api.js';
import type { DataStore } from '../storage/store.js';
import type { PublishedScenarios } from '../publish/registry.js';
import { getScenarioOrigin, getVersionRow } from '../storage/templates.js';
import { getPublishState } from '../storage/versions.js';
import { resultLang } from '../jobs/result-columns.js';
import { templateCsv, templateXlsx, uploadTemplate } from '../jobs/upload-template.js';
import { sendError } from './errors.js';
import type { PiiAccess } from './pii-access.js';
import { piiView } from './pii.js';

/** The sample inputs of the template version a scenario was made from (none when it was not). */
async function templateSamples(store: DataStore, scenarioId: string): Promise<Array<Record<string, unknown>>> {
  const origin = await getScenarioOrigin(store, scenarioId);
  if (!origin?.templateId || !origin.templateVersion) return [];
  const row = await getVersionRow(store, origin.templateId, origin.templateVersion);
  const parsed = StoredSampleSchema.array().safeParse(row?.samples ?? []);
  return parsed.success ? parsed.data.map((s) => s.inputs) : [];
}

/** Answers the template route (see the module comment); 404 `not_found`, 409 `not_published`, 400 `invalid_version`. */
export async function replyUploadTemplate(store: DataStore, published: PublishedScenarios, readsPii: PiiAccess, req: Request<{ id: string }>, res: Response): Promise<void> {
  const scenario = await getPublishState(store, req.params.id);
  if (!scenario) return sendError(res, 404, 'not_found', `no scenario "${req.params.id}"`);
  if (!scenario.slug) return sendError(res, 409, 'not_published', 'publish the scenario before downloading its upload template');
  const raw = req.query.version;
  const version = raw === undefined ? undefined : typeof raw === 'string' && /^[1-9]\d{0,8}$/.test(raw) ? Number(raw) : -1;
  if (version === -1) return sendError(res, 400, 'invalid_version', 'version must be a positive whole number');
  const resolved = await published.resolve(scenario.slug, version);
  if ('error' in resolved) return sendError(res, resolved.error === 'unknown_version' ? 404 : 409, resolved.error, `scenario "${scenario.slug}" has no runnable version: ${resolved.error}`);
  const view = piiView(readsPii(req));
  const samples = [resolved.graph.inputs, ...(await templateSamples(store, resolved.scenarioId))].map((inputs) => (inputs === undefined ? undefined : view.graph({ inputs }).inputs));
  const template: JobUploadTemplate = { scenario_id: resolved.scenarioId, slug: resolved.slug, version: resolved.version, ...uploadTemplate(resolved.graph, samples) };
  const format = req.query.format;
  const name = `${resolved.slug}-v${resolved.version}-template`;
  if (format === 'csv') {
    res.attachment(`${name}.csv`).type('text/csv; charset=utf-8').send(templateCsv(template));
  } else if (format === 'xlsx') {
    res.attachment(`${name}.xlsx`).type(XLSX_MEDIA_TYPE).send(await templateXlsx(template, resultLang(req.query.lang)));
  } else res.json(template);
}
