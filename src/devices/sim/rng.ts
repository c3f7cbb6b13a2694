// Seeded randomness comes from src/shared/random.ts, so a simulator run can be repeated exactly.
export { mulberry32 } from '../../shared/random.ts';

/** A synthetic waybill number: "SIM" + 10 digits (matches the default waybill pattern). */
export function syntheticWaybill(n: number): string {
  return `SIM${String(n).padStart(10, '0')}`;
}
