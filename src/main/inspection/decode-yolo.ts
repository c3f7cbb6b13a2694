// YOLOv8/v11 output → detections. Pure: [1, 4 + nc, N] (or the transposed [1, N, 4 + nc]) with cx, cy, w,
// h in input pixels and per-class scores; best class per anchor (as Ultralytics predicts), per-class
// thresholds, class-aware greedy NMS, boxes mapped back to original pixels undoing the letterbox.
import type { Detection } from '../../shared/domain/detection.ts';
import { toSourceBox, type Box, type LetterboxGeometry } from './letterbox.ts';

export interface DecodeOptions {
  labels: readonly string[];
  /** Score threshold per class, in label order. */
  thresholds: ArrayLike<number>;
  nmsIou: number;
  maxDetections?: number;
  geometry: LetterboxGeometry;
}

export interface Candidate {
  box: Box;
  score: number;
  cls: number;
}

export function iou(a: Box, b: Box): number {
  const w = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
  const h = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  const union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
  return union > 0 ? inter / union : 0;
}

/** Reads [1, C, N] or [1, N, C] where C = 4 + nc; anything else is a model/label mismatch. */
export function outputLayout(dims: readonly number[], numClasses: number): { anchors: number; channelsFirst: boolean } {
  const c = 4 + numClasses;
  if (dims.length === 3 && dims[0] === 1) {
    if (dims[1] === c) return { anchors: dims[2]!, channelsFirst: true };
    if (dims[2] === c) return { anchors: dims[1]!, channelsFirst: false };
  }
  throw new Error(`model output [${dims.join(', ')}] is not YOLOv8 layout [1, ${c}, N] for ${numClasses} labels`);
}

export function candidates(data: ArrayLike<number>, dims: readonly number[], numClasses: number, thresholds: ArrayLike<number>): Candidate[] {
  const { anchors: n, channelsFirst } = outputLayout(dims, numClasses);
  const c = 4 + numClasses;
  const at = channelsFirst ? (ch: number, i: number) => data[ch * n + i]! : (ch: number, i: number) => data[i * c + ch]!;
  const out: Candidate[] = [];
  for (let i = 0; i < n; i++) {
    let best = 0;
    let score = -Infinity;
    for (let k = 0; k < numClasses; k++) {
      const s = at(4 + k, i);
      if (s > score) {
        score = s;
        best = k;
      }
    }
    if (!(score >= thresholds[best]!)) continue; // also drops NaN
    const cx = at(0, i);
    const cy = at(1, i);
    const w = at(2, i);
    const h = at(3, i);
    if (!(w > 0 && h > 0)) continue;
    out.push({ box: [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], score, cls: best });
  }
  return out;
}

/** Candidates considered by NMS at most (as Ultralytics' max_nms): bounds the time a too-low threshold can cost. */
export const MAX_NMS_CANDIDATES = 3000;

/** Greedy NMS within each class; highest score first. */
export function nms(cands: Candidate[], iouThreshold: number, maxDetections = 300): Candidate[] {
  const sorted = [...cands].sort((a, b) => b.score - a.score).slice(0, MAX_NMS_CANDIDATES);
  const kept: Candidate[] = [];
  for (const c of sorted) {
    if (kept.length >= maxDetections) break;
    if (kept.some((k) => k.cls === c.cls && iou(k.box, c.box) > iouThreshold)) continue;
    kept.push(c);
  }
  return kept;
}

export function decodeYolo(data: ArrayLike<number>, dims: readonly number[], opts: DecodeOptions): Detection[] {
  const kept = nms(candidates(data, dims, opts.labels.length, opts.thresholds), opts.nmsIou, opts.maxDetections);
  const out: Detection[] = [];
  for (const k of kept) {
    const box = toSourceBox(k.box, opts.geometry);
    if (box[2] - box[0] <= 0 || box[3] - box[1] <= 0) continue; // entirely inside the padding
    out.push({ label: opts.labels[k.cls]!, score: k.score, box });
  }
  return out;
}
