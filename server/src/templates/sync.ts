/**
 * Brings the built-in templates in `templates/` into the store: a folder whose version is not stored
 * yet becomes a new version; a stored version is never overwritten. A folder whose graph differs from
 * the stored graph of the same version gets a warning, because someone edited it without a version bump.
 */
import { compareSemver } from '@shared/templates.js';
import { DomainError } from '../common/domain-error.js';
import { isUniqueViolation } from '../storage/db-errors.js';
import type { DataStore } from '../storage/store.js';
import { getTemplateRow, getVersionRow, listVersionRows } from '../storage/templates.js';
import { listBuiltinTemplates, type TemplateFolder } from './builtin.js';
import { getTemplateVersion, insertVersion, versionGraph } from './store.js';
import { recordAuditIn, SYSTEM_ACTOR, templateVersionChange } from '../audit/index.js';

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

/** Whether an insert lost to the same insert by another server syncing at the same moment (PostgreSQL). */
function insertedElsewhere(error: unknown): boolean {
  return (error instanceof DomainError && (error.code === 'template_exists' || error.code === 'version_not_increasing')) || isUniqueViolation(error);
}

/**
 * Syncs the given folders (all of `templates/` by default) into the store. Servers starting together
 * over one PostgreSQL database may sync at once: a version another one stored first is skipped.
 */
export async function syncBuiltinTemplates(store: DataStore, folders: TemplateFolder[] = listBuiltinTemplates(), warn: (line: string) => void = (l) => console.warn(l)): Promise<SyncReport> {
  const report: SyncReport = { inserted: [], warnings: [] };
  for (const folder of folders) {
    const { id, version } = folder.meta;
    const stored = await getVersionRow(store, id, version);
    if (stored) {
      if (JSON.stringify(versionGraph(stored)) !== JSON.stringify(folder.graph)) {
        report.warnings.push(`[mofang] template "${id}": graph.json changed but its version is still ${version}; bump the version in template.json to ship the change (the stored ${version} is kept)`);
      }
      continue;
    }
    const newest = (await getTemplateRow(store, id)) ? (await listVersionRows(store, id)).sort((a, b) => compareSemver(b.version, a.version))[0] : undefined;
    if (newest && compareSemver(version, newest.version) < 0) {
      report.warnings.push(`[mofang] template "${id}": the folder is at ${version}, older than the stored ${newest.version}; not synced`);
      continue;
    }
    // The server adds it: the audit log names the system as the actor, in the insert's transaction.
    try {
      await store.transaction(async (tx) => {
        await insertVersion(
          tx,
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
        await recordAuditIn(tx, SYSTEM_ACTOR, templateVersionChange(newest ? 'template.version' : 'template.create', await getTemplateVersion(tx, id, version)));
      });
    } catch (error) {
      if (insertedElsewhere(error) && (await getVersionRow(store, id, version))) continue;
      throw error;
    }
    report.inserted.push(`${id}@${version}`);
  }
  for (const line of report.warnings) warn(line);
  return report;
}
