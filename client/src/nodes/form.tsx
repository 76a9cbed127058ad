import { useMemo, useState, type ReactNode } from 'react';
import { AutoComplete, Button, InputNumber, Tooltip } from 'antd';
import { DeleteOutlined, DownOutlined, PlusOutlined, RightOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { TemplateEditor } from '../components/TemplateEditor';
import { useAfterFirstPaint, usePanelSubject } from '../components/after-first-paint';
import { unknownRefs } from '../editor/references';
import { useRefs } from './refs';
import { ModelPicker } from './ModelPicker';
import { Field } from './Field';

export { Field };

/** A multi-line template (a prompt) with `{{` completion of upstream outputs. */
export function TemplateField({ nodeId, label, value, onChange, height, testId }: { nodeId: string; label: string; value: string; onChange(v: string): void; height?: number; testId?: string }) {
  const { t } = useTranslation();
  const { options, schemas } = useRefs(nodeId);
  const bad = unknownRefs(value, schemas);
  return (
    <Field
      label={label}
      help={bad.length > 0 ? <span style={{ color: '#ff4d4f' }}>{bad.map((r) => t('panel.unknownRef', { ref: r.ref })).join('；')}</span> : t('panel.refHint', { open: '{{' })}
    >
      <TemplateEditor value={value} onChange={onChange} options={options} schemas={schemas} height={height} testId={testId} />
    </Field>
  );
}

/**
 * A one-line value that is usually a single reference: suggests `{{ node.path }}` as you type. An unknown
 * reference is said on a line under the field (a sibling after it, so the field is never remounted
 * mid-typing, which would send the keystrokes after `{{ e` to the canvas).
 */
export function RefInput({ nodeId, value, onChange, placeholder }: { nodeId: string; value: string; onChange(v: string): void; placeholder?: string }) {
  const { t } = useTranslation();
  const { options, schemas } = useRefs(nodeId);
  const bad = unknownRefs(value, schemas);
  const choices = useMemo(() => options.map((o) => ({ value: `{{ ${o.ref} }}`, label: <span>{o.ref} <span style={{ color: '#8c8c8c' }}>{o.type}</span></span> })), [options]);
  return (
    <>
      <AutoComplete
        value={value}
        status={bad.length > 0 ? 'error' : undefined}
        placeholder={placeholder ?? '{{ start.transcript.text }}'}
        onChange={onChange}
        style={{ width: '100%' }}
        options={choices}
        filterOption={(input, option) => String(option?.value ?? '').toLowerCase().includes(input.replace(/[{}\s]/g, '').toLowerCase())}
      />
      {bad.length > 0 && (
        <div className="mf-ref-error" role="alert">
          {bad.map((r) => t('panel.unknownRef', { ref: r.ref })).join('；')}
        </div>
      )}
    </>
  );
}

/** Rows a list renders with its panel; the rest follow in the next frame (see {@link ListEditor}). */
const FIRST_ROWS = 3;

/**
 * An add / remove list: each row rendered by `render`. A long list (an end node's ten outputs, an audit
 * sheet's items) renders its first rows with the panel and the rest right after the panel has painted,
 * so selecting a node shows its panel without waiting for rows below the fold.
 */
export function ListEditor<T>({ items, onChange, render, create, addLabel, testId }: { items: T[]; onChange(items: NoInfer<T>[]): void; render(item: T, index: number, set: (item: T) => void): ReactNode; create(): NoInfer<T>; addLabel?: string; testId?: string }) {
  const { t } = useTranslation();
  const painted = useAfterFirstPaint();
  const shown = painted ? items : items.slice(0, FIRST_ROWS);
  return (
    <div data-testid={testId}>
      {shown.map((item, i) => (
        <div key={i} style={{ display: 'flex', gap: 6, alignItems: 'flex-start', marginBottom: 8, padding: 8, background: '#fafafa', borderRadius: 6 }}>
          <div style={{ flex: 1, minWidth: 0 }}>{render(item, i, (next) => onChange(items.map((x, j) => (j === i ? next : x))))}</div>
          <Button size="small" type="text" danger icon={<DeleteOutlined />} aria-label={t('panel.remove')} onClick={() => onChange(items.filter((_, j) => j !== i))} />
        </div>
      ))}
      <Button size="small" type="dashed" icon={<PlusOutlined />} onClick={() => onChange([...items, create()])} block>
        {addLabel ?? t('panel.add')}
      </Button>
    </div>
  );
}

/**
 * The model (alias and fallback), then its parameters (temperature, output budget, retries, timeout)
 * folded behind a one-line summary: they are rarely changed, and the four number boxes cost a panel a
 * good part of its render on selection.
 */
export function ModelSettings({
  config,
  update,
}: {
  config: { model: string; fallbackModel?: string; temperature: number; maxTokens: number; retries: number; timeoutMs?: number };
  update(p: { model?: string; fallbackModel?: string; temperature?: number; maxTokens?: number; retries?: number; timeoutMs?: number }): void;
}) {
  const { t } = useTranslation();
  // Folded again on each node the panel turns to, as when the panel was built per node.
  const subject = usePanelSubject();
  const [openFor, setOpenFor] = useState<{ subject: string | undefined } | null>(null);
  const open = openFor !== null && openFor.subject === subject;
  const summary = t('panel.modelParamsSummary', {
    temperature: config.temperature,
    maxTokens: config.maxTokens,
    retries: config.retries,
    timeout: config.timeoutMs === undefined ? t('panel.endpointDefault') : `${config.timeoutMs} ms`,
  });
  return (
    <>
      <ModelPicker model={config.model} fallbackModel={config.fallbackModel} update={update} />
      <Button type="link" size="small" style={{ padding: 0, marginBottom: 8, height: 'auto', whiteSpace: 'normal', textAlign: 'left' }} icon={open ? <DownOutlined /> : <RightOutlined />} aria-expanded={open} onClick={() => setOpenFor(open ? null : { subject })} data-testid="model-params">
        {t('panel.modelParams')}：{summary}
      </Button>
      {open && (
        <div style={{ display: 'flex', gap: 8, flexWrap: 'wrap' }}>
          <Field label={t('panel.temperature')}>
            <InputNumber min={0} max={2} step={0.1} value={config.temperature} onChange={(v) => update({ temperature: v ?? 0 })} />
          </Field>
          <Field label={t('panel.maxTokens')}>
            <InputNumber min={1} max={32768} value={config.maxTokens} onChange={(v) => update({ maxTokens: v ?? 1024 })} />
          </Field>
          <Field label={t('panel.retries')}>
            <InputNumber min={0} max={10} value={config.retries} onChange={(v) => update({ retries: v ?? 0 })} />
          </Field>
          <Field label={t('panel.timeoutMs')}>
            <Tooltip title={t('panel.modelTimeoutHint')}>
              <InputNumber
                min={100}
                max={600000}
                step={1000}
                style={{ width: 130 }}
                placeholder={t('panel.endpointDefault')}
                value={config.timeoutMs}
                onChange={(v) => update({ timeoutMs: v ?? undefined })}
                data-testid="model-timeout"
              />
            </Tooltip>
          </Field>
        </div>
      )}
    </>
  );
}
