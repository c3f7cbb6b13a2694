// W family: measured weight against the declared gross weight. The hold threshold is the larger of
// the absolute and relative tolerances; a smaller difference above the alert threshold is recorded
// as a data-quality signal (W02) without stopping the parcel.
import type { Declaration } from '../../shared/domain/aed.ts';
import type { ReasonHit } from '../../shared/domain/verdict.ts';
import type { RulesConfig } from './types.ts';
import { fmt, hit, round } from './hit.ts';

export function weightHits(decl: Declaration, measuredKg: number | undefined, config: RulesConfig): ReasonHit[] {
  const declared = decl.grossWeightKg;
  if (measuredKg === undefined) {
    return config.weightRequired ? [hit('W01', 'no weight was measured for this parcel', { measured: null, declared })] : [];
  }
  if (!Number.isFinite(measuredKg) || measuredKg < 0) {
    return [hit('W01', `measured weight ${String(measuredKg)} is not a valid weight`, { measured: null, declared })];
  }
  if (!Number.isFinite(declared) || declared <= 0) {
    return [hit('W01', `declared gross weight ${String(declared)} is not a valid weight`, { measured: measuredKg, declared: null })];
  }
  const diff = measuredKg - declared;
  const tolerance = Math.max(config.weightToleranceKg, config.weightToleranceRel * declared);
  const evidence = { measured: measuredKg, declared, differenceKg: round(diff, 4), toleranceKg: round(tolerance, 4) };
  if (Math.abs(diff) > tolerance) {
    return [hit('W01', `measured ${fmt(measuredKg)} kg vs declared ${fmt(declared)} kg (difference ${fmt(diff)} kg > tolerance ${fmt(tolerance)} kg)`, evidence)];
  }
  if (Math.abs(diff) > config.weightAlertKg) {
    return [hit('W02', `measured ${fmt(measuredKg)} kg vs declared ${fmt(declared)} kg (difference ${fmt(diff)} kg, within tolerance)`, evidence)];
  }
  return [];
}
