import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GRAPH_FORMAT } from '@shared/graph.js';
import { openPostgresStore } from '../storage/pg/store.js';
import { postgresTestsRun, startTestPostgres, type TestPostgres } from '../storage/pg/testing.js';
import { createScenario, getScenario } from '../storage/scenarios.js';
import type { OpenDataStore } from '../storage/store.js';
import { getScenarioOrigin } from '../storage/templates.js';
import { storesUnderTest } from '../storage/testing-stores.js';
import { listBuiltinTemplates, type TemplateFolder } from './builtin.js';
import { exportScenario, exportTemplate, importAny, serializeFile } from './files.js';
import { addVersionFromScenario, createTemplateFromScenario, updateScenarioFromTemplate, useTemplate, withTemplateStatus } from './scenario-link.js';
import { getTemplateDetail, getTemplateVersion, listTemplates, setDeprecated, storeVersion } from './store.js';
import { syncBuiltinTemplates } from './sync.js';

function withVersion(folder: TemplateFolder, version: string, system: string): TemplateFolder {
  return {
    ...folder,
    meta: { ...folder.meta, version, changelog: [...folder.meta.changelog, { version, date: '2026-12-01', notes: `bump ${version}` }] },
    graph: { ...folder.graph, nodes: folder.graph.nodes.map((n) => (n.kind === 'start' ? { ...n, name: system } : n)) },
  };
}

const quiet = () => {};

describe.each(storesUnderTest('templates'))('templates on %s', (_name, open, skip) => {
  it.skipIf(skip)('inserts every folder once; a second sync changes nothing', async () => {
    const store = await open();
    const folders = listBuiltinTemplates();
    const first = await syncBuiltinTemplates(store, folders, quiet);
    expect(first.inserted).toEqual(folders.map((f) => `${f.meta.id}@${f.meta.version}`));
    expect(await syncBuiltinTemplates(store, folders, quiet)).toEqual({ inserted: [], warnings: [] });
    expect((await listTemplates(store)).map((t) => t.id)).toEqual(folders.map((f) => f.meta.id).sort());
  });

  it.skipIf(skip)('never overwrites a stored version: a changed graph without a bump is a warning', async () => {
    const store = await open();
    const [folder] = listBuiltinTemplates();
    await syncBuiltinTemplates(store, [folder], quiet);
    const edited = withVersion(folder, folder.meta.version, '改过的名字');
    edited.meta = folder.meta;
    const warnings: string[] = [];
    const report = await syncBuiltinTemplates(store, [edited], (l) => warnings.push(l));
    expect(report.inserted).toEqual([]);
    expect(warnings).toEqual([expect.stringContaining('changed but its version is still')]);
    expect((await getTemplateVersion(store, folder.meta.id, folder.meta.version)).graph).toEqual(folder.graph);
  });

  it.skipIf(skip)('a bumped folder adds a version; an older folder is refused with a warning', async () => {
    const store = await open();
    const [folder] = listBuiltinTemplates();
    await syncBuiltinTemplates(store, [folder], quiet);
    expect((await syncBuiltinTemplates(store, [withVersion(folder, '1.1.0', '新版')], quiet)).inserted).toEqual([`${folder.meta.id}@1.1.0`]);
    const older = await syncBuiltinTemplates(store, [withVersion(folder, '0.9.0', '旧版')], quiet);
    expect(older.warnings).toEqual([expect.stringContaining('older than the stored 1.1.0')]);
    expect((await getTemplateDetail(store, folder.meta.id)).versions.map((v) => v.version)).toEqual(['1.1.0', '1.0.0']);
  });

  it.skipIf(skip)('makes a scenario from a template, rebases it onto a newer version, saves it back, and round-trips files', async () => {
    const store = await open();
    const [folder] = listBuiltinTemplates();
    await syncBuiltinTemplates(store, [folder], quiet);
    const id = folder.meta.id;
    const made = await useTemplate(store, id, { name: '我的质检' });
    expect(made.template).toEqual({ id, version: folder.meta.version, latest: folder.meta.version, update_available: false });
    expect(await getScenarioOrigin(store, made.id)).toEqual({ id: made.id, templateId: id, templateVersion: folder.meta.version });
    // Without a name: the template's, with a number once it is taken.
    expect((await useTemplate(store, id, {})).name).toBe(folder.meta.name.zh);
    expect((await useTemplate(store, id, {})).name).toBe(`${folder.meta.name.zh} 2`);

    await syncBuiltinTemplates(store, [withVersion(folder, '9.0.0', '新版')], quiet);
    expect((await withTemplateStatus(store, [{ id: made.id }]))[0]?.template).toMatchObject({ latest: '9.0.0', update_available: true });
    const rebased = await updateScenarioFromTemplate(store, made.id);
    expect(rebased).toMatchObject({ from_version: folder.meta.version, to_version: '9.0.0', revision: 2 });
    expect((await getScenario(store, made.id))?.graph.name).toBe(made.graph.name);
    await expect(updateScenarioFromTemplate(store, made.id)).rejects.toMatchObject({ code: 'up_to_date' });

    const version = await addVersionFromScenario(store, id, { scenario_id: made.id, bump: 'minor', notes: 'from a scenario' });
    expect(version.version).toBe('9.1.0');
    expect((await getScenarioOrigin(store, made.id))?.templateVersion).toBe('9.1.0');
    await expect(storeVersion(store, { meta: { ...version.meta, version: '9.0.5', changelog: [...version.meta.changelog, { version: '9.0.5', date: '2026-12-01', notes: 'x' }] }, graph: version.graph, source: 'admin', by: 't' }, 'add')).rejects.toMatchObject({ code: 'version_not_increasing' });
    expect(await setDeprecated(store, id, '9.1.0', true)).toMatchObject({ version: '9.1.0', deprecated: true });
    expect((await listTemplates(store))[0]?.version).toBe('9.0.0');

    const own = await createScenario(store, { name: 'own', graph: { schema: GRAPH_FORMAT, name: 'own', nodes: [], edges: [] } });
    const created = await createTemplateFromScenario(store, {
      scenario_id: own.id,
      id: 'own-template',
      version: '1.0.0',
      category: 'other',
      name: { zh: '自己的', en: 'Own' },
      description: { zh: '描述', en: 'Description' },
      notes: 'first',
    });
    expect(created).toMatchObject({ template_id: 'own-template', version: '1.0.0', source: 'admin' });
    await expect(createTemplateFromScenario(store, { scenario_id: own.id, id: 'own-template', version: '2.0.0', category: 'other', name: { zh: 'x', en: 'x' }, description: { zh: 'x', en: 'x' }, notes: 'again' })).rejects.toMatchObject({ code: 'template_exists' });

    // Export → import → export gives the same bytes.
    const file = await exportScenario(store, made.id);
    const imported = await importAny(store, JSON.parse(serializeFile(file)));
    expect(imported).toMatchObject({ kind: 'scenario', template: { id, version: '9.1.0' } });
    if (imported.kind !== 'scenario') throw new Error('not a scenario');
    expect(serializeFile(await exportScenario(store, imported.scenario_id))).toBe(serializeFile(file));
    const templateFile = await exportTemplate(store, 'own-template');
    expect(await importAny(store, { ...templateFile, meta: { ...templateFile.meta, version: '1.0.1', changelog: [...templateFile.meta.changelog, { version: '1.0.1', date: '2026-12-01', notes: 'n' }] } })).toMatchObject({ kind: 'template', created: 'version', version: '1.0.1' });
  });
});

let server: TestPostgres | undefined;
const pg = postgresTestsRun();
beforeAll(async () => {
  if (pg) server = await startTestPostgres({ database: 'mofang_templates_two_test' });
}, 60_000);
const closing: OpenDataStore[] = [];
afterAll(async () => {
  for (const s of closing) await s.close();
  await server?.stop();
});

describe('built-in templates synced by two servers starting together over one PostgreSQL', () => {
  it.skipIf(!pg)('stores each version once, audited once, and neither start fails', async () => {
    const url = await (server as TestPostgres).createDatabase(`tpl_${Math.random().toString(36).slice(2, 10)}`);
    const a = await openPostgresStore(url);
    const b = await openPostgresStore(url);
    closing.push(a, b);
    const folders = listBuiltinTemplates();
    const [first, second] = await Promise.all([syncBuiltinTemplates(a, folders, quiet), syncBuiltinTemplates(b, folders, quiet)]);
    expect([...first.inserted, ...second.inserted].sort()).toEqual(folders.map((f) => `${f.meta.id}@${f.meta.version}`).sort());
    expect(await listTemplates(b)).toHaveLength(folders.length);
    // One audit entry per inserted version.
    const rows = await a.db.select().from(a.t.auditLog);
    expect(rows.filter((r) => r.action === 'template.create')).toHaveLength(folders.length);
  });
});
