// History: search by waybill, time, action and reason; page through results; export as CSV.
import { useCallback, useEffect, useState } from 'react';
import type { HistoryQuery, HistoryRow } from '../../shared/api.ts';
import { REASON_CODES } from '../../shared/domain/reasons.ts';
import { useApp } from '../context.ts';
import { useI18n } from '../i18n/index.ts';
import { useKeys } from '../keys.ts';
import { ActionBadge } from './ParcelFacts.tsx';

const local = (iso: string) => iso.replace('T', ' ').slice(0, 19);

export function HistoryScreen() {
  const { api, go, toast } = useApp();
  const { t, reason } = useI18n();
  const [waybill, setWaybill] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [action, setAction] = useState('');
  const [code, setCode] = useState('');
  const [rows, setRows] = useState<HistoryRow[]>([]);
  const [total, setTotal] = useState(0);
  const [sel, setSel] = useState(0);

  const query = useCallback((): HistoryQuery => {
    const q: HistoryQuery = { limit: 200 };
    if (waybill.trim()) q.waybill = waybill.trim();
    if (from) q.from = new Date(from).toISOString();
    if (to) q.to = new Date(to).toISOString();
    if (action === 'RELEASE' || action === 'HOLD' || action === 'HOLD_LOCK') q.action = action;
    if (code) q.reason = code;
    return q;
  }, [waybill, from, to, action, code]);

  const search = useCallback(async () => {
    const r = await api.request('history.search', query());
    if (r.ok) {
      setRows(r.data.rows);
      setTotal(r.data.total);
      setSel(0);
    } else toast(r.message, 'error');
  }, [api, query, toast]);

  useEffect(() => {
    void search();
    // First load only; later searches are explicit (Enter in the form).
  }, []);

  const exportCsv = async () => {
    const r = await api.request('history.export', query());
    if (!r.ok) return toast(r.message, 'error');
    const a = document.createElement('a');
    a.href = URL.createObjectURL(new Blob([r.data.csv], { type: 'text/csv;charset=utf-8' }));
    a.download = r.data.filename;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  };

  useKeys({
    ArrowDown: () => setSel((s) => Math.min(rows.length - 1, s + 1)),
    ArrowUp: () => setSel((s) => Math.max(0, s - 1)),
    Enter: () => rows[sel] && go('detail', rows[sel].scanId),
    x: () => void exportCsv(),
    '/': () => document.getElementById('history-waybill')?.focus(),
  });

  return (
    <div className="history-screen">
      <form
        className="filters"
        onSubmit={(e) => {
          e.preventDefault();
          void search();
        }}
      >
        <label>
          {t('history.waybill')}
          <input id="history-waybill" value={waybill} onChange={(e) => setWaybill(e.target.value)} placeholder="SF…  ( / )" />
        </label>
        <label>
          {t('history.from')}
          <input type="datetime-local" value={from} onChange={(e) => setFrom(e.target.value)} />
        </label>
        <label>
          {t('history.to')}
          <input type="datetime-local" value={to} onChange={(e) => setTo(e.target.value)} />
        </label>
        <label>
          {t('history.action')}
          <select value={action} onChange={(e) => setAction(e.target.value)}>
            <option value="">{t('history.any')}</option>
            <option value="RELEASE">{t('action.RELEASE')}</option>
            <option value="HOLD">{t('action.HOLD')}</option>
            <option value="HOLD_LOCK">{t('action.HOLD_LOCK')}</option>
          </select>
        </label>
        <label>
          {t('history.reason')}
          <select value={code} onChange={(e) => setCode(e.target.value)}>
            <option value="">{t('history.any')}</option>
            {REASON_CODES.filter((c) => c !== 'OK').map((c) => (
              <option key={c} value={c}>
                {c} {reason(c)}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="primary">
          {t('history.search')}
        </button>
        <button type="button" onClick={() => void exportCsv()} data-testid="export-csv">
          <kbd>X</kbd> {t('history.export')}
        </button>
      </form>
      <p className="muted">
        {total} {t('history.count')}
      </p>
      <div className="table-wrap">
        <table className="grid" data-testid="history">
          <thead>
            <tr>
              <th>{t('history.time')}</th>
              <th>{t('history.waybill')}</th>
              <th>{t('history.action')}</th>
              <th>{t('history.reason')}</th>
              <th>{t('history.by')}</th>
              <th>{t('history.latency')}</th>
              <th>{t('history.conveyor')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r, i) => (
              <tr key={r.scanId} className={i === sel ? 'selected' : ''} onClick={() => go('detail', r.scanId)}>
                <td>{local(r.createdAt)}</td>
                <td className="mono">{r.logisticsNo ?? '—'}</td>
                <td>
                  <ActionBadge action={r.action ?? undefined} />
                </td>
                <td title={r.reasons.map(reason).join('; ')}>{r.reasons.join(' ')}</td>
                <td>{r.decidedBy === 'OPERATOR' ? r.operatorId : (r.decidedBy ?? '')}</td>
                <td>{r.latencyMs === null ? '' : `${Math.round(r.latencyMs)} ms`}</td>
                <td>{r.divertResult ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
