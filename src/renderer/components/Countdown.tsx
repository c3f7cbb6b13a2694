// Seconds left until the parcel reaches the diverter, ticking at 10 Hz; red in the last 2 s.
import { useEffect, useState } from 'react';
import { useI18n } from '../i18n/index.ts';

export function Countdown(props: { deadlineAt: number; skew: number }) {
  const { t } = useI18n();
  const [now, setNow] = useState(() => Date.now() + props.skew);
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now() + props.skew), 100);
    return () => clearInterval(id);
  }, [props.skew]);
  const left = Math.max(0, props.deadlineAt - now);
  const cls = left === 0 ? 'countdown expired' : left < 2000 ? 'countdown urgent' : 'countdown';
  return (
    <div className={cls} role="timer" aria-live="off" data-testid="countdown">
      <span className="countdown-label">{t('line.deadline')}</span>
      <span className="countdown-value">{left === 0 ? t('line.expired') : `${(left / 1000).toFixed(1)} s`}</span>
    </div>
  );
}
