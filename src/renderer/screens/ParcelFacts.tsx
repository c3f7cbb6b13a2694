// Declared lines against detected items, side by side, and the reasons in plain words: shared by the
// line view and the parcel detail.
import type { ParcelDto } from '../../shared/api.ts';
import { useI18n } from '../i18n/index.ts';
import { STATUS_COLOUR } from '../components/Boxes.tsx';

const LINE_COLOUR = { match: '#2ecc71', unseen: '#8a94a6', flagged: '#ff3b30' } as const;

export function DeclaredVsDetected(props: { parcel: ParcelDto }) {
  const { t, label } = useI18n();
  const p = props.parcel;
  return (
    <div className="versus">
      <section>
        <h3>{t('line.declared')}</h3>
        {p.declared.length === 0 ? <p className="muted">{t('line.noDeclaration')}</p> : null}
        <ul className="facts">
          {p.declared.map((l) => (
            <li key={l.gnum} className={`fact ${l.status}`} data-status={l.status}>
              <span className="dot" style={{ background: LINE_COLOUR[l.status] }} />
              <span className="fact-main">
                {l.gnum}. {l.itemName} <span className="muted">{l.gname}</span>
              </span>
              <span className="fact-side">
                ×{l.qty} · {l.gcode.slice(0, 4)}
              </span>
              <span className="tag" style={{ color: LINE_COLOUR[l.status] }}>
                {t(l.status === 'match' ? 'status.match' : l.status === 'flagged' ? 'status.flagged' : 'status.unseen')}
              </span>
            </li>
          ))}
        </ul>
      </section>
      <section>
        <h3>{t('line.detected')}</h3>
        {p.detections.length === 0 ? <p className="muted">{p.verdict ? t('line.noDetections') : '…'}</p> : null}
        <ul className="facts">
          {p.detections.map((d) => (
            <li key={d.index} className={`fact ${d.status}`} data-status={d.status}>
              <span className="dot" style={{ background: STATUS_COLOUR[d.status] }} />
              <span className="fact-main">{label(d.label)}</span>
              <span className="fact-side">{Math.round(d.score * 100)}%</span>
              <span className="tag" style={{ color: STATUS_COLOUR[d.status] }}>
                {t(d.status === 'match' ? 'status.match' : d.status === 'flagged' ? 'status.flagged' : 'status.undeclared')}
              </span>
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}

export function Reasons(props: { parcel: ParcelDto }) {
  const { t, reason } = useI18n();
  const reasons = props.parcel.verdict?.reasons ?? [];
  if (reasons.length === 0) return null;
  return (
    <section className="reasons">
      <h3>{t('line.reasons')}</h3>
      <ul>
        {reasons.map((r, i) => (
          <li key={`${r.code}${i}`} className={`reason ${r.level}`}>
            <span className="code">{r.code}</span>
            <span className="reason-text">{reason(r.code)}</span>
            <span className="reason-detail">{r.detail}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}

export function ActionBadge(props: { action: string | undefined; big?: boolean }) {
  const { t } = useI18n();
  if (!props.action) return null;
  const key = props.action === 'RELEASE' ? 'action.RELEASE' : props.action === 'HOLD_LOCK' ? 'action.HOLD_LOCK' : 'action.HOLD';
  return <span className={`badge ${props.action} ${props.big ? 'big' : ''}`}>{t(key)}</span>;
}
