import { lazy, Suspense } from 'react';
import { Input } from 'antd';
import type { RefOption } from '../editor/references';
import type { JsonSchema } from '@shared/index';

export interface TemplateEditorProps {
  value: string;
  onChange(value: string): void;
  /** `template` gets `{{` completion and unknown-reference markers; the others are plain code. */
  language?: 'template' | 'javascript' | 'json';
  height?: number;
  options?: RefOption[];
  schemas?: Map<string, JsonSchema>;
  testId?: string;
}

// Monaco is ~4 MB: it loads only when a panel with an editor first opens.
const MonacoEditor = lazy(() => import('./MonacoEditor'));

/** A prompt or code editor; a plain text area stands in while monaco loads. */
export function TemplateEditor(props: TemplateEditorProps) {
  const fallback = (
    <Input.TextArea value={props.value} onChange={(e) => props.onChange(e.target.value)} style={{ height: props.height ?? 120, fontFamily: 'monospace' }} />
  );
  return (
    <div className="mf-monaco" data-testid={props.testId}>
      <Suspense fallback={fallback}>
        <MonacoEditor {...props} />
      </Suspense>
    </div>
  );
}
