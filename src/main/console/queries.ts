// Read-only queries behind History, Statistics and Parcel detail. Each takes the database and
// validated input; SQL parameters only, never string-built filters.
import type { HistoryRow, ParcelDetail, Stats } from '../../shared/api.ts';
import type { HistoryQuerySchema } from '../../shared/api.ts';
import type { ReasonHit } from '../../shared/domain/verdict.ts';
import type { Db } from '../storage/db.ts';
import type { z } from 'zod';
import { toCsv } from './csv.ts';

type HistoryQuery = z.output<typeof HistoryQuerySchema>;

// The latest verdict per parcel (an operator override is a second, later verdict).
const LATEST = `
  SELECT p.scan_id, p.logistics_no, p.created_at, v.action, v.reasons, v.decided_by, v.operator_id, v.latency_ms, v.divert_result
  FROM parcel p
  LEFT JOIN verdict v ON v.verdict_id = (SELECT verdict_id FROM verdict WHERE scan_id = p.scan_id ORDER BY decided_at DESC, rowid DESC LIMIT 1)`;

function where(q: HistoryQuery): { sql: string; params: unknown[] } {
  const c: string[] = [];
  const params: unknown[] = [];
  if (q.waybill) {
    c.push('p.logistics_no LIKE ?');
    params.push(`%${q.waybill.replace(/[%_]/g, '')}%`);
  }
  if (q.from) {
    c.push('p.created_at >= ?');
    params.push(q.from);
  }
  if (q.to) {
    c.push('p.created_at <= ?');
    params.push(q.to);
  }
  if (q.action) {
    c.push('v.action = ?');
    params.push(q.action);
  }
  if (q.reason) {
    c.push("EXISTS (SELECT 1 FROM json_each(v.reasons) j WHERE json_extract(j.value, '$.code') = ?)");
    params.push(q.reason);
  }
  return { sql: c.length ? ` WHERE ${c.join(' AND ')}` : '', params };
}

interface Row {
  scan_id: string;
  logistics_no: string | null;
  created_at: string;
  action: HistoryRow['action'];
  reasons: string | null;
  decided_by: string | null;
  operator_id: string | null;
  latency_ms: number | null;
  divert_result: string | null;
}

const toHistory = (r: Row): HistoryRow => ({
  scanId: r.scan_id,
  logisticsNo: r.logistics_no,
  createdAt: r.created_at,
  action: r.action,
  reasons: r.reasons ? (JSON.parse(r.reasons) as ReasonHit[]).map((h) => h.code) : [],
  decidedBy: r.decided_by,
  operatorId: r.operator_id,
  latencyMs: r.latency_ms,
  divertResult: r.divert_result,
});

export function searchHistory(db: Db, q: HistoryQuery): { rows: HistoryRow[]; total: number } {
  const w = where(q);
  const total = (db.prepare(`SELECT count(*) AS n FROM (${LATEST}${w.sql})`).get(...w.params) as { n: number }).n;
  const rows = db.prepare(`${LATEST}${w.sql} ORDER BY p.created_at DESC, p.scan_id DESC LIMIT ? OFFSET ?`).all(...w.params, q.limit, q.offset) as Row[];
  return { rows: rows.map(toHistory), total };
}

/** Every matching row (no paging) as CSV. */
export function historyCsv(db: Db, q: HistoryQuery): string {
  const w = where(q);
  const rows = (db.prepare(`${LATEST}${w.sql} ORDER BY p.created_at DESC, p.scan_id DESC`).all(...w.params) as Row[]).map(toHistory);
  return toCsv(
    ['scan_id', 'logistics_no', 'created_at', 'action', 'reasons', 'decided_by', 'operator_id', 'latency_ms', 'divert_result'],
    rows.map((r) => [r.scanId, r.logisticsNo, r.createdAt, r.action, r.reasons.join(' '), r.decidedBy, r.operatorId, r.latencyMs === null ? '' : r.latencyMs.toFixed(1), r.divertResult]),
  );
}

export function parcelHistory(db: Db, scanId: string): Omit<ParcelDetail, 'parcel' | 'labels'> {
  const created = db.prepare('SELECT created_at FROM parcel WHERE scan_id = ?').get(scanId) as { created_at: string };
  const verdicts = (
    db.prepare('SELECT verdict_id, action, reasons, decided_by, operator_id, decided_at, divert_result FROM verdict WHERE scan_id = ? ORDER BY decided_at, rowid').all(scanId) as {
      verdict_id: string;
      action: 'RELEASE' | 'HOLD' | 'HOLD_LOCK';
      reasons: string;
      decided_by: string;
      operator_id: string | null;
      decided_at: string;
      divert_result: string | null;
    }[]
  ).map((v) => ({
    verdictId: v.verdict_id,
    action: v.action,
    reasons: JSON.parse(v.reasons) as ReasonHit[],
    decidedBy: v.decided_by,
    operatorId: v.operator_id,
    decidedAt: v.decided_at,
    divertResult: v.divert_result,
    note: null,
  }));
  const decisions = (db.prepare('SELECT operator_id, action, reason, at FROM operator_decision WHERE scan_id = ? ORDER BY at, id').all(scanId) as { operator_id: string; action: 'RELEASE' | 'HOLD' | 'HOLD_LOCK'; reason: string | null; at: string }[]).map(
    (d) => ({ operatorId: d.operator_id, action: d.action, reason: d.reason, at: d.at }),
  );
  const audit = db.prepare('SELECT seq, at, actor, kind, subject, payload FROM audit_log WHERE subject = ? ORDER BY seq').all(scanId) as ParcelDetail['audit'];
  return { createdAt: created.created_at, verdicts, decisions, audit };
}

const LATENCY_BUCKETS = [50, 100, 200, 500, 1000, 2000, 5000, 10000];

function quantile(sorted: number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** Statistics over the last `hours` up to `now`; devices come from the live tracker. */
export function statistics(db: Db, hours: number, now: Date, devices: Stats['devices']): Stats {
  const to = now.toISOString();
  const from = new Date(now.getTime() - hours * 3600_000).toISOString();
  const rows = db.prepare(`${LATEST} WHERE p.created_at >= ? AND p.created_at <= ?`).all(from, to) as Row[];
  const perHour = new Map<string, { total: number; held: number }>();
  const holdsBy = new Map<string, number>();
  const latencies: number[] = [];
  let decided = 0;
  for (const r of rows) {
    const hour = `${r.created_at.slice(0, 13)}:00`;
    const h = perHour.get(hour) ?? { total: 0, held: 0 };
    h.total++;
    if (r.action && r.action !== 'RELEASE') {
      h.held++;
      // The deciding (first) machine reason; an operator override's S05 is not why a parcel was held.
      const codes = r.reasons ? (JSON.parse(r.reasons) as ReasonHit[]).map((x) => x.code).filter((c) => c !== 'S05') : [];
      const code = codes[0] ?? 'S05';
      holdsBy.set(code, (holdsBy.get(code) ?? 0) + 1);
    }
    if (r.action) decided++;
    if (r.latency_ms !== null) latencies.push(r.latency_ms);
    perHour.set(hour, h);
  }
  latencies.sort((a, b) => a - b);
  // Model against operator: for each operator decision, what the machine verdict proposed (its reasons after S05).
  const ops = db
    .prepare(`SELECT v.action, v.reasons FROM verdict v WHERE v.decided_by = 'OPERATOR' AND v.decided_at >= ? AND v.decided_at <= ?`)
    .all(from, to) as { action: string; reasons: string }[];
  const avo = { alarmConfirmed: 0, alarmOverruled: 0, clearButHeld: 0, clearReleased: 0 };
  for (const o of ops) {
    const machine = (JSON.parse(o.reasons) as ReasonHit[]).filter((x) => x.code !== 'S05');
    const alarmed = machine.some((x) => x.level !== 'ALERT');
    const held = o.action !== 'RELEASE';
    if (alarmed) avo[held ? 'alarmConfirmed' : 'alarmOverruled']++;
    else avo[held ? 'clearButHeld' : 'clearReleased']++;
  }
  return {
    from,
    to,
    perHour: [...perHour.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([hour, v]) => ({ hour, ...v })),
    holdRateByReason: [...holdsBy.entries()].sort((a, b) => b[1] - a[1]).map(([code, holds]) => ({ code, holds, rate: decided > 0 ? holds / decided : 0 })),
    alarmsVsOutcome: avo,
    latency: {
      count: latencies.length,
      p50: quantile(latencies, 0.5),
      p95: quantile(latencies, 0.95),
      max: latencies.length ? latencies[latencies.length - 1]! : null,
      buckets: LATENCY_BUCKETS.map((le, i) => ({ leMs: le, count: latencies.filter((l) => l <= le && (i === 0 || l > LATENCY_BUCKETS[i - 1]!)).length })),
    },
    devices,
  };
}
