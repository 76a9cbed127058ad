import { lazy, Suspense, useEffect, useState } from 'react';
import { App as AntApp, Button, ConfigProvider, Spin, Tag, Tooltip } from 'antd';
import zhCN from 'antd/locale/zh_CN';
import enUS from 'antd/locale/en_US';
import { useTranslation } from 'react-i18next';
import { api, type Health } from './api';
import { setLang } from './i18n/index';
import { navigate, parseHash, useHash } from './router';
import { ScenarioList } from './pages/ScenarioList';

// The canvas (xyflow, monaco) loads only when a scenario is opened, keeping the list page light.
const EditorPage = lazy(() => import('./pages/EditorPage'));
const GalleryPage = lazy(() => import('./pages/GalleryPage'));
const KeysPage = lazy(() => import('./pages/KeysPage'));
const JobsPage = lazy(() => import('./pages/JobsPage'));

/** The model status from /api/health: the simulator is said plainly. */
function ModelStatus() {
  const { t } = useTranslation();
  const [health, setHealth] = useState<Health | null | 'down'>(null);
  useEffect(() => {
    api.health().then(setHealth, () => setHealth('down'));
  }, []);
  if (health === null) return null;
  if (health === 'down') return <Tag color="red">{t('app.serverDown')}</Tag>;
  if (health.simulator)
    return (
      <Tooltip title={t('app.modelSimulatorTip')}>
        <Tag color="orange" data-testid="model-status">{t('app.modelSimulator')}</Tag>
      </Tooltip>
    );
  return <Tag color="green" data-testid="model-status">{t('app.model', { model: typeof health.model === 'string' ? health.model : JSON.stringify(health.model) })}</Tag>;
}

const NAV = { color: 'rgba(255,255,255,.85)', marginLeft: 12 };

function Header() {
  const { t, i18n } = useTranslation();
  return (
    <div className="mf-header">
      <span className="mf-logo" onClick={() => navigate({ page: 'list' })}>{t('app.title')}</span>
      <span className="mf-sub">{t('app.subtitle')}</span>
      <a style={NAV} href="#/" data-testid="nav-list">{t('list.title')}</a>
      <a style={NAV} href="#/templates" data-testid="nav-gallery">{t('gallery.nav')}</a>
      <a style={NAV} href="#/keys" data-testid="nav-keys">{t('keys.nav')}</a>
      <a style={NAV} href="#/jobs" data-testid="nav-jobs">{t('jobs.nav')}</a>
      <span className="mf-spacer" />
      <ModelStatus />
      <Button size="small" data-testid="lang-switch" onClick={() => setLang(i18n.language === 'en' ? 'zh' : 'en')}>
        {t('app.language')}
      </Button>
    </div>
  );
}

/** The whole app: locale, header and the page the hash names. */
export function Root() {
  const { i18n } = useTranslation();
  const route = parseHash(useHash());
  return (
    <ConfigProvider locale={i18n.language === 'en' ? enUS : zhCN} theme={{ token: { borderRadius: 6 } }}>
      <AntApp style={{ height: '100%' }}>
        <Header />
        <div className="mf-page">
          {route.page === 'list' ? (
            <ScenarioList />
          ) : route.page === 'keys' ? (
            <Suspense fallback={<Spin style={{ margin: 48 }} />}>
              <KeysPage />
            </Suspense>
          ) : route.page === 'jobs' ? (
            <Suspense fallback={<Spin style={{ margin: 48 }} />}>
              <JobsPage scenarioId={route.scenarioId} jobId={route.jobId} />
            </Suspense>
          ) : route.page === 'gallery' ? (
            <Suspense fallback={<Spin style={{ margin: 48 }} />}>
              <GalleryPage />
            </Suspense>
          ) : (
            <Suspense fallback={<Spin style={{ margin: 48 }} />}>
              <EditorPage key={route.id} id={route.id} />
            </Suspense>
          )}
        </div>
      </AntApp>
    </ConfigProvider>
  );
}
