import { useEffect, useState } from 'react';
import { Alert, App, Button, Card, Spin, Typography, Upload } from 'antd';
import { InboxOutlined, UploadOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import type { JobTemplateColumn } from '@shared/jobs';
import { VALUE_TYPES } from '@shared/json-schema';
import { EXPECTED_PREFIX, INPUT_PREFIX, MAX_EVAL_CASES } from '@shared/evaluation';
import { ApiError } from '../api';
import { errorText } from '../publish/http';
import { refusalPlace } from '../jobs/api';
import { autoMap, mappingToSend, unmappedRequired, type ColumnChoice } from '../jobs/mapping';
import { MappingPreview } from '../jobs/MappingPreview';
import { isRefusal, prepareUpload, type PreparedUpload } from '../jobs/upload';
import { evalApi, type EvalTargets, type EvalUploadPreview } from './api';

/** The targets a table's columns map onto: `inputs.<name>` (required as the start node says) and `expected.<name>`. */
export function mappingTargets(targets: EvalTargets): JobTemplateColumn[] {
  const type = (t: string) => VALUE_TYPES.find((v) => v === t) ?? 'string';
  return [
    ...targets.inputs.map((i) => ({ name: `${INPUT_PREFIX}${i.name}`, type: type(i.type), required: i.required, description: i.description })),
    ...targets.outputs.map((o) => ({ name: `${EXPECTED_PREFIX}${o.name}`, type: type(o.type), required: false, description: o.description })),
  ];
}

/** Columns matched to targets by their full name (`expected.risk_level`), else by the bare name (`risk_level`). */
export function autoMapTargets(columns: JobTemplateColumn[], fileColumns: string[]): ColumnChoice {
  const full = autoMap(columns, fileColumns);
  const bare = autoMap(columns.map((c) => ({ ...c, name: c.name.slice(c.name.indexOf('.') + 1) })), fileColumns);
  const choice: ColumnChoice = { id: full.id ?? '' };
  for (const c of columns) choice[c.name] = full[c.name] || bare[c.name.slice(c.name.indexOf('.') + 1)] || '';
  return choice;
}

/** A refusal by the server in words: its place (line, sheet row, column) in front of the code's text. */
function refusalText(e: unknown, t: TFunction): string {
  const where = refusalPlace(e);
  const text = errorText(e).replace(/^(line \d+|sheet ".*?" row \d+):\s*/, '');
  if (where.sheet !== undefined && where.line !== undefined) return t('evalSets.refusedRow', { sheet: where.sheet, row: where.line, message: text });
  return where.line === undefined ? text : t('evalSets.refusedLine', { line: where.line, message: text });
}

/**
 * Upload a JSONL, CSV or .xlsx file into a set: the file is read as the jobs page reads it (encodings,
 * a workbook sent as it is), its first rows previewed, a table's columns mapped onto `inputs.<name>` and
 * `expected.<name>`; the upload makes a new revision.
 */
export function EvalUpload({ scenarioId, setId, targets, onDone }: { scenarioId: string; setId: string; targets: EvalTargets; onDone: () => void }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const [file, setFile] = useState<PreparedUpload | null>(null);
  const [preview, setPreview] = useState<EvalUploadPreview | null>(null);
  const [busy, setBusy] = useState(false);
  const [refusal, setRefusal] = useState<string | null>(null);
  const [choice, setChoice] = useState<ColumnChoice>({});
  const columns = mappingTargets(targets);
  const table = preview?.format === 'csv' || preview?.format === 'xlsx';

  // Columns matched once per previewed file; the targets do not change while the page is open.
  useEffect(() => {
    if (preview && (preview.format === 'csv' || preview.format === 'xlsx')) setChoice(autoMapTargets(mappingTargets(targets), preview.columns));
  }, [preview, targets]);

  const read = async (picked: File) => {
    setRefusal(null);
    setPreview(null);
    const prepared = prepareUpload(picked.name, new Uint8Array(await picked.arrayBuffer()));
    if (isRefusal(prepared)) {
      setFile(null);
      setRefusal(prepared.refused === 'xls' ? t('jobs.oldExcel', { name: prepared.name }) : t('jobs.notUtf8', { name: prepared.name, encoding: prepared.detected }));
      return;
    }
    if (prepared.items !== null && prepared.items > MAX_EVAL_CASES) {
      // The server would refuse it at case 20 001, after the whole file was sent: said at once, in its words.
      setFile(null);
      setRefusal(refusalText(new ApiError(413, 'too_many_cases', `a set holds at most ${MAX_EVAL_CASES} cases`, { limit: MAX_EVAL_CASES, cases: prepared.items }), t));
      return;
    }
    setFile(prepared);
    setBusy(true);
    try {
      setPreview(await evalApi.preview(scenarioId, prepared));
    } catch (e) {
      setRefusal(refusalText(e, t));
    } finally {
      setBusy(false);
    }
  };

  const send = async () => {
    if (!file) return;
    setBusy(true);
    setRefusal(null);
    try {
      const reply = await evalApi.upload(setId, file, table ? mappingToSend(choice, true) : undefined);
      message.success(t('evalSets.uploaded', { revision: reply.revision, added: reply.added, changed: reply.changed }));
      setFile(null);
      setPreview(null);
      onDone();
    } catch (e) {
      setRefusal(refusalText(e, t));
    } finally {
      setBusy(false);
    }
  };
  const missing = table ? unmappedRequired(columns, choice) : [];
  // A JSONL key that names nothing makes the upload refused; a table's column is only not read.
  const refusedKeys = !table && (preview?.unknown_columns.length ?? 0) > 0;
  const sep = i18n.language === 'en' ? ', ' : '、';

  return (
    <Card size="small" title={t('evalSets.upload')} data-testid="eval-upload">
      <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>{t('evalSets.uploadHint')}</Typography.Paragraph>
      <Upload.Dragger
        accept=".jsonl,.ndjson,.csv,.txt,.xlsx"
        multiple={false}
        showUploadList={false}
        beforeUpload={(picked) => {
          void read(picked);
          return false;
        }}
        data-testid="eval-dropzone"
      >
        <p className="ant-upload-drag-icon">
          <InboxOutlined />
        </p>
        <p className="ant-upload-text">{t('evalSets.dropHint')}</p>
      </Upload.Dragger>
      {file && <Typography.Paragraph style={{ margin: '8px 0 0' }} data-testid="eval-file">{file.items === null ? t('jobs.workbookRead', { name: file.name }) : t('jobs.linesRead', { name: file.name, n: file.items })}</Typography.Paragraph>}
      {busy && <Spin size="small" style={{ display: 'block', marginTop: 8 }} />}
      {file && preview && table && <MappingPreview preview={preview} inputs={columns} choice={choice} onChange={setChoice} />}
      {file && preview && !table && <Typography.Paragraph style={{ marginTop: 8 }} data-testid="eval-preview-columns">{t('evalSets.previewColumns', { columns: preview.columns.join(sep) })}</Typography.Paragraph>}
      {file && preview && preview.unknown_columns.length > 0 && (
        <Alert style={{ marginTop: 8 }} type={table ? 'warning' : 'error'} showIcon title={t(table ? 'evalSets.unknownColumns' : 'evalSets.unknownKeys', { columns: preview.unknown_columns.join(sep) })} data-testid="eval-unknown-columns" />
      )}
      {refusal && <Alert style={{ marginTop: 8 }} type="error" showIcon title={refusal} data-testid="eval-refused" />}
      <Button type="primary" icon={<UploadOutlined />} style={{ marginTop: 8 }} block disabled={!file || !preview || missing.length > 0 || refusedKeys} loading={busy} onClick={() => void send()} data-testid="eval-upload-send">
        {t('evalSets.uploadSend')}
      </Button>
    </Card>
  );
}
