import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { monaco, refOptionsByModel, TEMPLATE_LANGUAGE } from './monaco-setup';
import { unknownRefs } from '../editor/references';
import type { TemplateEditorProps } from './TemplateEditor';

type StandaloneEditor = ReturnType<typeof monaco.editor.create>;

const languageId = (language: TemplateEditorProps['language']) => (language === 'javascript' || language === 'json' ? language : TEMPLATE_LANGUAGE);

/** Runs `task` once the browser is idle (or soon, where it has no idle callbacks). */
function whenIdle(task: () => void): void {
  if (typeof requestIdleCallback === 'function') requestIdleCallback(task, { timeout: 1000 });
  else setTimeout(task, 50);
}

/**
 * Monaco bound to a value; for templates, `{{` completion and a marker on each unknown reference.
 *
 * Monaco's own API rather than @monaco-editor/react's component: that component disposes the editor in
 * its unmount effect, which React runs inside the click that selects another node, and disposing two
 * editors was a tenth of that click (issue 13, `npm run bench:panel`). Here the editor leaves the page
 * with its panel at once and is disposed when the browser is idle.
 */
export default function MonacoEditor({ value, onChange, language = 'template', height = 120, options, schemas, readOnly = false }: TemplateEditorProps) {
  const { t } = useTranslation();
  const host = useRef<HTMLDivElement>(null);
  const [editor, setEditor] = useState<StandaloneEditor | null>(null);
  const latest = useRef({ onChange, value, language, readOnly });
  latest.current = { onChange, value, language, readOnly };
  // True while the value is set from the props: that change is not the person's and is not reported.
  const applying = useRef(false);

  useEffect(() => {
    const element = host.current;
    if (!element) return;
    const initial = latest.current;
    const model = monaco.editor.createModel(initial.value, languageId(initial.language));
    const created = monaco.editor.create(element, {
      model,
      theme: 'mofang',
      minimap: { enabled: false },
      readOnly: initial.readOnly,
      lineNumbers: initial.language === 'template' ? 'off' : 'on',
      wordWrap: 'on',
      scrollBeyondLastLine: false,
      fontSize: 13,
      folding: false,
      glyphMargin: false,
      lineDecorationsWidth: 6,
      renderLineHighlight: 'none',
      overviewRulerLanes: 0,
      quickSuggestions: initial.language !== 'template',
      suggestOnTriggerCharacters: true,
      fixedOverflowWidgets: true,
      tabSize: 2,
    });
    const changes = created.onDidChangeModelContent(() => {
      if (!applying.current) latest.current.onChange(created.getValue());
    });
    // Laid out on resize by an observer of our own (not `automaticLayout`): it stops with the panel, so
    // an editor waiting to be disposed does not lay itself out again at width 0 when its host leaves.
    const resize = new ResizeObserver(() => created.layout());
    resize.observe(element);
    setEditor(created);
    return () => {
      resize.disconnect();
      changes.dispose();
      refOptionsByModel.delete(model.uri.toString());
      whenIdle(() => {
        created.dispose();
        model.dispose();
      });
    };
  }, []);

  // A value changed elsewhere (undo on the canvas, a rename): replaced as one undoable edit.
  useEffect(() => {
    const model = editor?.getModel();
    if (!editor || !model || value === model.getValue()) return;
    applying.current = true;
    try {
      if (editor.getOption(monaco.editor.EditorOption.readOnly)) editor.setValue(value);
      else {
        editor.executeEdits('', [{ range: model.getFullModelRange(), text: value, forceMoveMarkers: true }]);
        editor.pushUndoStop();
      }
    } finally {
      applying.current = false;
    }
  }, [editor, value]);

  useEffect(() => {
    editor?.updateOptions({ readOnly, lineNumbers: language === 'template' ? 'off' : 'on', quickSuggestions: language !== 'template' });
    const model = editor?.getModel();
    if (model) monaco.editor.setModelLanguage(model, languageId(language));
  }, [editor, readOnly, language]);

  useEffect(() => {
    const model = editor?.getModel();
    if (!model || language !== 'template') return;
    refOptionsByModel.set(model.uri.toString(), options ?? []);
    const markers = unknownRefs(value, schemas ?? new Map()).map((r) => {
      const start = model.getPositionAt(r.start);
      const end = model.getPositionAt(r.end);
      return {
        severity: monaco.MarkerSeverity.Error,
        message: t('panel.unknownRef', { ref: r.ref }),
        startLineNumber: start.lineNumber,
        startColumn: start.column,
        endLineNumber: end.lineNumber,
        endColumn: end.column,
      };
    });
    monaco.editor.setModelMarkers(model, 'mofang-refs', markers);
  }, [editor, value, options, schemas, language, t]);

  return <div ref={host} style={{ height, width: '100%', textAlign: 'initial' }} />;
}
