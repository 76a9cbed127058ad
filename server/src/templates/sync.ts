/**
 * Brings the built-in templates in `templates/` into the store: a folder whose version is not stored
 * yet becomes a new version; a stored version is never overwritten. A folder whose graph differs from
 * the stored graph of the same version gets a warning, because someone edited it without a version bump.
 */
import { compareSemver } from '@shared/templates.js';
import type { Db } from '../storage/db.js';
import { getTemplateRow, getVersionRow, listVersionRows } from '../storage/templates.js';
import { listBuiltinTemplates, type TemplateFolder } from './builtin.js';
import { getTemplateVersion, insertVersion, versionGraph } from './store.js';
import { recordAudit, SYSTEM_ACTOR, templateVersionChange } from '../audit/index.js';
import { writeTransaction } from '../storage/db.js';

/** What a sync did. */
export interface SyncReport {
  /** `id@version` of every version inserted. */
  inserted: string[];
  /** Folders that changed without a version bump, or are older than what is stored. */
  warnings: string[];
}

/** The changelog date of a version as epoch ms (midnight UTC), so a built-in's history shows its release day. */
function releaseTime(folder: TemplateFolder): number | undefined {
  const entry = folder.meta.changelog.find((c) => c.version === folder.meta.version);
  const ms = entry ? Date.parse(`${entry.date}T00:00:00Z`) : Number.NaN;
  return Number.isNaN(ms) ? undefined : ms;
}

/** Syncs the given folders (all of `templates/` by default) into the store. */
export function syncBuiltinTemplates(db: Db, folders: TemplateFolder[] = listBuiltinTemplates(), warn: (line: string) => void = (l) => console.warn(l)): SyncReport {
  const report: SyncReport = { inserted: [], warnings: [] };
  for (const folder of folders) {
    const { id, version } = folder.meta;
    const stored = getVersionRow(db, id, version);
    if (stored) {
      if (JSON.stringify(versionGraph(stored)) !== JSON.stringify(folder.graph)) {
        report.warnings.push(`[mofang] template "${id}": graph.json changed but its version is still ${version}; bump the version in template.json to ship the change (the stored ${version} is kept)`);
      }
      continue;
    }
    const newest = getTemplateRow(db, id) ? listVersionRows(db, id).sort((a, b) => compareSemver(b.version, a.version))[0] : undefined;
    if (newest && compareSemver(version, newest.version) < 0) {
      report.warnings.push(`[mofang] template "${id}": the folder is at ${version}, older than the stored ${newest.version}; not synced`);
      continue;
    }
    // The server adds it: the audit log names the system as the actor, in the insert's transaction.
    writeTransaction(db, () => {
      insertVersion(
        db,
        {
          meta: folder.meta,
          graph: folder.graph,
          samples: folder.samples.map(({ file, sample }) => ({ id: file.replace(/\.json$/, ''), ...sample })),
          source: 'builtin',
          by: 'builtin',
          createdAt: releaseTime(folder),
        },
        newest ? 'add' : 'create',
      );
      recordAudit(db, SYSTEM_ACTOR, templateVersionChange(newest ? 'template.version' : 'template.create', getTemplateVersion(db, id, version)));
    });
    report.inserted.push(`${id}@${version}`);
  }
  for (const line of report.warnings) warn(line);
  return report;
}
