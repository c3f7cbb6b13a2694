// Inputs of the rules engine. Everything a decision depends on is in DecisionInput, the compiled
// rule pack and the `rules` configuration: no clock, no randomness, no I/O inside the rules.
import type { StationConfig } from '../../shared/config/schema.ts';
import type { Declaration } from '../../shared/domain/aed.ts';
import type { InspectionOutput } from '../../shared/domain/detection.ts';
import type { Action } from '../../shared/domain/reasons.ts';

export type RulesConfig = StationConfig['rules'];

/** Inspection failed: model missing, checksum mismatch, timeout, unreadable image, worker crash. */
export interface InspectionFailure {
  error: { code: string; message: string };
  /** The model that was asked, when known ("name@version"). */
  model?: string;
}

export interface DecisionInput {
  scanId: string;
  /** Raw barcode reads for this parcel; exactly one distinct code is needed. */
  barcodes: string[];
  /** The chosen logisticsNo (the waybill the parcel is decided against). */
  logisticsNo?: string;
  /** What the AED store holds for logisticsNo: none → D01, several → ambiguous, also D01. */
  declarations: Declaration[];
  inspection: InspectionOutput | InspectionFailure;
  measuredWeightKg?: number;
  /** S02: the photo-eye sequence broke, so parcel ↔ image ↔ barcode is not certain. */
  tracking?: { lost?: boolean };
  /** Earlier verdicts for the same logisticsNo, here or at another station (D09). */
  priorVerdicts?: { action: Action; decidedAt: string }[];
  /** Whether the central service is reachable; D10 judges data freshness only while offline. */
  online: boolean;
  /** Decision time (ISO-8601), injected by the caller. */
  now: string;
  imageQuality?: {
    unreadable?: boolean;
    tooDense?: boolean;
    /** Fraction (0..1) of the image that is dense and covered by no detection. */
    denseUnexplainedArea?: number;
  };
}

export function isInspectionFailure(x: DecisionInput['inspection']): x is InspectionFailure {
  return typeof x === 'object' && x !== null && 'error' in x;
}
