// Persistence of parcels and their verdicts. A decision is written in ONE transaction: the verdict
// row, the parcel's new state, an audit record and the outbox item for the central service — so a
// RELEASE that reached the conveyor always has its durable record, and sync never loses it.
import { canonicalJson } from '../../shared/canonical-json.ts';
import type { ReasonHit } from '../../shared/domain/verdict.ts';
import type { Action } from '../../shared/domain/reasons.ts';
import { appendAudit } from '../storage/audit.ts';
import { withoutFsync, type Db } from '../storage/db.ts';
import type { WalSync } from '../storage/wal-sync.ts';
import { enqueue } from '../sync/outbox.ts';

export type ParcelStateKind = 'inspecting' | 'review' | 'committing' | 'signalled' | 'done';

export interface NewParcel {
  scanId: string;
  stationId: string;
  lineId: string;
  logisticsNo?: string;
  barcodes: string[];
  tunnelSeq?: number;
  imageSha256?: string;
  weightKg?: number;
  deadlineAt: string;
  createdAt: string;
}

export interface VerdictRecord {
  verdictId: string;
  scanId: string;
  logisticsNo?: string;
  action: Action;
  reasons: ReasonHit[];
  ruleSet: string;
  model: string;
  dataAsOf?: string;
  decidedBy: 'AUTO' | 'OPERATOR';
  operatorId?: string;
  overrides?: string;
  decidedAt: string;
  latencyMs?: number;
  /** Why a fail-safe or operator decision was taken. */
  note?: string;
}

export interface ImageRecord {
  sha256: string;
  relPath: string;
  format: string;
  width: number;
  height: number;
  bytes: number;
}

export class ParcelRepository {
  private readonly db: Db;
  private readonly stmts;
  /**
   * With a WalSync, the writes that need not be on disk before the next step skip their own fsync
   * and are synced in the background (storage/wal-sync.ts). Without one, every commit is FULL.
   */
  private readonly walSync: WalSync | undefined;

  constructor(db: Db, opts: { walSync?: WalSync } = {}) {
    this.db = db;
    this.walSync = opts.walSync;
    this.stmts = {
      insertImage: db.prepare(
        'INSERT INTO image (sha256, rel_path, format, width, height, bytes, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (sha256) DO NOTHING',
      ),
      insertParcel: db.prepare(
        `INSERT INTO parcel (scan_id, station_id, line_id, logistics_no, barcodes, tunnel_seq, state, image_sha256, weight_kg, deadline_at, created_at, updated_at)
         VALUES (@scanId, @stationId, @lineId, @logisticsNo, @barcodes, @tunnelSeq, 'inspecting', @imageSha256, @weightKg, @deadlineAt, @createdAt, @createdAt)`,
      ),
      setState: db.prepare('UPDATE parcel SET state = ?, updated_at = ? WHERE scan_id = ?'),
      insertDetection: db.prepare('INSERT INTO detection (scan_id, model, label, score, x1, y1, x2, y2) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'),
      insertVerdict: db.prepare(
        `INSERT INTO verdict (verdict_id, scan_id, logistics_no, action, reasons, rule_set, model, data_as_of, decided_by, operator_id, overrides, decided_at, latency_ms)
         VALUES (@verdictId, @scanId, @logisticsNo, @action, @reasons, @ruleSet, @model, @dataAsOf, @decidedBy, @operatorId, @overrides, @decidedAt, @latencyMs)`,
      ),
      insertOperator: db.prepare('INSERT INTO operator_decision (scan_id, verdict_id, operator_id, action, reason, at) VALUES (?, ?, ?, ?, ?, ?)'),
      divert: db.prepare('UPDATE verdict SET divert_command_at = ?, divert_result = ? WHERE verdict_id = ?'),
      ack: db.prepare('UPDATE verdict SET divert_ack_at = ?, divert_result = ? WHERE verdict_id = ?'),
      inFlight: db.prepare("SELECT scan_id AS scanId, state, logistics_no AS logisticsNo FROM parcel WHERE state NOT IN ('done', 'signalled')"),
      prior: db.prepare('SELECT action, decided_at AS decidedAt FROM verdict WHERE logistics_no = ? ORDER BY decided_at'),
    };
  }

  saveImageRow(img: ImageRecord, at: string): void {
    this.stmts.insertImage.run(img.sha256, img.relPath, img.format, img.width, img.height, img.bytes, at);
  }

  /**
   * Writes `fn` in one transaction. `now`: FULL, on disk when this returns. `soon`: with a WalSync,
   * without its own fsync, made durable by the next shared background sync (a crash of the process
   * keeps it; a power cut in the few ms before that sync may not); without one, FULL as well.
   */
  private write(fn: () => void, durable: 'now' | 'soon'): void {
    const tx = this.db.transaction(fn);
    if (durable === 'now' || !this.walSync) return void tx();
    withoutFsync(this.db, () => tx());
    this.walSync.flushSoon();
  }

  /**
   * The parcel row, with its image row in the same transaction when given. Durable soon, not now:
   * until its verdict the parcel has no command, and a lost RELEASE cannot come of a lost row.
   */
  createParcel(p: NewParcel, detections: { model: string; label: string; score: number; box: [number, number, number, number] }[] = [], image?: ImageRecord): void {
    this.write(() => {
      if (image) this.stmts.insertImage.run(image.sha256, image.relPath, image.format, image.width, image.height, image.bytes, p.createdAt);
      this.stmts.insertParcel.run({
        ...p,
        logisticsNo: p.logisticsNo ?? null,
        barcodes: JSON.stringify(p.barcodes),
        tunnelSeq: p.tunnelSeq ?? null,
        imageSha256: p.imageSha256 ?? null,
        weightKg: p.weightKg ?? null,
      });
      for (const d of detections) this.stmts.insertDetection.run(p.scanId, d.model, d.label, d.score, ...d.box);
    }, 'soon');
  }

  saveDetections(scanId: string, model: string, detections: { label: string; score: number; box: [number, number, number, number] }[]): void {
    if (detections.length === 0) return;
    this.write(() => {
      for (const d of detections) this.stmts.insertDetection.run(scanId, model, d.label, d.score, ...d.box);
    }, 'soon');
  }

  setState(scanId: string, state: ParcelStateKind, at: string): void {
    this.stmts.setState.run(state, at, scanId);
  }

  /**
   * Verdict + parcel state + audit + outbox (+ the detections behind it), atomically. Throws if
   * anything fails: nothing is then written. A RELEASE is on disk when this returns (its command
   * leaves next); any other action is durable soon (its HOLD goes to the conveyor without waiting).
   */
  commitVerdict(
    v: VerdictRecord,
    nextState: ParcelStateKind,
    operatorReason?: string,
    detections?: { model: string; list: readonly { label: string; score: number; box: [number, number, number, number] }[] },
  ): void {
    this.write(() => {
      for (const d of detections?.list ?? []) this.stmts.insertDetection.run(v.scanId, detections!.model, d.label, d.score, ...d.box);
      this.stmts.insertVerdict.run({
        verdictId: v.verdictId,
        scanId: v.scanId,
        logisticsNo: v.logisticsNo ?? null,
        action: v.action,
        reasons: canonicalJson(v.reasons),
        ruleSet: v.ruleSet,
        model: v.model,
        dataAsOf: v.dataAsOf ?? null,
        decidedBy: v.decidedBy,
        operatorId: v.operatorId ?? null,
        overrides: v.overrides ?? null,
        decidedAt: v.decidedAt,
        latencyMs: v.latencyMs ?? null,
      });
      if (v.decidedBy === 'OPERATOR') this.stmts.insertOperator.run(v.scanId, v.verdictId, v.operatorId ?? 'unknown', v.action, operatorReason ?? null, v.decidedAt);
      this.stmts.setState.run(nextState, v.decidedAt, v.scanId);
      appendAudit(this.db, {
        actor: v.decidedBy === 'OPERATOR' ? `operator:${v.operatorId ?? 'unknown'}` : 'station',
        kind: 'verdict',
        subject: v.scanId,
        at: v.decidedAt,
        payload: { verdictId: v.verdictId, action: v.action, reasons: v.reasons.map((r) => r.code), logisticsNo: v.logisticsNo ?? null, note: v.note ?? null },
      });
      enqueue(this.db, { kind: 'verdict', idemKey: v.verdictId, payload: v, createdAt: v.decidedAt });
    }, v.action === 'RELEASE' ? 'now' : 'soon');
  }

  /**
   * The command that left, and (recordAck) the conveyor's answer: without an fsync of their own
   * (withoutFsync): restart recovery goes by the verdict, which is durable before the command leaves,
   * and a power loss can cost only these after-the-fact records until the next verdict's commit.
   * Two fsyncs fewer per parcel on the event loop that carries every other parcel.
   */
  recordCommand(verdictId: string, command: string, at: string): void {
    withoutFsync(this.db, () => this.stmts.divert.run(at, `sent:${command}`, verdictId));
  }

  /** The conveyor's answer (or its absence) and, in the same transaction, the parcel's final state. */
  recordAck(verdictId: string, command: string, ack: 'ok' | 'nak' | 'timeout', at: string, done?: { scanId: string }): void {
    withoutFsync(this.db, () =>
      this.db.transaction(() => {
        this.stmts.ack.run(ack === 'timeout' ? null : at, `${ack}:${command}`, verdictId);
        if (done) this.stmts.setState.run('done', at, done.scanId);
      })(),
    );
  }

  inFlight(): { scanId: string; state: ParcelStateKind; logisticsNo: string | null }[] {
    return this.stmts.inFlight.all() as { scanId: string; state: ParcelStateKind; logisticsNo: string | null }[];
  }

  priorVerdicts(logisticsNo: string): { action: Action; decidedAt: string }[] {
    return this.stmts.prior.all(logisticsNo) as { action: Action; decidedAt: string }[];
  }
}
