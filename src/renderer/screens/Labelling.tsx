// Labelling for retraining: confirm (Y) or reject (N) the selected detection, draw a missed box (D,
// then drag, then pick its label), export everything labelled as a YOLO dataset.
import { useState } from 'react';
import { DETECTION_LABELS } from '../../shared/domain/detection.ts';
import { ImageCanvas } from '../components/ImageCanvas.tsx';
import { useImageUrl } from '../components/images.ts';
import { useApp } from '../context.ts';
import { useI18n } from '../i18n/index.ts';
import { DEFAULT_OPS, type ImageOps } from '../image-ops.ts';
import { useParcelDetail, useToolKeys } from './Detail.tsx';

type Box = [number, number, number, number];

export function LabellingScreen(props: { scanId: string | undefined }) {
  const { api, toast, user } = useApp();
  const { t, label } = useI18n();
  const [d, reload] = useParcelDetail(props.scanId);
  const [sel, setSel] = useState(0);
  const [drawing, setDrawing] = useState(false);
  const [drawn, setDrawn] = useState<Box>();
  const [ops, setOps] = useState<ImageOps>(DEFAULT_OPS);
  const [zoom, setZoom] = useState(1);
  const url = useImageUrl(api, d?.parcel.image?.sha256);
  const dets = d?.parcel.detections ?? [];

  const save = async (kind: 'confirm' | 'reject' | 'add', idx: number | null, lab: string, box: Box) => {
    if (!d) return;
    const r = await api.request('labels.save', { scanId: d.parcel.scanId, detectionIndex: idx, kind, label: lab, box });
    if (r.ok) {
      toast(`${t('labels.saved')}: ${kind} ${label(lab)}`);
      reload();
    } else toast(r.message, 'error');
  };
  const judge = (kind: 'confirm' | 'reject') => {
    const det = dets[sel];
    if (det) void save(kind, det.index, det.label, det.box);
  };
  const exportYolo = async () => {
    const r = await api.request('labels.export', {});
    if (r.ok) toast(`${t('labels.exported')}: ${r.data.images} / ${r.data.boxes} → ${r.data.dir}`);
    else toast(r.message, 'error');
  };

  useToolKeys(ops, setOps, zoom, setZoom, {
    y: () => judge('confirm'),
    n: () => judge('reject'),
    d: () => setDrawing((x) => !x),
    Tab: () => setSel((s) => (dets.length ? (s + 1) % dets.length : 0)),
    Escape: () => (setDrawing(false), setDrawn(undefined)),
  }, !drawn);

  if (!props.scanId) return <p className="muted center">{t('labels.pick')}</p>;
  if (!d) return <div className="loading">…</div>;
  const p = d.parcel;
  const judged = new Map(d.labels.filter((l) => l.detectionIndex !== null).map((l) => [l.detectionIndex!, l.kind]));
  return (
    <div className="detail-screen" data-testid="labelling">
      <section className="detail-image">
        <div className="tools">
          <button className={drawing ? 'tool on' : 'tool'} onClick={() => setDrawing((x) => !x)}>
            <kbd>D</kbd> {t('labels.draw')}
          </button>
          {user.role !== 'operator' ? (
            <button className="tool" onClick={() => void exportYolo()} data-testid="export-yolo">
              {t('labels.export')}
            </button>
          ) : null}
        </div>
        {p.image ? (
          <ImageCanvas
            url={url}
            width={p.image.width}
            height={p.image.height}
            ops={ops}
            zoom={zoom}
            onZoom={setZoom}
            detections={dets}
            {...(dets[sel] ? { selected: dets[sel].index } : {})}
            extra={d.labels.filter((l) => l.kind === 'add').map((l) => ({ box: l.box, label: l.label, colour: '#00e5ff' }))}
            drawing={drawing}
            onDrawn={(b) => setDrawn(b)}
          />
        ) : null}
        <p className="keys-help">{t('labels.help')}</p>
      </section>
      <section className="detail-side">
        <div className="parcel-head">
          <div>
            <div className="label">{t('labels.title')}</div>
            <div className="waybill big">{p.logisticsNo ?? '—'}</div>
          </div>
        </div>
        <ul className="facts">
          {dets.map((x, i) => (
            <li key={x.index} className={`fact ${i === sel ? 'selected' : ''}`} onClick={() => setSel(i)}>
              <span className="fact-main">
                #{x.index} {label(x.label)}
              </span>
              <span className="fact-side">{Math.round(x.score * 100)}%</span>
              <span className={`tag ${judged.get(x.index) ?? ''}`}>{judged.get(x.index) === 'confirm' ? '✓' : judged.get(x.index) === 'reject' ? '✗' : ''}</span>
              <button onClick={() => void save('confirm', x.index, x.label, x.box)}>
                <kbd>Y</kbd> {t('labels.confirm')}
              </button>
              <button onClick={() => void save('reject', x.index, x.label, x.box)}>
                <kbd>N</kbd> {t('labels.reject')}
              </button>
            </li>
          ))}
          {d.labels
            .filter((l) => l.kind === 'add')
            .map((l) => (
              <li key={l.id} className="fact added">
                <span className="fact-main">+ {label(l.label)}</span>
                <span className="fact-side">{l.by}</span>
              </li>
            ))}
        </ul>
        {drawn ? (
          <div className="pick-label">
            <h3>{t('labels.labelFor')}</h3>
            <div className="label-grid">
              {DETECTION_LABELS.map((l, i) => (
                <button
                  key={l}
                  autoFocus={i === 0}
                  onClick={() => {
                    const b = drawn;
                    setDrawn(undefined);
                    setDrawing(false);
                    void save('add', null, l, b);
                  }}
                >
                  {label(l)}
                </button>
              ))}
            </div>
          </div>
        ) : null}
      </section>
    </div>
  );
}
