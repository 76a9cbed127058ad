import { useEffect, useState } from 'react';
import { Alert, App, Button, Form, Input, List, Modal, Result, Typography } from 'antd';
import { useReactFlow } from '@xyflow/react';
import { useTranslation } from 'react-i18next';
import { z } from 'zod';
import { CompileProblemSchema, type CompileProblem } from '@shared/problems';
import { problemText } from '../i18n/problem-text';
import { useEditor } from '../editor/store';
import { publishApi, type PublishReply } from './api';
import { DetailedApiError, errorText } from './http';
import { usePublication, waitUntil } from './store';
import { runUrl } from './snippets';
import { GateCheckSchema, type GateCheck, type PublishEvaluating } from '@shared/publish-gate';
import { useAuth, useCan } from '../auth/store';
import { gateApi, gateSummary, type PublishGateState } from './gate-api';
import { GatePanel } from './GatePanel';

const NoChangesDetail = z.object({ live_version: z.number().nullable().optional(), same_as_version: z.number().optional() });
const ProblemsDetail = z.object({ errors: z.array(CompileProblemSchema) });
const GateDetail = z.object({ gate: GateCheckSchema });
/** How often the dialog reads a gate's evaluation while it runs, ms. */
const GATE_POLL_MS = 1000;

/** The publish dialog: slug (first publish only), note and who; compile problems link to their nodes; success shows the version and URL. */
export function PublishDialog({ open, onClose, onShowApi }: { open: boolean; onClose(): void; onShowApi(): void }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const { setCenter, getZoom } = useReactFlow();
  const scenarioId = useEditor((s) => s.scenarioId);
  const publication = usePublication((s) => s.publication);
  const [slug, setSlug] = useState('');
  const [note, setNote] = useState('');
  const publisher = useAuth((s) => s.user);
  const [busy, setBusy] = useState(false);
  const [problems, setProblems] = useState<CompileProblem[]>([]);
  const [done, setDone] = useState<PublishReply | null>(null);
  const [gate, setGate] = useState<PublishGateState | null>(null);
  const [check, setCheck] = useState<GateCheck | null>(null);
  const canOverride = useCan('gates:write');
  const firstPublish = !publication?.slug;

  useEffect(() => {
    if (!open) return;
    setProblems([]);
    setDone(null);
    setCheck(null);
    setNote('');
    setSlug(usePublication.getState().publication?.suggested_slug ?? '');
    if (scenarioId) gateApi.state(scenarioId).then(setGate, () => setGate(null));
  }, [open, scenarioId]);

  const focus = (nodeId: string | undefined) => {
    const node = useEditor.getState().nodes.find((n) => n.id === nodeId);
    if (!node) return;
    useEditor.getState().select(node.id);
    void setCenter(node.position.x + (node.measured?.width ?? 220) / 2, node.position.y + (node.measured?.height ?? 90) / 2, { zoom: Math.max(getZoom(), 1), duration: 300 });
    onClose();
  };

  const publish = async (override?: string) => {
    if (!scenarioId) return;
    setBusy(true);
    setProblems([]);
    try {
      // The server publishes the stored draft: let autosave catch up first.
      await waitUntil(() => useEditor.getState().saveState === 'saved');
      const body = { note: note.trim() || undefined, slug: firstPublish && slug.trim() ? slug.trim() : undefined, override_gate: override ? { note: override } : undefined };
      const reply = await publishApi.publish(scenarioId, body);
      // 202: the gate's evaluation runs; the dialog follows it and publishes again once it passes.
      if ('status' in reply) return setCheck((reply as PublishEvaluating).gate);
      setCheck(null);
      setDone(reply);
      await usePublication.getState().changed();
    } catch (error) {
      const detail = error instanceof DetailedApiError && error.code === 'compile_failed' ? ProblemsDetail.safeParse(error.details) : undefined;
      const refused = error instanceof DetailedApiError && error.code === 'gate_failed' ? GateDetail.safeParse(error.details) : undefined;
      if (detail?.success) setProblems(detail.data.errors);
      else if (refused?.success) setCheck(refused.data.gate);
      else if (error instanceof DetailedApiError && error.code === 'no_changes') {
        const same = NoChangesDetail.safeParse(error.details);
        message.info(same.success && same.data.same_as_version ? t('publish.noChangesSameAs', { version: same.data.same_as_version, live: same.data.live_version }) : t('publish.noChanges'));
      }
      else message.error(error instanceof DetailedApiError ? t(`publish.error.${error.code}`, { defaultValue: errorText(error) }) : errorText(error));
    } finally {
      setBusy(false);
    }
  };

  // While the gate's evaluation runs: read it every second; publish again once every run it needs completed.
  const evaluating = check?.status === 'evaluating';
  useEffect(() => {
    if (!evaluating || !scenarioId) return;
    let live = true;
    const timer = window.setInterval(() => {
      gateApi.check(scenarioId).then(
        (next) => {
          if (!live) return;
          if (next.status === 'evaluating') setCheck(next);
          else {
            live = false;
            void publish();
          }
        },
        () => undefined,
      );
    }, GATE_POLL_MS);
    return () => {
      live = false;
      window.clearInterval(timer);
    };
    // publish (not a dependency) reads the form as it was when the evaluation started
  }, [evaluating, scenarioId]);

  const footer = done
    ? [
        <Button key="api" onClick={() => { onClose(); onShowApi(); }} data-testid="publish-show-api">{t('publish.showApi')}</Button>,
        <Button key="ok" type="primary" onClick={onClose} data-testid="publish-close">{t('publish.close')}</Button>,
      ]
    : [
        <Button key="cancel" onClick={onClose}>{t('list.cancel')}</Button>,
        <Button key="go" type="primary" loading={busy || evaluating} disabled={check?.status === 'failed'} onClick={() => void publish()} data-testid="publish-confirm">{t('publish.confirm')}</Button>,
      ];

  return (
    <Modal open={open} title={t('publish.title')} onCancel={onClose} footer={footer} destroyOnHidden width={560}>
      {done ? (
        <Result
          status="success"
          title={<span data-testid="publish-done">{t('publish.done', { version: done.version })}</span>}
          subTitle={<Typography.Text copyable code data-testid="publish-url">{runUrl(window.location.origin, done.slug)}</Typography.Text>}
        />
      ) : (
        <Form layout="vertical" data-testid="publish-form">
          {firstPublish ? (
            <Form.Item label={t('publish.slug')} extra={t('publish.slugHelp')}>
              <Input value={slug} onChange={(e) => setSlug(e.target.value)} placeholder="intent-triage" data-testid="publish-slug" />
            </Form.Item>
          ) : (
            <Form.Item label={t('publish.slug')}>
              <Typography.Text code>{publication?.slug}</Typography.Text> <Typography.Text type="secondary">{t('publish.slugFixed')}</Typography.Text>
            </Form.Item>
          )}
          <Form.Item label={t('publish.note')}>
            <Input.TextArea value={note} onChange={(e) => setNote(e.target.value)} rows={3} placeholder={t('publish.notePlaceholder')} data-testid="publish-note" />
          </Form.Item>
          <Form.Item label={t('publish.by')}>
            <Typography.Text data-testid="publish-by">{publisher ? t('publish.byUser', { display: publisher.display_name || publisher.name, name: publisher.name }) : ''}</Typography.Text>
            <Typography.Text type="secondary" style={{ display: 'block', fontSize: 12 }}>{t('publish.byHint')}</Typography.Text>
          </Form.Item>
          {gate?.gate && !check && (
            <Alert type="info" showIcon style={{ marginBottom: 12 }} data-testid="publish-gate-note" title={t('gate.notice', { gate: gateSummary(t, gate.gate, gate.set_name) })} description={t('gate.beforePublish')} />
          )}
          {check && scenarioId && <GatePanel scenarioId={scenarioId} check={check} canOverride={canOverride} busy={busy} onOverride={(n) => void publish(n)} />}
          {problems.length > 0 && (
            <Alert
              type="error"
              showIcon
              message={t('publish.problems', { count: problems.length })}
              description={
                <List
                  size="small"
                  dataSource={problems}
                  renderItem={(p, i) => (
                    <List.Item key={i} className="mf-problem" onClick={() => focus(p.nodeId ?? useEditor.getState().edges.find((e) => e.id === p.edgeId)?.source)} data-testid="publish-problem">
                      <span><code>{p.nodeId ?? p.edgeId ?? ''}</code> {p.field ? <code>{p.field}</code> : null} {problemText(p, t, i18n)}</span>
                    </List.Item>
                  )}
                />
              }
            />
          )}
        </Form>
      )}
    </Modal>
  );
}
