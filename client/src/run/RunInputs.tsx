import type { ReactNode } from 'react';
import { Form, Input, InputNumber, Select, Switch } from 'antd';
import { useTranslation } from 'react-i18next';
import type { StartInput } from '@shared/index';
import { samples } from '../samples';

/** The text shown in an input box for a stored sample value. */
export function inputText(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : JSON.stringify(value, null, 2);
}

/**
 * Turns what was typed into the value sent: JSON where the type wants structure (a transcript may be
 * pasted as JSON or as 坐席：/客户： lines), numbers as numbers.
 */
export function inputValue(type: StartInput['type'], text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  const trimmed = text.trim();
  if (type === 'object' || type === 'array' || (type === 'transcript' && /^[[{]/.test(trimmed))) {
    try {
      return { ok: true, value: JSON.parse(trimmed) };
    } catch (error) {
      return { ok: false, error: error instanceof Error ? error.message : String(error) };
    }
  }
  return { ok: true, value: text };
}

/** One input's label, help and, when it cannot be sent, the reason, marked in red. */
function Field({ label, help, error, children }: { label: string; help?: ReactNode; error?: string; children: ReactNode }) {
  return (
    <Form.Item label={label} help={error ?? help} validateStatus={error ? 'error' : undefined} style={{ marginBottom: 12 }} data-testid={error ? 'run-input-error' : undefined}>
      {children}
    </Form.Item>
  );
}

/** One input box per start input, typed; a transcript can be pasted or picked from samples. */
export function RunInputs({ inputs, values, onChange, errors = {} }: { inputs: StartInput[]; values: Record<string, unknown>; onChange(name: string, value: unknown): void; errors?: Record<string, string> }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language === 'en' ? 'en' : 'zh';
  return (
    <>
      {inputs.map((input) => {
        const v = values[input.name];
        const label = `${input.name}${input.required ? ' *' : ''} (${input.type})`;
        if (input.type === 'number' || input.type === 'integer')
          return (
            <Field key={input.name} label={label} error={errors[input.name]}>
              <InputNumber value={typeof v === 'number' ? v : null} onChange={(n) => onChange(input.name, n ?? undefined)} />
            </Field>
          );
        if (input.type === 'boolean')
          return (
            <Field key={input.name} label={label} error={errors[input.name]}>
              <Switch checked={v === true} onChange={(b) => onChange(input.name, b)} />
            </Field>
          );
        return (
          <Field key={input.name} label={label} help={input.description || undefined} error={errors[input.name]}>
            {input.type === 'transcript' && (
              <Select
                size="small"
                style={{ width: '100%', marginBottom: 6 }}
                placeholder={t('run.sample')}
                data-testid="sample-select"
                value={null}
                options={samples.map((s) => ({ value: s.id, label: s.title[lang] }))}
                onChange={(id) => onChange(input.name, samples.find((s) => s.id === id)?.text ?? '')}
              />
            )}
            <Input.TextArea
              data-testid={`run-input-${input.name}`}
              rows={input.type === 'string' ? 2 : 8}
              placeholder={input.type === 'transcript' ? t('run.pasteHint') : ''}
              value={inputText(v)}
              onChange={(e) => onChange(input.name, e.target.value)}
            />
          </Field>
        );
      })}
    </>
  );
}
