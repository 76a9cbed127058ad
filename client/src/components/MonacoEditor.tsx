import { useEffect, useRef, useState } from 'react';
import Editor, { type OnMount } from '@monaco-editor/react';
import { useTranslation } from 'react-i18next';
import { monaco, refOptionsByModel, TEMPLATE_LANGUAGE } from './monaco-setup';
import { unknownRefs } from '../editor/references';
import type { TemplateEditorProps } from './TemplateEditor';

type StandaloneEditor = Parameters<OnMount>[0];

/** Monaco bound to a value; for templates, `{{` completion and a marker on each unknown reference. */
export default function MonacoEditor({ value, onChange, language = 'template', height = 120, options, schemas, readOnly = false }: TemplateEditorProps) {
  const { t } = useTranslation();
  const editorRef = useRef<StandaloneEditor | null>(null);
  const [mounted, setMounted] = useState(false);

  useEffect(() => {
    const model = editorRef.current?.getModel();
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
  }, [value, options, schemas, language, t, mounted]);

  useEffect(
    () => () => {
      const uri = editorRef.current?.getModel()?.uri.toString();
      if (uri) refOptionsByModel.delete(uri);
    },
    [],
  );

  return (
    <Editor
      height={height}
      language={language === 'template' ? TEMPLATE_LANGUAGE : language}
      theme="mofang"
      value={value}
      onChange={(v) => onChange(v ?? '')}
      onMount={(editor) => {
        editorRef.current = editor;
        setMounted(true);
      }}
      options={{
        minimap: { enabled: false },
        readOnly,
        lineNumbers: language === 'template' ? 'off' : 'on',
        wordWrap: 'on',
        scrollBeyondLastLine: false,
        fontSize: 13,
        folding: false,
        glyphMargin: false,
        lineDecorationsWidth: 6,
        renderLineHighlight: 'none',
        overviewRulerLanes: 0,
        automaticLayout: true,
        quickSuggestions: language !== 'template',
        suggestOnTriggerCharacters: true,
        fixedOverflowWidgets: true,
        tabSize: 2,
      }}
    />
  );
}
