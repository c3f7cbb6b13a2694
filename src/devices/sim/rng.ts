// Seeded randomness so a simulator run (and a failing test) can be repeated exactly.
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A synthetic waybill number: "SIM" + 10 digits (matches the default waybill pattern). */
export function syntheticWaybill(n: number): string {
  return `SIM${String(n).padStart(10, '0')}`;
}
