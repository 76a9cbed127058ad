/** The audit log endpoints (`/api/audit`, `/api/audit.csv`), typed with the shared shapes. */
import { auditQueryString, type AuditEntry, type AuditFilters, type AuditPage } from '@shared/audit';
import { sendJson } from '../api';

export type { AuditEntry, AuditFilters, AuditPage };

/** How many entries one "load more" fetches. */
export const AUDIT_PAGE_SIZE = 50;

export const auditApi = {
  /** A page of entries matching `filters`, newest first; `cursor` from the previous page. */
  page: (filters: AuditFilters, cursor?: string) => sendJson<AuditPage>('GET', `/api/audit${auditQueryString(filters, { limit: String(AUDIT_PAGE_SIZE), ...(cursor ? { cursor } : {}) })}`),
  /** The URL of the CSV export of every entry matching `filters` (a download; the session cookie goes with it). */
  csvUrl: (filters: AuditFilters) => `/api/audit.csv${auditQueryString(filters)}`,
};
