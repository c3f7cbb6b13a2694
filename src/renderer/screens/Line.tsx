// The landing screen: the current parcel's image with boxes, declared vs detected, the reasons, the
// countdown, RELEASE/HOLD on single keys (a reason is asked when releasing against the machine), and
// the queue of parcels awaiting review. A new parcel appears once its image is decoded (the previous
// one stays until then), so image, boxes and facts always change together.
import { useLayoutEffect, useRef, useState } from 'react';
import type { ParcelDto } from '../../shared/api.ts';
import type { Action } from '../../shared/domain/reasons.ts';
import { Boxes } from '../components/Boxes.tsx';
import { Countdown } from '../components/Countdown.tsx';
import { useImageUrl, useShownParcel } from '../components/images.ts';
import { useApp } from '../context.ts';
import { useI18n } from '../i18n/index.ts';
import { useKeys } from '../keys.ts';
import { currentParcel, reviewQueue, type LineState } from '../line-state.ts';
import { markCommitted, markShown } from '../metrics.ts';
import { serverText } from '../server-text.ts';
import { ActionBadge, DeclaredVsDetected, Reasons } from './ParcelFacts.tsx';

export function LineScreen(props: { line: LineState; select(delta: number): void; pick(scanId: string): void }) {
  const { api, go, toast, user } = useApp();
  const { t } = useI18n();
  const { parcels, recent } = props.line;
  // The parcel on screen lags the one due by the time its image takes to decode (see useShownParcel).
  const cur = useShownParcel(api, currentParcel(props.line), (id) => parcels.get(id) ?? recent.find((r) => r.scanId === id));
  const queue = reviewQueue(props.line);
  const [asking, setAsking] = useState<ParcelDto>();
  const curWithVerdict = cur?.verdict ? cur.scanId : undefined;
  useLayoutEffect(() => {
    if (curWithVerdict) markCommitted(curWithVerdict);
  }, [curWithVerdict]);

  const decide = async (p: ParcelDto, action: Action, reason?: string) => {
    const r = await api.request('line.decide', { scanId: p.scanId, action, ...(reason ? { reason } : {}) });
    if (r.ok) toast(`${t('accepted')}: ${p.logisticsNo ?? p.scanId} → ${t(`action.${action}`)}`);
    else toast(`${t('refused')}: ${serverText(r.message, t)}`, 'error');
  };

  const press = (action: Action) => {
    if (!cur) return;
    const againstModel = action === 'RELEASE' && cur.verdict && cur.verdict.action !== 'RELEASE';
    if (againstModel) setAsking(cur);
    else void decide(cur, action);
  };

  useKeys(
    {
      r: () => press('RELEASE'),
      h: () => press('HOLD'),
      l: () => press('HOLD_LOCK'),
      ArrowUp: () => props.select(-1),
      ArrowDown: () => props.select(1),
      Enter: () => cur && go('detail', cur.scanId),
    },
    !asking,
  );

  const decidable = cur && (cur.stage === 'review' || cur.stage === 'inspecting');
  return (
    <div className="line-screen">
      <aside className="queue" aria-label={t('line.queue')}>
        <h2>
          {t('line.queue')} <span className="count">{queue.length}</span>
        </h2>
        {queue.length === 0 ? <p className="muted">{t('line.queueEmpty')}</p> : null}
        <ol data-testid="queue">
          {queue.map((p) => (
            <li key={p.scanId} className={p.scanId === cur?.scanId ? 'selected' : ''} onClick={() => props.pick(p.scanId)}>
              <span className="waybill">{p.logisticsNo ?? '—'}</span>
              <ActionBadge action={p.verdict?.action} />
              <Countdown deadlineAt={p.reviewUntil ?? p.deadlineAt} skew={props.line.skew} />
            </li>
          ))}
        </ol>
        <h2>{t('line.recent')}</h2>
        <ol className="recent" data-testid="recent">
          {props.line.recent.slice(0, 12).map((p) => (
            <li key={p.scanId} onClick={() => go('detail', p.scanId)}>
              <span className="waybill">{p.logisticsNo ?? '—'}</span>
              <ActionBadge action={p.decision?.action ?? p.verdict?.action} />
            </li>
          ))}
        </ol>
      </aside>
      {cur ? (
        <>
          <section className="stage-image">
            <ParcelImage parcel={cur} skew={props.line.skew} />
          </section>
          <section className="facts-panel" data-testid="current" data-scan={cur.scanId} data-stage={cur.stage}>
            <div className="parcel-head">
              <div>
                <div className="label">{t('line.current')}</div>
                <div className="waybill big" data-testid="waybill">
                  {cur.logisticsNo ?? cur.barcodes.join(' ') ?? '—'}
                </div>
                <div className="muted">
                  {t(`stage.${cur.stage}`)}
                  {cur.weightKg !== undefined ? ` · ${t('line.weight')} ${cur.weightKg.toFixed(2)} kg` : ''}
                  {cur.declaredWeightKg !== undefined ? ` (${t('line.declaredWeight')} ${cur.declaredWeightKg.toFixed(2)} kg)` : ''}
                </div>
              </div>
              {cur.stage === 'review' || cur.stage === 'inspecting' ? <Countdown deadlineAt={cur.stage === 'review' ? (cur.reviewUntil ?? cur.deadlineAt) : cur.deadlineAt} skew={props.line.skew} /> : null}
            </div>
            <div className="verdict-row">
              <span className="label">{t('line.proposed')}</span> <ActionBadge action={cur.verdict?.action} big />
              {cur.decision ? (
                <span className="decided" data-testid="decided">
                  → <ActionBadge action={cur.decision.action} big /> {cur.decision.operatorId ? `${t('line.decidedBy')} ${cur.decision.operatorId}` : ''}
                  {cur.command ? ` · ${t('line.sentToConveyor')}: ${cur.command}${cur.ack ? ` (${cur.ack})` : ''}` : ''}
                </span>
              ) : null}
            </div>
            <Reasons parcel={cur} />
            <DeclaredVsDetected parcel={cur} />
            <div className="actions">
              <button className="act RELEASE" disabled={!decidable} onClick={() => press('RELEASE')}>
                <kbd>R</kbd> {t('line.release')}
              </button>
              <button className="act HOLD" disabled={!decidable} onClick={() => press('HOLD')}>
                <kbd>H</kbd> {t('line.hold')}
              </button>
              <button className="act HOLD_LOCK" disabled={!decidable || user.role === 'operator'} onClick={() => press('HOLD_LOCK')}>
                <kbd>L</kbd> {t('line.holdLock')}
              </button>
            </div>
            <p className="keys-help">{t('line.keys')}</p>
          </section>
        </>
      ) : (
        <section className="waiting">{t('line.waiting')}</section>
      )}
      {asking ? (
        <ReasonDialog
          onCancel={() => setAsking(undefined)}
          onConfirm={(reason) => {
            const p = asking;
            setAsking(undefined);
            void decide(p, 'RELEASE', reason);
          }}
        />
      ) : null}
    </div>
  );
}

function ParcelImage(props: { parcel: ParcelDto; skew: number }) {
  const { api } = useApp();
  const p = props.parcel;
  const sha = p.image?.sha256;
  const url = useImageUrl(api, sha);
  // Which image the <img> has finished decoding; the parcel counts as shown once its own image is
  // decoded and its verdict is there, on the next painted frame.
  const [decoded, setDecoded] = useState<string>();
  const shownFor = useRef<string>(undefined);
  const hasVerdict = p.verdict !== undefined;
  useLayoutEffect(() => {
    if (!sha || decoded !== sha || !hasVerdict || shownFor.current === p.scanId) return;
    shownFor.current = p.scanId;
    const at = p.at;
    requestAnimationFrame(() => markShown(p.scanId, at, props.skew));
  }, [sha, decoded, hasVerdict, p.scanId, p.at, props.skew]);
  if (!p.image) return <div className="no-image">—</div>;
  return (
    <div className="xray" style={{ aspectRatio: `${p.image.width} / ${p.image.height}` }}>
      {url ? <img key={url} src={url} alt="" onLoad={() => setDecoded(sha)} data-testid="xray" /> : null}
      <Boxes width={p.image.width} height={p.image.height} detections={p.detections} />
    </div>
  );
}

function ReasonDialog(props: { onCancel(): void; onConfirm(reason: string): void }) {
  const { t } = useI18n();
  const [text, setText] = useState('');
  useKeys({ Escape: () => props.onCancel() });
  return (
    <div className="modal" role="dialog" aria-modal="true" aria-labelledby="reason-title">
      <form
        className="modal-body"
        onSubmit={(e) => {
          e.preventDefault();
          if (text.trim()) props.onConfirm(text.trim());
        }}
      >
        <h2 id="reason-title">{t('reason.title')}</h2>
        <textarea
          autoFocus
          rows={3}
          value={text}
          placeholder={t('reason.placeholder')}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey) {
              e.preventDefault();
              if (text.trim()) props.onConfirm(text.trim());
            }
          }}
          data-testid="reason"
        />
        <div className="modal-actions">
          <button type="button" onClick={props.onCancel}>
            {t('reason.cancel')}
          </button>
          <button type="submit" className="act RELEASE" disabled={!text.trim()}>
            {t('reason.confirm')}
          </button>
        </div>
      </form>
    </div>
  );
}
