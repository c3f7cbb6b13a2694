// Statistics as SVG charts: parcels per hour (held part stacked), hold rate by reason, model alarms
// against the operator's outcome, decision latency and device uptime.
import { useEffect, useState } from 'react';
import type { Stats } from '../../shared/api.ts';
import { BarChart, HBarChart } from '../components/Charts.tsx';
import { useApp } from '../context.ts';
import { useI18n } from '../i18n/index.ts';

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

export function StatsScreen() {
  const { api, toast } = useApp();
  const { t, reason } = useI18n();
  const [s, setS] = useState<Stats>();
  useEffect(() => {
    const load = () => void api.request('stats.get', { hours: 24 }).then((r) => (r.ok ? setS(r.data) : toast(r.message, 'error')));
    load();
    const id = setInterval(load, 5000);
    return () => clearInterval(id);
  }, [api, toast]);
  if (!s) return <div className="loading">…</div>;
  const a = s.alarmsVsOutcome;
  return (
    <div className="stats-screen" data-testid="stats">
      <section className="card wide">
        <h2>
          {t('stats.perHour')} <span className="legend total">■ {t('stats.total')}</span> <span className="legend held">■ {t('stats.held')}</span>
        </h2>
        <BarChart data={s.perHour.map((h) => ({ label: h.hour.slice(11, 13), value: h.total, part: h.held }))} empty={t('stats.noData')} />
      </section>
      <section className="card">
        <h2>{t('stats.holdRate')}</h2>
        <HBarChart data={s.holdRateByReason.slice(0, 8).map((h) => ({ label: `${h.code} ${reason(h.code)}`.slice(0, 26), value: h.rate, text: `${pct(h.rate)} (${h.holds})`, colour: '#ffb000' }))} empty={t('stats.noData')} />
      </section>
      <section className="card">
        <h2>{t('stats.alarms')}</h2>
        <HBarChart
          data={[
            { label: t('stats.alarmConfirmed'), value: a.alarmConfirmed, text: String(a.alarmConfirmed), colour: '#ffb000' },
            { label: t('stats.alarmOverruled'), value: a.alarmOverruled, text: String(a.alarmOverruled), colour: '#2ecc71' },
            { label: t('stats.clearButHeld'), value: a.clearButHeld, text: String(a.clearButHeld), colour: '#ff3b30' },
            { label: t('stats.clearReleased'), value: a.clearReleased, text: String(a.clearReleased), colour: '#4aa3ff' },
          ]}
          empty={t('stats.noData')}
        />
      </section>
      <section className="card">
        <h2>
          {t('stats.latency')}{' '}
          <span className="muted small">
            p50 {s.latency.p50?.toFixed(0) ?? '—'} ms · p95 {s.latency.p95?.toFixed(0) ?? '—'} ms · max {s.latency.max?.toFixed(0) ?? '—'} ms
          </span>
        </h2>
        <BarChart data={s.latency.count ? s.latency.buckets.map((b) => ({ label: `≤${b.leMs}`, value: b.count })) : []} height={200} empty={t('stats.noData')} />
      </section>
      <section className="card">
        <h2>{t('stats.uptime')}</h2>
        <HBarChart data={s.devices.map((d) => ({ label: d.deviceId, value: d.uptime, text: pct(d.uptime), colour: d.connected ? '#2ecc71' : '#ff3b30' }))} max={1} empty={t('devices.none')} />
      </section>
    </div>
  );
}
