// The machine verdict for one parcel (domain.md §8): the action, every reason that fired with its
// evidence, and the versions of the rule pack and model that produced it.
import type { Action, ReasonCode } from './reasons.ts';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** A detection as evidence: its index in the inspection output, so the console can highlight the box. */
export interface DetectionEvidence {
  index: number;
  label: string;
  score: number;
  box: [number, number, number, number];
}

/**
 * What a reason is based on. Common keys: `detections` (which boxes), `gnum` (which declared lines),
 * `measured` / `declared` (numbers compared), `label`, `hs`; reasons add their own.
 */
export interface ReasonEvidence {
  detections?: DetectionEvidence[];
  gnum?: number[];
  /** null when the value was missing or not a number. */
  measured?: number | null;
  declared?: number | null;
  [key: string]: JsonValue | DetectionEvidence[] | undefined;
}

export interface ReasonHit {
  code: ReasonCode;
  /** One line in plain English with the numbers, e.g. "declared ch.33 but detected 85 (phone)". */
  detail: string;
  evidence: ReasonEvidence;
  /**
   * What this reason alone asks for after configuration and facilitation: ALERT-level reasons (W02,
   * M05 or D10 configured to ALERT, M codes relaxed for AEO enterprises) stay in the list but do not
   * stop a RELEASE.
   */
  level: 'HOLD_LOCK' | 'HOLD' | 'ALERT';
}

export interface Verdict {
  action: Action;
  /** Every reason that fired, ordered by precedence (domain.md §5.1), the deciding one first. */
  reasons: ReasonHit[];
  /** Rule-pack version, e.g. "rules-2026.11.0". */
  ruleSet: string;
  /** Model "name@version", or "unavailable" when inspection failed. */
  model: string;
  /** True when the only hold reasons are low-confidence ones an operator can settle by looking at the image. */
  review: boolean;
  /** Picked by the random compliance sample. */
  sampled: boolean;
  /** HMAC prefix an auditor recomputes from the sampling seed and the key to check the sample was fair. */
  samplingTicket?: string;
}
