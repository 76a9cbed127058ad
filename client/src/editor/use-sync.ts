import { useEffect, useRef } from 'react';
import { api, ApiError } from '../api';
import { apiErrorText } from '../i18n/api-error-text';
import { useEditor } from './store';

/** Autosaves the draft (debounced PUT with the revision) and warns before leaving unsaved work. */
export function useAutosave(delayMs = 800): void {
  const seq = useEditor((s) => s.seq);
  const saving = useRef(false);
  useEffect(() => {
    if (seq === 0) return;
    const timer = setTimeout(function save() {
      const s = useEditor.getState();
      if (!s.scenarioId || s.saveState === 'conflict' || s.saveState === 'saved') return;
      if (saving.current) return void setTimeout(save, 200);
      saving.current = true;
      const sentSeq = s.seq;
      s.setSaveState('saving');
      api
        .updateScenario(s.scenarioId, { name: s.meta.name, description: s.meta.description, graph: s.graph(), revision: s.revision })
        .then(
          (saved) => {
            const now = useEditor.getState();
            now.setSaveState(now.seq === sentSeq ? 'saved' : 'unsaved', saved.revision);
          },
          (error: unknown) => useEditor.getState().setSaveState(error instanceof ApiError && error.status === 409 ? 'conflict' : 'error'),
        )
        .finally(() => {
          saving.current = false;
        });
    }, delayMs);
    return () => clearTimeout(timer);
  }, [seq, delayMs]);

  useEffect(() => {
    const warn = (e: BeforeUnloadEvent) => {
      if (useEditor.getState().saveState === 'saved') return;
      e.preventDefault();
      e.returnValue = '';
    };
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, []);
}

/** Compiles the graph on the server after each change (debounced) and keeps the problems. */
export function useLiveValidation(delayMs = 300): boolean {
  const seq = useEditor((s) => s.seq);
  const id = useEditor((s) => s.scenarioId);
  const checking = useRef(false);
  useEffect(() => {
    if (!id) return;
    let cancelled = false;
    const timer = setTimeout(() => {
      checking.current = true;
      api.compile(useEditor.getState().graph()).then(
        (reply) => {
          if (!cancelled) useEditor.getState().setProblems(reply.errors);
        },
        (error: unknown) => {
          if (cancelled) return;
          // In the UI's language (a server refusal by its code), not the server's English.
          const message = apiErrorText(error);
          useEditor.getState().setProblems([{ code: 'invalid_graph', message, params: { hint: 'failed', message } }]);
        },
      );
    }, delayMs);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [seq, id, delayMs]);
  return checking.current;
}
