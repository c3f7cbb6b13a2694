// Turns a scale's stream of readings into one weighing per parcel: the first stable reading above
// the empty-belt threshold after the scale was empty (or the load changed by more than a step).
// Continuous-output scales report many times a second; the correlator wants one weight per parcel.

export interface WeighingState {
  loadedKg: number | undefined;
}

export interface WeighingOptions {
  /** Below this the scale counts as empty. */
  emptyKg: number;
  /** A stable load that differs from the last weighing by more than this is a new parcel. */
  stepKg: number;
}

export const DEFAULT_WEIGHING: WeighingOptions = { emptyKg: 0.02, stepKg: 0.05 };

export function weighing(state: WeighingState, r: { kg: number; stable: boolean }, o: WeighingOptions = DEFAULT_WEIGHING): { state: WeighingState; weighed?: number } {
  if (r.kg < o.emptyKg) return { state: { loadedKg: undefined } };
  if (!r.stable) return { state };
  if (state.loadedKg === undefined || Math.abs(r.kg - state.loadedKg) > o.stepKg) return { state: { loadedKg: r.kg }, weighed: r.kg };
  return { state };
}
