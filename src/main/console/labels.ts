// Operator labels for retraining: confirm or reject a detection, or draw a box the model missed.
// Exported as a YOLO dataset (images/, labels/ with "class cx cy w h" normalised, data.yaml).
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Label } from '../../shared/api.ts';
import { DETECTION_LABELS } from '../../shared/domain/detection.ts';
import { StationError } from '../../shared/errors.ts';
import { appendAudit } from '../storage/audit.ts';
import type { Db } from '../storage/db.ts';

export interface NewLabel {
  scanId: string;
  detectionIndex: number | null;
  kind: Label['kind'];
  label: string;
  box: [number, number, number, number];
}

export function saveLabel(db: Db, l: NewLabel, by: string, at = new Date().toISOString()): number {
  const [x1, y1, x2, y2] = l.box;
  if (!(x2 > x1 && y2 > y1)) throw new StationError('CONSOLE_BAD_LABEL', `box [${l.box.join(', ')}] is empty: x2 must exceed x1 and y2 exceed y1`);
  if (l.kind === 'add' && l.detectionIndex !== null) throw new StationError('CONSOLE_BAD_LABEL', 'a drawn box does not refer to a detection');
  if (l.kind !== 'add' && l.detectionIndex === null) throw new StationError('CONSOLE_BAD_LABEL', `${l.kind} needs the detection it judges`);
  if (!db.prepare('SELECT 1 FROM parcel WHERE scan_id = ?').get(l.scanId)) throw new StationError('CONSOLE_NOT_FOUND', `no parcel ${l.scanId}`);
  return db.transaction(() => {
    const id = Number(
      db.prepare('INSERT INTO label (scan_id, detection_index, kind, label, x1, y1, x2, y2, by_account, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').run(l.scanId, l.detectionIndex, l.kind, l.label, x1, y1, x2, y2, by, at)
        .lastInsertRowid,
    );
    appendAudit(db, { actor: by, kind: 'label.save', subject: l.scanId, at, payload: { id, kind: l.kind, label: l.label, detectionIndex: l.detectionIndex, box: l.box } });
    return id;
  })();
}

export function labelsFor(db: Db, scanId: string): Label[] {
  return (
    db.prepare('SELECT id, scan_id, detection_index, kind, label, x1, y1, x2, y2, by_account, at FROM label WHERE scan_id = ? ORDER BY id').all(scanId) as {
      id: number;
      scan_id: string;
      detection_index: number | null;
      kind: Label['kind'];
      label: string;
      x1: number;
      y1: number;
      x2: number;
      y2: number;
      by_account: string;
      at: string;
    }[]
  ).map((r) => ({ id: r.id, scanId: r.scan_id, detectionIndex: r.detection_index, kind: r.kind, label: r.label, box: [r.x1, r.y1, r.x2, r.y2], by: r.by_account, at: r.at }));
}

/** Pure: the boxes a labelled image contributes. The latest judgement of a detection wins; rejected ones drop out. */
export function finalBoxes(labels: readonly Label[]): { label: string; box: [number, number, number, number] }[] {
  const byDet = new Map<number, Label>();
  const added: Label[] = [];
  for (const l of labels) {
    if (l.kind === 'add') added.push(l);
    else if (l.detectionIndex !== null) byDet.set(l.detectionIndex, l);
  }
  return [...[...byDet.values()].filter((l) => l.kind === 'confirm'), ...added].map((l) => ({ label: l.label, box: l.box }));
}

/** Pure: one YOLO label line, coordinates normalised to the image and clipped to it. */
export function yoloLine(cls: number, box: readonly number[], w: number, h: number): string {
  const [x1, y1, x2, y2] = [Math.max(0, box[0]!), Math.max(0, box[1]!), Math.min(w, box[2]!), Math.min(h, box[3]!)];
  const f = (n: number) => n.toFixed(6);
  return `${cls} ${f((x1 + x2) / 2 / w)} ${f((y1 + y2) / 2 / h)} ${f((x2 - x1) / w)} ${f((y2 - y1) / h)}`;
}

export function exportYolo(db: Db, imagesDir: string, outDir: string, by: string): { dir: string; images: number; boxes: number; classes: string[] } {
  const scans = db.prepare('SELECT DISTINCT l.scan_id, i.rel_path, i.width, i.height FROM label l JOIN parcel p ON p.scan_id = l.scan_id JOIN image i ON i.sha256 = p.image_sha256 ORDER BY l.scan_id').all() as {
    scan_id: string;
    rel_path: string;
    width: number;
    height: number;
  }[];
  const classes: string[] = [...DETECTION_LABELS];
  // Inside the owner-only data folder, and owner-only itself (images are customs evidence).
  mkdirSync(join(outDir, 'images'), { recursive: true, mode: 0o700 });
  mkdirSync(join(outDir, 'labels'), { recursive: true, mode: 0o700 });
  let boxes = 0;
  for (const s of scans) {
    const lines = finalBoxes(labelsFor(db, s.scan_id)).map((b) => {
      let cls = classes.indexOf(b.label);
      if (cls < 0) cls = classes.push(b.label) - 1;
      return yoloLine(cls, b.box, s.width, s.height);
    });
    boxes += lines.length;
    const ext = s.rel_path.slice(s.rel_path.lastIndexOf('.'));
    copyFileSync(join(imagesDir, s.rel_path), join(outDir, 'images', `${s.scan_id}${ext}`));
    writeFileSync(join(outDir, 'labels', `${s.scan_id}.txt`), lines.length ? `${lines.join('\n')}\n` : '');
  }
  writeFileSync(join(outDir, 'data.yaml'), `# Exported by the inspection station from operator labels\npath: .\ntrain: images\nval: images\nnc: ${classes.length}\nnames: [${classes.map((c) => JSON.stringify(c)).join(', ')}]\n`);
  appendAudit(db, { actor: by, kind: 'label.export', subject: null, payload: { dir: outDir, images: scans.length, boxes } });
  return { dir: outDir, images: scans.length, boxes, classes };
}
