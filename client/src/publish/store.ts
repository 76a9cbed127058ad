/**
 * The open scenario's publication (slug, live and latest version, whether the draft differs), shared by
 * the publish button, the versions tab and the API tab so a publish or rollback refreshes all of them.
 */
import { create } from 'zustand';
import { publishApi, type Publication } from './api';

interface PublicationState {
  scenarioId: string | null;
  publication: Publication | null;
  /** Bumped after every publish and rollback, so lists that depend on versions reload. */
  stamp: number;
  load(scenarioId: string): Promise<void>;
  /** Reloads after a publish or rollback. */
  changed(): Promise<void>;
}

export const usePublication = create<PublicationState>()((set, get) => ({
  scenarioId: null,
  publication: null,
  stamp: 0,
  async load(scenarioId) {
    if (get().scenarioId !== scenarioId) set({ scenarioId, publication: null });
    try {
      const publication = await publishApi.publication(scenarioId);
      if (get().scenarioId === scenarioId) set({ publication });
    } catch {
      // The tab shows "not published" until the next successful load.
    }
  },
  async changed() {
    set({ stamp: get().stamp + 1 });
    const id = get().scenarioId;
    if (id) await get().load(id);
  },
}));


/** Resolves once the editor's autosave has caught up (the server publishes the stored draft), or after `timeoutMs`. */
export async function waitUntil(ready: () => boolean, timeoutMs = 5000): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (!ready()) {
    if (Date.now() > until) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
  return true;
}
