// Building reason hits: default level from the reason table, evidence in a stable shape, numbers
// formatted the same way every time so equal inputs give byte-equal verdicts.
import { REASONS, type ReasonCode } from '../../shared/domain/reasons.ts';
import type { DetectionEvidence, ReasonEvidence, ReasonHit } from '../../shared/domain/verdict.ts';
import type { Detection } from '../../shared/domain/detection.ts';

export type Level = ReasonHit['level'];

export function defaultLevel(code: ReasonCode): Level {
  const a = REASONS[code].action;
  return a === 'HOLD_LOCK' || a === 'ALERT' ? a : 'HOLD';
}

export function hit(code: ReasonCode, detail: string, evidence: ReasonEvidence = {}, level: Level = defaultLevel(code)): ReasonHit {
  return { code, detail, evidence, level };
}

/** A detection with its index in the inspection output. */
export interface IndexedDetection extends Detection {
  index: number;
}

export function detEvidence(ds: readonly IndexedDetection[]): DetectionEvidence[] {
  return ds.map((d) => ({ index: d.index, label: d.label, score: round(d.score, 3), box: d.box }));
}

export function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/** "1.234" style without trailing noise; used in detail strings. */
export function fmt(n: number, digits = 3): string {
  return String(round(n, digits));
}
