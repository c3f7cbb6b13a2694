// Devices & sync: availability, last seen, last error; the central link, backlog and data age.
import { useEffect, useState } from 'react';
import type { ApiResponse } from '../../shared/api.ts';
import { useApp } from '../context.ts';
import { useI18n } from '../i18n/index.ts';

export function age(ms: number | null, never: string): string {
  if (ms === null) return never;
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

export function DevicesScreen() {
  const { api, toast } = useApp();
  const { t } = useI18n();
  const [d, setD] = useState<ApiResponse<'devices.get'>>();
  useEffect(() => {
    const load = () => void api.request('devices.get', {}).then((r) => (r.ok ? setD(r.data) : toast(r.message, 'error')));
    load();
    const off = api.onEvent((e) => e.type === 'devices' && setD({ devices: e.devices, sync: e.sync }));
    const id = setInterval(load, 2000);
    return () => {
      clearInterval(id);
      off();
    };
  }, [api, toast]);
  if (!d) return <div className="loading">…</div>;
  const now = Date.now();
  const s = d.sync;
  return (
    <div className="devices-screen" data-testid="devices">
      <section className="card wide">
        <h2>{t('devices.title')}</h2>
        {d.devices.length === 0 ? <p className="muted">{t('devices.none')}</p> : null}
        <table className="grid">
          <thead>
            <tr>
              <th>{t('devices.device')}</th>
              <th>{t('devices.kind')}</th>
              <th>{t('devices.state')}</th>
              <th>{t('devices.lastSeen')}</th>
              <th>{t('devices.uptime')}</th>
              <th>{t('devices.error')}</th>
            </tr>
          </thead>
          <tbody>
            {d.devices.map((x) => (
              <tr key={x.deviceId}>
                <td className="mono">{x.deviceId}</td>
                <td>{x.kind}</td>
                <td>
                  <span className={`pill ${x.connected ? 'up' : 'down'}`}>{x.connected ? t('devices.online') : t('devices.offline')}</span>
                </td>
                <td>{x.lastSeen === null ? t('never') : `${age(now - x.lastSeen, t('never'))} ${t('ago')}`}</td>
                <td>{(x.uptime * 100).toFixed(1)}%</td>
                <td className="muted">{x.lastError ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section className="card wide">
        <h2>{t('sync.title')}</h2>
        <dl className="kv">
          <dt>{t('sync.link')}</dt>
          <dd>
            <span className={`pill ${s.link === 'online' ? 'up' : s.link === 'offline' ? 'down' : 'idle'}`}>{t(`sync.link.${s.link}`)}</span>
          </dd>
          <dt>{t('sync.backlog')}</dt>
          <dd data-testid="backlog">{s.backlog}</dd>
          <dt>{t('sync.oldest')}</dt>
          <dd>{age(s.oldestPendingAgeMs, '—')}</dd>
          <dt>{t('sync.dataAge')}</dt>
          <dd>{age(s.dataAgeMs, t('never'))}</dd>
          <dt>{t('sync.lastPush')}</dt>
          <dd>{s.lastPushOkAt ?? t('never')}</dd>
          <dt>{t('sync.lastPull')}</dt>
          <dd>{s.lastPullOkAt ?? t('never')}</dd>
        </dl>
        {s.lastError ? <p className="error">{s.lastError}</p> : null}
      </section>
    </div>
  );
}
