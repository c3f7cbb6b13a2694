// The console shell: login, the navigation bar (keys 1-5), language switch, connection state, alarm
// strip and toasts; the line state lives here so it keeps updating while other screens are open.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Alarm, User } from '../shared/api.ts';
import { AppContext, type Screen } from './context.ts';
import { I18nContext, makeI18n, useI18n, type Lang } from './i18n/index.ts';
import type { StringKey } from './i18n/en.ts';
import { useKeys } from './keys.ts';
import { applyParcel, applySnapshot, emptyLine, moveSelection, type LineState } from './line-state.ts';
import { imageUrl } from './components/images.ts';
import { markReceived } from './metrics.ts';
import { DetailScreen } from './screens/Detail.tsx';
import { DevicesScreen } from './screens/Devices.tsx';
import { HistoryScreen } from './screens/History.tsx';
import { LabellingScreen } from './screens/Labelling.tsx';
import { LineScreen } from './screens/Line.tsx';
import { LoginScreen } from './screens/Login.tsx';
import { StatsScreen } from './screens/Stats.tsx';
import type { Transport } from './transport.ts';
import { alarmText } from './server-text.ts';

const NAV: { screen: Screen; key: StringKey; hot: string }[] = [
  { screen: 'line', key: 'nav.line', hot: '1' },
  { screen: 'history', key: 'nav.history', hot: '2' },
  { screen: 'stats', key: 'nav.stats', hot: '3' },
  { screen: 'devices', key: 'nav.devices', hot: '4' },
  { screen: 'labelling', key: 'nav.labelling', hot: '5' },
];

const TOKEN_KEY = 'station.token';
const LANG_KEY = 'station.lang';

export function App(props: { api: Transport }) {
  const { api } = props;
  const [lang, setLang] = useState<Lang>(() => (localStorage.getItem(LANG_KEY) === 'zh-CN' ? 'zh-CN' : 'en'));
  const i18n = useMemo(() => makeI18n(lang), [lang]);
  const [user, setUser] = useState<User>();
  const [resuming, setResuming] = useState(true);
  const [connected, setConnected] = useState(true);
  const [screen, setScreen] = useState<Screen>('line');
  const [detailId, setDetailId] = useState<string>();
  const [line, setLine] = useState<LineState>(emptyLine);
  const [alarms, setAlarms] = useState<Alarm[]>([]);
  const [toasts, setToasts] = useState<{ id: number; text: string; kind: 'ok' | 'error' }[]>([]);
  const toastId = useRef(0);

  useEffect(() => {
    document.documentElement.lang = lang;
    localStorage.setItem(LANG_KEY, lang);
  }, [lang]);

  const toast = useCallback((text: string, kind: 'ok' | 'error' = 'ok') => {
    const id = ++toastId.current;
    setToasts((t) => [...t.slice(-3), { id, text, kind }]);
    setTimeout(() => setToasts((t) => t.filter((x) => x.id !== id)), kind === 'error' ? 6000 : 2500);
  }, []);

  const loadSnapshot = useCallback(async () => {
    const r = await api.request('line.snapshot', {});
    if (r.ok) setLine((s) => applySnapshot(s, r.data, Date.now()));
  }, [api]);

  // Resume a session kept for this tab (survives reloads, not new tabs).
  useEffect(() => {
    const token = sessionStorage.getItem(TOKEN_KEY);
    if (!token) {
      setResuming(false);
      return;
    }
    void api.request('auth.resume', { token }).then((r) => {
      if (r.ok) setUser(r.data.user);
      else sessionStorage.removeItem(TOKEN_KEY);
      setResuming(false);
    });
  }, [api]);

  useEffect(() => {
    if (!user) return;
    void loadSnapshot();
    const offEvent = api.onEvent((e) => {
      if (e.type === 'parcel') {
        if (e.parcel.verdict || e.parcel.decision) markReceived(e.parcel.scanId);
        // Fetch and decode the image as soon as the parcel is announced, before its verdict.
        if (e.parcel.image && e.parcel.stage !== 'done') void imageUrl(api, e.parcel.image.sha256).catch(() => {});
        setLine((s) => applyParcel(s, e.parcel));
      } else if (e.type === 'alarm') setAlarms((a) => [e.alarm, ...a].slice(0, 5));
    });
    let wasUp = true;
    const offStatus = api.onStatus((up) => {
      setConnected(up);
      if (up && !wasUp) {
        const token = sessionStorage.getItem(TOKEN_KEY);
        if (token) void api.request('auth.resume', { token }).then((r) => (r.ok ? loadSnapshot() : setUser(undefined)));
      }
      wasUp = up;
    });
    return () => {
      offEvent();
      offStatus();
    };
  }, [api, user, loadSnapshot]);

  const go = useCallback((s: Screen, scanId?: string) => {
    if (scanId) setDetailId(scanId);
    setScreen(s);
  }, []);

  useKeys(
    Object.fromEntries([...NAV.map((n) => [n.hot, () => go(n.screen)]), ['`', () => setLang((l) => (l === 'en' ? 'zh-CN' : 'en'))]]),
    !!user,
  );

  const logout = async () => {
    await api.request('auth.logout', {});
    sessionStorage.removeItem(TOKEN_KEY);
    setUser(undefined);
  };

  const ctx = useMemo(() => (user ? { api, user, go, toast } : null), [api, user, go, toast]);

  return (
    <I18nContext.Provider value={i18n}>
      <div className={`app ${connected ? '' : 'offline'}`}>
        <header className="topbar">
          <div className="brand">{i18n.t('appTitle')}</div>
          {user ? (
            <nav className="nav" aria-label="screens">
              {NAV.map((n) => (
                <button key={n.screen} className={screen === n.screen || (screen === 'detail' && n.screen === 'line' && false) ? 'active' : ''} onClick={() => go(n.screen)} data-screen={n.screen}>
                  <kbd>{n.hot}</kbd> {i18n.t(n.key)}
                </button>
              ))}
            </nav>
          ) : (
            <div className="nav" />
          )}
          <div className="topbar-right">
            <span className={`conn ${connected ? 'up' : 'down'}`}>{connected ? i18n.t('connected') : i18n.t('disconnected')}</span>
            <button className="lang" onClick={() => setLang((l) => (l === 'en' ? 'zh-CN' : 'en'))} data-testid="lang">
              {i18n.t('language')}
            </button>
            {user ? (
              <>
                <span className="user" data-testid="user">
                  {user.name} · {user.role}
                </span>
                <button onClick={() => void logout()}>{i18n.t('logout')}</button>
              </>
            ) : null}
          </div>
        </header>
        {alarms.length > 0 && user ? (
          <div className="alarms" role="status">
            <AlarmLine alarm={alarms[0]!} />
            <button className="dismiss" onClick={() => setAlarms([])} aria-label="dismiss">
              ×
            </button>
          </div>
        ) : null}
        <main className="main">
          {!user ? (
            resuming ? null : (
              <LoginScreen
                api={api}
                onLogin={(u, token) => {
                  sessionStorage.setItem(TOKEN_KEY, token);
                  setUser(u);
                  setScreen('line');
                }}
              />
            )
          ) : (
            <AppContext.Provider value={ctx}>
              {screen === 'line' ? <LineScreen line={line} select={(d) => setLine((s) => moveSelection(s, d))} pick={(id) => setLine((s) => ({ ...s, selected: id }))} /> : null}
              {screen === 'detail' && detailId ? <DetailScreen scanId={detailId} /> : null}
              {screen === 'history' ? <HistoryScreen /> : null}
              {screen === 'stats' ? <StatsScreen /> : null}
              {screen === 'devices' ? <DevicesScreen /> : null}
              {screen === 'labelling' ? <LabellingScreen scanId={detailId ?? line.recent[0]?.scanId} /> : null}
            </AppContext.Provider>
          )}
        </main>
        <div className="toasts" aria-live="polite">
          {toasts.map((t) => (
            <div key={t.id} className={`toast ${t.kind}`} data-testid="toast">
              {t.text}
            </div>
          ))}
        </div>
      </div>
    </I18nContext.Provider>
  );
}

function AlarmLine(props: { alarm: Alarm }) {
  const { t } = useI18n();
  const a = alarmText(props.alarm, t);
  return (
    <span data-testid="alarm" data-code={props.alarm.code}>
      <strong>{t('alarm')}</strong> {a.title}: {a.detail}
    </span>
  );
}
