// Parcel detail: the image tools (colour/grey, organic/inorganic, invert, edges, contrast, gamma,
// zoom/pan), the facts, the decision history and the parcel's audit trail.
import { useEffect, useState } from 'react';
import type { ParcelDetail } from '../../shared/api.ts';
import { ImageCanvas } from '../components/ImageCanvas.tsx';
import { useImageUrl } from '../components/images.ts';
import { useApp } from '../context.ts';
import { useI18n } from '../i18n/index.ts';
import { DEFAULT_OPS, type ImageOps } from '../image-ops.ts';
import { useKeys } from '../keys.ts';
import { ActionBadge, DeclaredVsDetected, Reasons } from './ParcelFacts.tsx';

export function useParcelDetail(scanId: string | undefined): [ParcelDetail | undefined, () => void] {
  const { api, toast } = useApp();
  const [d, setD] = useState<ParcelDetail>();
  const [n, setN] = useState(0);
  useEffect(() => {
    if (!scanId) return;
    void api.request('parcel.get', { scanId }).then((r) => (r.ok ? setD(r.data) : toast(r.message, 'error')));
  }, [api, scanId, n, toast]);
  return [d, () => setN((x) => x + 1)];
}

export function ImageTools(props: { ops: ImageOps; set(o: ImageOps): void; zoom: number; setZoom(z: number): void }) {
  const { t } = useI18n();
  const { ops, set } = props;
  const toggle = (on: boolean, key: string, label: string, click: () => void) => (
    <button className={on ? 'tool on' : 'tool'} onClick={click} aria-pressed={on}>
      <kbd>{key}</kbd> {label}
    </button>
  );
  return (
    <div className="tools" aria-label={t('detail.tools')}>
      {toggle(ops.mode === 'colour', 'C', t('detail.colour'), () => set({ ...ops, mode: 'colour' }))}
      {toggle(ops.mode === 'grey', 'G', t('detail.grey'), () => set({ ...ops, mode: 'grey' }))}
      {toggle(ops.material === 'organic', 'O', t('detail.organic'), () => set({ ...ops, material: ops.material === 'organic' ? 'all' : 'organic' }))}
      {toggle(ops.material === 'inorganic', 'I', t('detail.inorganic'), () => set({ ...ops, material: ops.material === 'inorganic' ? 'all' : 'inorganic' }))}
      {toggle(ops.invert, 'V', t('detail.invert'), () => set({ ...ops, invert: !ops.invert }))}
      {toggle(ops.edges, 'E', t('detail.edges'), () => set({ ...ops, edges: !ops.edges }))}
      <label className="slider">
        {t('detail.contrast')} {ops.contrast.toFixed(1)}
        <input type="range" min={0.5} max={3} step={0.1} value={ops.contrast} onChange={(e) => set({ ...ops, contrast: Number(e.target.value) })} />
      </label>
      <label className="slider">
        {t('detail.gamma')} {ops.gamma.toFixed(1)}
        <input type="range" min={0.3} max={3} step={0.1} value={ops.gamma} onChange={(e) => set({ ...ops, gamma: Number(e.target.value) })} />
      </label>
      <span className="zoom">
        {t('detail.zoom')} {props.zoom.toFixed(1)}×
      </span>
      <button className="tool" onClick={() => (set(DEFAULT_OPS), props.setZoom(1))}>
        <kbd>0</kbd> {t('detail.reset')}
      </button>
    </div>
  );
}

export function useToolKeys(ops: ImageOps, set: (o: ImageOps) => void, zoom: number, setZoom: (z: number) => void, extra: Record<string, () => void> = {}, enabled = true): void {
  useKeys(
    {
      c: () => set({ ...ops, mode: 'colour' }),
      g: () => set({ ...ops, mode: 'grey' }),
      o: () => set({ ...ops, material: ops.material === 'organic' ? 'all' : 'organic' }),
      i: () => set({ ...ops, material: ops.material === 'inorganic' ? 'all' : 'inorganic' }),
      v: () => set({ ...ops, invert: !ops.invert }),
      e: () => set({ ...ops, edges: !ops.edges }),
      '+': () => setZoom(Math.min(8, zoom * 1.25)),
      '=': () => setZoom(Math.min(8, zoom * 1.25)),
      '-': () => setZoom(Math.max(1, zoom / 1.25)),
      '0': () => (set(DEFAULT_OPS), setZoom(1)),
      ...extra,
    },
    enabled,
  );
}

export function DetailScreen(props: { scanId: string }) {
  const { api, go } = useApp();
  const { t, reason } = useI18n();
  const [d] = useParcelDetail(props.scanId);
  const [ops, setOps] = useState<ImageOps>(DEFAULT_OPS);
  const [zoom, setZoom] = useState(1);
  const url = useImageUrl(api, d?.parcel.image?.sha256);
  useToolKeys(ops, setOps, zoom, setZoom, { Escape: () => go('line'), Backspace: () => go('line') });
  if (!d) return <div className="loading">…</div>;
  const p = d.parcel;
  return (
    <div className="detail-screen" data-testid="detail">
      <section className="detail-image">
        <ImageTools ops={ops} set={setOps} zoom={zoom} setZoom={setZoom} />
        {p.image ? <ImageCanvas url={url} width={p.image.width} height={p.image.height} ops={ops} zoom={zoom} onZoom={setZoom} detections={p.detections} /> : <div className="no-image">—</div>}
        <p className="keys-help">{t('detail.keys')}</p>
      </section>
      <section className="detail-side">
        <div className="parcel-head">
          <div>
            <div className="label">{t('detail.title')}</div>
            <div className="waybill big">{p.logisticsNo ?? '—'}</div>
            <div className="muted">
              {d.createdAt} · {p.scanId}
            </div>
          </div>
          <button onClick={() => go('line')}>{t('detail.back')}</button>
        </div>
        <Reasons parcel={p} />
        <DeclaredVsDetected parcel={p} />
        <h3>{t('detail.history')}</h3>
        <table className="grid compact">
          <tbody>
            {d.verdicts.map((v) => (
              <tr key={v.verdictId}>
                <td>{v.decidedAt.slice(11, 23)}</td>
                <td>
                  <ActionBadge action={v.action} />
                </td>
                <td>{v.decidedBy === 'OPERATOR' ? v.operatorId : 'AUTO'}</td>
                <td title={v.reasons.map((r) => r.detail).join('\n')}>{v.reasons.map((r) => `${r.code} ${reason(r.code)}`).join('; ')}</td>
                <td>{v.divertResult ?? ''}</td>
              </tr>
            ))}
            {d.decisions.map((o, i) => (
              <tr key={`o${i}`}>
                <td>{o.at.slice(11, 23)}</td>
                <td>
                  <ActionBadge action={o.action} />
                </td>
                <td>{o.operatorId}</td>
                <td colSpan={2}>{o.reason ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <h3>{t('detail.audit')}</h3>
        <table className="grid compact audit" data-testid="audit">
          <tbody>
            {d.audit.map((a) => (
              <tr key={a.seq}>
                <td>#{a.seq}</td>
                <td>{a.at.slice(11, 23)}</td>
                <td>{a.actor}</td>
                <td>{a.kind}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </div>
  );
}
