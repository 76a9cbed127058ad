import { lazy, Suspense, useEffect, useState, type ReactNode } from 'react';
import { App as AntApp, Button, ConfigProvider, Result, Spin, Tag, Tooltip } from 'antd';
import zhCN from 'antd/locale/zh_CN';
import enUS from 'antd/locale/en_US';
import { useTranslation } from 'react-i18next';
import { api, type Health } from './api';
import { ForcedPasswordPage } from './auth/ForcedPasswordPage';
import { SetupPage } from './auth/SetupPage';
import { SignInPage } from './auth/SignInPage';
import { useAuth, useCan } from './auth/store';
import { UserMenu } from './auth/UserMenu';
import { setLang } from './i18n/index';
import { navigate, parseHash, redirect, useHash, type Route } from './router';
import { ScenarioList } from './pages/ScenarioList';

// The canvas (xyflow, monaco) loads only when a scenario is opened, keeping the list page light.
const EditorPage = lazy(() => import('./pages/EditorPage'));
const GalleryPage = lazy(() => import('./pages/GalleryPage'));
const KeysPage = lazy(() => import('./pages/KeysPage'));
const JobsPage = lazy(() => import('./pages/JobsPage'));
const UsersPage = lazy(() => import('./pages/UsersPage'));
const AuditPage = lazy(() => import('./pages/AuditPage'));
const EndpointsPage = lazy(() => import('./pages/EndpointsPage'));
const EvalPage = lazy(() => import('./evaluation/EvalPage'));
const ReviewPage = lazy(() => import('./review/ReviewPage'));
const AlertRulesPage = lazy(() => import('./alerts/AlertRulesPage'));
const LiveBoard = lazy(() => import('./live/LiveBoard'));
const DeskPage = lazy(() => import('./live/DeskPage'));

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
  // Worded in the UI's language from the data (e.g. 模型：default → Qwen2.5 @ 10.0.0.5:8000); the English line only from an older server.
  const info = health.model_info;
  const label = info ? t('app.modelInfo', info) : t('app.model', { model: typeof health.model === 'string' ? health.model : JSON.stringify(health.model) });
  return <Tag color="green" data-testid="model-status" title={info && !info.json_schema ? t('app.modelNoJsonSchema') : undefined}>{label}</Tag>;
}

/** The top navigation item a page belongs to: a scenario's canvas belongs to the list. */
function navSection(route: Route): string {
  if (route.page === 'desk') return 'live';
  return route.page === 'editor' || route.page === 'eval' || route.page === 'alerts' ? 'list' : route.page;
}

function Header() {
  const { t, i18n } = useTranslation();
  const section = navSection(parseHash(useHash()));
  // The current page's item is marked for screen readers (aria-current) and by its style.
  const nav = (page: string) => ({ className: `mf-nav${section === page ? ' mf-nav-current' : ''}`, 'aria-current': section === page ? ('page' as const) : undefined });
  const canKeys = useCan('keys:read');
  const canUsers = useCan('users:read');
  const canAudit = useCan('audit:read');
  const canEndpoints = useCan('settings:write');
  const canReview = useCan('review:read');
  const canLive = useCan('live:read');
  return (
    <div className="mf-header">
      <span className="mf-logo" onClick={() => navigate({ page: 'list' })}>{t('app.title')}</span>
      <span className="mf-sub">{t('app.subtitle')}</span>
      <a {...nav('list')} href="#/" data-testid="nav-list">{t('list.title')}</a>
      <a {...nav('gallery')} href="#/templates" data-testid="nav-gallery">{t('gallery.nav')}</a>
      {canKeys && <a {...nav('keys')} href="#/keys" data-testid="nav-keys">{t('keys.nav')}</a>}
      <a {...nav('jobs')} href="#/jobs" data-testid="nav-jobs">{t('jobs.nav')}</a>
      {canReview && <a {...nav('review')} href="#/review" data-testid="nav-review">{t('review.nav')}</a>}
      {canLive && <a {...nav('live')} href="#/live" data-testid="nav-live">{t('live.nav')}</a>}
      {canUsers && <a {...nav('users')} href="#/users" data-testid="nav-users">{t('users.nav')}</a>}
      {canAudit && <a {...nav('audit')} href="#/audit" data-testid="nav-audit">{t('auditLog.nav')}</a>}
      {canEndpoints && <a {...nav('endpoints')} href="#/endpoints" data-testid="nav-endpoints">{t('endpoints.nav')}</a>}
      <span className="mf-spacer" />
      <ModelStatus />
      <Button size="small" data-testid="lang-switch" onClick={() => setLang(i18n.language === 'en' ? 'zh' : 'en')}>
        {t('app.language')}
      </Button>
      <UserMenu />
    </div>
  );
}

function Lazy({ children }: { children: ReactNode }) {
  return <Suspense fallback={<Spin style={{ margin: 48 }} />}>{children}</Suspense>;
}

/** A page the user's role may not open (a link followed by hand): says so instead of a page of errors. */
function Forbidden() {
  const { t } = useTranslation();
  return <Result status="403" title="403" subTitle={t('errors.forbidden')} data-testid="forbidden" />;
}

/** The page the route names, once signed in. */
function Page({ route }: { route: Exclude<Route, { page: 'signIn' }> }) {
  const canKeys = useCan('keys:read');
  const canUsers = useCan('users:read');
  const canAudit = useCan('audit:read');
  const canEndpoints = useCan('settings:write');
  const canEval = useCan('eval:read');
  const canReview = useCan('review:read');
  const canLive = useCan('live:read');
  switch (route.page) {
    case 'list':
      return <ScenarioList />;
    case 'keys':
      return canKeys ? <Lazy><KeysPage /></Lazy> : <Forbidden />;
    case 'users':
      return canUsers ? <Lazy><UsersPage /></Lazy> : <Forbidden />;
    case 'audit':
      return canAudit ? <Lazy><AuditPage /></Lazy> : <Forbidden />;
    case 'endpoints':
      return canEndpoints ? <Lazy><EndpointsPage /></Lazy> : <Forbidden />;
    case 'jobs':
      return <Lazy><JobsPage scenarioId={route.scenarioId} jobId={route.jobId} /></Lazy>;
    case 'eval':
      return canEval ? <Lazy><EvalPage key={route.scenarioId} scenarioId={route.scenarioId} setId={route.setId} /></Lazy> : <Forbidden />;
    case 'alerts':
      return <Lazy><AlertRulesPage key={route.scenarioId} scenarioId={route.scenarioId} /></Lazy>;
    case 'review':
      return canReview ? <Lazy><ReviewPage itemId={route.itemId} rulesOf={route.rulesOf} /></Lazy> : <Forbidden />;
    case 'live':
      return canLive ? <Lazy><LiveBoard /></Lazy> : <Forbidden />;
    case 'desk':
      return canLive || route.token ? <Lazy><DeskPage key={route.id} id={route.id} token={route.token} /></Lazy> : <Forbidden />;
    case 'gallery':
      return <Lazy><GalleryPage /></Lazy>;
    case 'editor':
      return <Lazy><EditorPage key={route.id} id={route.id} /></Lazy>;
  }
}

/**
 * Nothing of the app shows until someone is signed in: the setup page while no account exists, else the
 * sign-in page (at `#/sign-in?next=<where they were>`), then the forced password change for a one-time
 * password, then the page they asked for.
 */
function Gate() {
  const { t } = useTranslation();
  const hash = useHash();
  const route = parseHash(hash);
  const { status, setupRequired, user } = useAuth();
  useEffect(() => {
    void useAuth.getState().load();
  }, []);
  const signedOut = status === 'ready' && !setupRequired && user === null;
  const signedIn = status === 'ready' && user !== null;
  // The desk link of a live call carries its own token: the agent needs no Mofang account.
  const deskByToken = route.page === 'desk' && route.token !== undefined ? route : undefined;
  useEffect(() => {
    const here = parseHash(hash);
    if (here.page === 'desk' && here.token !== undefined) return;
    if (signedOut && here.page !== 'signIn') redirect({ page: 'signIn', next: hash && hash !== '#/' ? hash : undefined });
    if (signedIn && here.page === 'signIn') redirect(parseHash(here.next ?? '#/'));
  }, [signedOut, signedIn, hash]);

  if (deskByToken)
    return (
      <div className="mf-page mf-desk-page">
        <Lazy><DeskPage key={deskByToken.id} id={deskByToken.id} token={deskByToken.token} /></Lazy>
      </div>
    );
  if (status === 'loading') return <Spin style={{ margin: 48 }} />;
  if (status === 'error')
    return (
      <Result
        status="warning"
        title={t('auth.serverDown')}
        extra={<Button onClick={() => void useAuth.getState().load()}>{t('auth.retry')}</Button>}
      />
    );
  if (setupRequired) return <SetupPage />;
  if (!user) return <SignInPage />;
  if (route.page === 'signIn') return <Spin style={{ margin: 48 }} />;
  // A one-time password is changed before anything else (the server refuses the rest meanwhile).
  if (user.password_must_change) return <ForcedPasswordPage />;
  return (
    <>
      <Header />
      <div className="mf-page">
        <Page route={route} />
      </div>
    </>
  );
}

/** The whole app: locale, then the sign-in gate, the header and the page the hash names. */
export function Root() {
  const { i18n } = useTranslation();
  return (
    <ConfigProvider locale={i18n.language === 'en' ? enUS : zhCN} theme={{ token: { borderRadius: 6 } }}>
      <AntApp style={{ height: '100%' }}>
        <Gate />
      </AntApp>
    </ConfigProvider>
  );
}
