import { lazy, Suspense } from 'react';
import { useAfterFirstPaint, usePanelSubject } from './after-first-paint';
import { Input } from 'antd';
import type { RefOption } from '../editor/references';
import type { JsonSchema } from '@shared/index';
import { useEditor } from '../editor/store';

export interface TemplateEditorProps {
  value: string;
  onChange(value: string): void;
  /** `template` gets `{{` completion and unknown-reference markers; the others are plain code. */
  language?: 'template' | 'javascript' | 'json';
  height?: number;
  options?: RefOption[];
  schemas?: Map<string, JsonSchema>;
  testId?: string;
  /** Shown, not editable; by default, when the editor is read-only (a role that may not edit drafts). */
  readOnly?: boolean;
}

// Monaco is ~4 MB: it loads only when a panel with an editor first opens.
const MonacoEditor = lazy(() => import('./MonacoEditor'));


/** A prompt or code editor; a plain text area stands in until the panel has painted and while monaco loads. */
export function TemplateEditor(given: TemplateEditorProps) {
  const painted = useAfterFirstPaint();
  // One Monaco per node shown: its undo history and cursor belong to that node's text.
  const subject = usePanelSubject();
  const editorReadOnly = useEditor((s) => s.readOnly);
  const props = { ...given, readOnly: given.readOnly ?? editorReadOnly };
  const fallback = (
    <Input.TextArea value={props.value} readOnly={props.readOnly} onChange={(e) => props.onChange(e.target.value)} style={{ height: props.height ?? 120, fontFamily: 'monospace' }} />
  );
  return (
    <div className="mf-monaco" data-testid={props.testId}>
      {painted ? (
        <Suspense fallback={fallback}>
          <MonacoEditor key={subject} {...props} />
        </Suspense>
      ) : (
        fallback
      )}
    </div>
  );
}
