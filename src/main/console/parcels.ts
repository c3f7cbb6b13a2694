// Turns the line's ParcelView into what the console shows: detections and declared lines side by
// side, each marked match / mismatch from the same HS-prefix table the rules engine matched with,
// and from the evidence the verdict's reasons carry. The pure part (`markMatches`) is tested alone.
import type { DeclaredLine, DetectionDto, ParcelDto } from '../../shared/api.ts';
import type { Declaration, DeclarationLine } from '../../shared/domain/aed.ts';
import type { Detection } from '../../shared/domain/detection.ts';
import type { ReasonHit } from '../../shared/domain/verdict.ts';
import type { ParcelView } from '../line/runtime.ts';
import type { Db } from '../storage/db.ts';

export interface LabelHs {
  /** label → HS prefixes it explains (from the rule pack). */
  get(label: string): readonly string[] | undefined;
}

/** Pure: mark each detection and declared line from the HS table and the verdict evidence. */
export function markMatches(detections: readonly Detection[], lines: readonly DeclarationLine[], reasons: readonly ReasonHit[], hs: LabelHs): { detections: DetectionDto[]; declared: DeclaredLine[] } {
  const flaggedDet = new Set<number>();
  const flaggedLine = new Set<number>();
  for (const r of reasons) {
    if (r.level === 'ALERT' || r.code === 'OK') continue;
    for (const d of r.evidence.detections ?? []) flaggedDet.add(d.index);
    for (const g of r.evidence.gnum ?? []) flaggedLine.add(g);
  }
  const explains = (label: string, l: DeclarationLine) => (hs.get(label) ?? []).some((p) => l.gcode.startsWith(p));
  const dets: DetectionDto[] = detections.map((d, index) => ({
    index,
    label: d.label,
    score: d.score,
    box: d.box,
    status: flaggedDet.has(index) ? 'flagged' : lines.some((l) => explains(d.label, l)) ? 'match' : 'undeclared',
  }));
  const declared: DeclaredLine[] = lines.map((l) => ({
    gnum: l.gnum,
    itemName: l.itemName,
    gname: l.gname,
    gcode: l.gcode,
    qty: l.qty,
    unit: l.unit,
    status: flaggedLine.has(l.gnum) ? 'flagged' : detections.some((d) => explains(d.label, l)) ? 'match' : 'unseen',
  }));
  return { detections: dets, declared };
}

interface Static {
  image?: ParcelDto['image'];
  detections: Detection[];
  declaration?: Declaration;
  /** Loaded once the decision was committed: the detections are final (they are written with it or before). */
  final: boolean;
}

/**
 * Builds DTOs, caching what does not change (the declaration, the image row) and the detections once
 * the decision is committed. A parcel sends four or five events; each used to read its declaration again.
 */
export class ParcelViews {
  private readonly cache = new Map<string, Static>();
  private readonly db: Db;
  private readonly lookup: (logisticsNo: string) => Declaration[];
  private readonly hs: LabelHs;
  private readonly stmts;

  constructor(db: Db, lookup: (logisticsNo: string) => Declaration[], hs: LabelHs) {
    this.db = db;
    this.lookup = lookup;
    this.hs = hs;
    this.stmts = {
      dets: db.prepare('SELECT label, score, x1, y1, x2, y2 FROM detection WHERE scan_id = ? ORDER BY id'),
      image: db.prepare('SELECT sha256, width, height, format FROM image WHERE sha256 = ?'),
    };
  }

  private load(v: ParcelView): Static {
    const hit = this.cache.get(v.scanId);
    if (hit && (hit.final || !v.verdict)) return hit;
    const rows = this.stmts.dets.all(v.scanId) as { label: string; score: number; x1: number; y1: number; x2: number; y2: number }[];
    const img = hit?.image ?? (v.imageSha256 ? (this.stmts.image.get(v.imageSha256) as { sha256: string; width: number; height: number; format: string } | undefined) : undefined);
    let declaration: Declaration | undefined = hit?.declaration;
    if (!hit) {
      try {
        declaration = v.logisticsNo ? this.lookup(v.logisticsNo)[0] : undefined;
      } catch {
        declaration = undefined; // the verdict already carries D01/D-codes; the console just shows no lines
      }
    }
    const s: Static = {
      ...(img ? { image: img } : {}),
      detections: rows.map((r) => ({ label: r.label, score: r.score, box: [r.x1, r.y1, r.x2, r.y2] })),
      ...(declaration ? { declaration } : {}),
      final: v.decision !== undefined,
    };
    this.cache.set(v.scanId, s);
    if (this.cache.size > 500) this.cache.delete(this.cache.keys().next().value!);
    return s;
  }

  dto(v: ParcelView, at: number): ParcelDto {
    const s = this.load(v);
    const marked = markMatches(s.detections, s.declaration?.lines ?? [], v.verdict?.reasons ?? [], this.hs);
    return {
      scanId: v.scanId,
      ...(v.seq !== undefined ? { seq: v.seq } : {}),
      ...(v.logisticsNo ? { logisticsNo: v.logisticsNo } : {}),
      barcodes: v.barcodes,
      ...(v.weightKg !== undefined ? { weightKg: v.weightKg } : {}),
      ...(s.declaration ? { declaredWeightKg: s.declaration.grossWeightKg } : {}),
      ...(s.image ? { image: s.image } : {}),
      deadlineAt: v.deadlineAt,
      ...(v.reviewUntil !== undefined ? { reviewUntil: v.reviewUntil } : {}),
      stage: v.stage,
      ...(v.verdict
        ? { verdict: { action: v.verdict.action, reasons: v.verdict.reasons, ruleSet: v.verdict.ruleSet, model: v.verdict.model, review: v.verdict.review, sampled: v.verdict.sampled } }
        : {}),
      ...(v.decision ? { decision: { ...v.decision } } : {}),
      ...(v.command ? { command: v.command } : {}),
      ...(v.ack ? { ack: v.ack } : {}),
      ...marked,
      at,
    };
  }

  /** A parcel read back from the database (history, detail) in the same shape. */
  fromDb(scanId: string): ParcelDto | undefined {
    const p = this.db.prepare('SELECT scan_id, tunnel_seq, logistics_no, barcodes, weight_kg, image_sha256, deadline_at, state, updated_at FROM parcel WHERE scan_id = ?').get(scanId) as
      | { scan_id: string; tunnel_seq: number | null; logistics_no: string | null; barcodes: string; weight_kg: number | null; image_sha256: string | null; deadline_at: string | null; state: string; updated_at: string }
      | undefined;
    if (!p) return undefined;
    const v = this.db.prepare('SELECT action, reasons, rule_set, model, decided_by, operator_id, divert_result FROM verdict WHERE scan_id = ? ORDER BY decided_at DESC, rowid DESC LIMIT 1').get(scanId) as
      | { action: 'RELEASE' | 'HOLD' | 'HOLD_LOCK'; reasons: string; rule_set: string; model: string; decided_by: 'AUTO' | 'OPERATOR'; operator_id: string | null; divert_result: string | null }
      | undefined;
    const reasons = v ? (JSON.parse(v.reasons) as ReasonHit[]) : [];
    const [ackKind, cmd] = (v?.divert_result ?? '').split(':');
    const view: ParcelView = {
      scanId,
      ...(p.tunnel_seq !== null ? { seq: p.tunnel_seq } : {}),
      ...(p.logistics_no ? { logisticsNo: p.logistics_no } : {}),
      barcodes: JSON.parse(p.barcodes) as string[],
      ...(p.weight_kg !== null ? { weightKg: p.weight_kg } : {}),
      ...(p.image_sha256 ? { imageSha256: p.image_sha256 } : {}),
      deadlineAt: p.deadline_at ? Date.parse(p.deadline_at) : 0,
      stage: (['inspecting', 'review', 'committing', 'signalled', 'done'].includes(p.state) ? p.state : 'done') as ParcelView['stage'],
      ...(v ? { verdict: { action: v.action, reasons, ruleSet: v.rule_set, model: v.model, review: false, sampled: false } } : {}),
      ...(v ? { decision: { action: v.action, reasons: reasons.map((r) => r.code), by: v.decided_by, ...(v.operator_id ? { operatorId: v.operator_id } : {}) } } : {}),
      ...(cmd === 'RELEASE' || cmd === 'HOLD' ? { command: cmd } : {}),
      ...(ackKind === 'ok' || ackKind === 'nak' || ackKind === 'timeout' ? { ack: ackKind } : {}),
    };
    return this.dto(view, Date.parse(p.updated_at));
  }
}
