import { afterEach, describe, expect, it } from 'vitest';
import { openStoreFile, type Store } from '../storage/db.js';
import { listBuiltinTemplates, type TemplateFolder } from './builtin.js';
import { getTemplateDetail, getTemplateVersion, listTemplates } from './store.js';
import { syncBuiltinTemplates } from './sync.js';

let store: Store | undefined;
afterEach(() => store?.close());

function open(): Store {
  store = openStoreFile(':memory:');
  return store;
}

function withVersion(folder: TemplateFolder, version: string, system: string): TemplateFolder {
  return {
    ...folder,
    meta: { ...folder.meta, version, changelog: [...folder.meta.changelog, { version, date: '2026-12-01', notes: `bump ${version}` }] },
    graph: { ...folder.graph, nodes: folder.graph.nodes.map((n) => (n.kind === 'start' ? { ...n, name: system } : n)) },
  };
}

describe('syncBuiltinTemplates', () => {
  it('inserts every folder once; a second sync changes nothing', () => {
    const { db } = open();
    const folders = listBuiltinTemplates();
    const first = syncBuiltinTemplates(db, folders, () => {});
    expect(first.inserted).toEqual(folders.map((f) => `${f.meta.id}@${f.meta.version}`));
    expect(syncBuiltinTemplates(db, folders, () => {})).toEqual({ inserted: [], warnings: [] });
    expect(listTemplates(db)).toHaveLength(folders.length);
  });

  it('never overwrites a stored version: a changed graph without a bump is a warning', () => {
    const { db } = open();
    const [folder] = listBuiltinTemplates();
    syncBuiltinTemplates(db, [folder], () => {});
    const edited = withVersion(folder, folder.meta.version, '改过的名字');
    edited.meta = folder.meta;
    const warnings: string[] = [];
    const report = syncBuiltinTemplates(db, [edited], (l) => warnings.push(l));
    expect(report.inserted).toEqual([]);
    expect(warnings).toEqual([expect.stringContaining('changed but its version is still')]);
    expect(getTemplateVersion(db, folder.meta.id, folder.meta.version).graph).toEqual(folder.graph);
  });

  it('a bumped folder adds a version; an older folder is refused with a warning', () => {
    const { db } = open();
    const [folder] = listBuiltinTemplates();
    syncBuiltinTemplates(db, [folder], () => {});
    expect(syncBuiltinTemplates(db, [withVersion(folder, '1.1.0', '新版')], () => {}).inserted).toEqual([`${folder.meta.id}@1.1.0`]);
    const older = syncBuiltinTemplates(db, [withVersion(folder, '0.9.0', '旧版')], () => {});
    expect(older.warnings).toEqual([expect.stringContaining('older than the stored 1.1.0')]);
    expect(getTemplateDetail(db, folder.meta.id).versions.map((v) => v.version)).toEqual(['1.1.0', '1.0.0']);
  });
});
