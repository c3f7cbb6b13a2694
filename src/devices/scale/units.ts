// Weight units scales print, converted to kilograms.
const TO_KG: Record<string, number> = { kg: 1, g: 0.001, t: 1000, lb: 0.45359237, oz: 0.028349523125 };

export function toKg(value: number, unit: string): number | undefined {
  const f = TO_KG[unit.toLowerCase()];
  // Round away float noise from the unit factor (scales print at most 4–5 decimals).
  return f === undefined ? undefined : Math.round(value * f * 1e6) / 1e6;
}
