// Materials as a dual-energy scanner sees them: a class (what colour the operator is shown), an effective
// atomic number, a typical density and mass-attenuation coefficients at the two effective energies.
// Values are rounded from NIST XCOM tables for the pure materials / mixtures at 60 keV (the low,
// front-detector channel) and 120 keV (the high, filtered rear channel). The photoelectric effect
// (∝ Z^3..4 / E^3) dominates the low channel, so mu_low / mu_high grows with Z: ~1.25 for organics,
// ~1.8 for aluminium and glass, ~4 for steel. That ratio is what the pseudo-colour shows.

export type MaterialClass = 'organic' | 'mixed' | 'inorganic' | 'metal';

export interface Material {
  readonly name: string;
  readonly cls: MaterialClass;
  readonly zeff: number;
  /** g/cm^3, typical; parts may override it. */
  readonly density: number;
  /** Mass-attenuation coefficient, cm^2/g, at the low effective energy (~60 keV). */
  readonly muLow: number;
  /** Mass-attenuation coefficient, cm^2/g, at the high effective energy (~120 keV). */
  readonly muHigh: number;
}

function m(name: string, cls: MaterialClass, zeff: number, density: number, muLow: number, muHigh: number): Material {
  return { name, cls, zeff, density, muLow, muHigh };
}

export const MATERIALS = {
  // organic (Zeff < 10)
  plastic: m('plastic', 'organic', 5.7, 1.05, 0.194, 0.161),
  pet: m('pet', 'organic', 6.6, 1.38, 0.198, 0.160),
  rubber: m('rubber', 'organic', 6.0, 1.1, 0.196, 0.160),
  textile: m('textile', 'organic', 6.8, 0.35, 0.2, 0.159),
  paper: m('paper', 'organic', 6.9, 0.8, 0.2, 0.158),
  cardboard: m('cardboard', 'organic', 6.9, 0.6, 0.2, 0.158),
  foam: m('foam', 'organic', 5.7, 0.04, 0.194, 0.161),
  wood: m('wood', 'organic', 6.9, 0.65, 0.2, 0.158),
  leather: m('leather', 'organic', 7.0, 0.9, 0.203, 0.16),
  water: m('water', 'organic', 7.4, 1.0, 0.206, 0.162),
  cream: m('cream', 'organic', 7.1, 0.95, 0.204, 0.161),
  powder: m('powder', 'organic', 7.6, 0.55, 0.212, 0.163),
  food: m('food', 'organic', 7.5, 1.05, 0.21, 0.162),
  // mixed (Zeff 10..13): light inorganic, glass, salts, thin light metals
  pills: m('pills', 'mixed', 11.5, 1.45, 0.33, 0.176),
  glass: m('glass', 'mixed', 11.6, 2.5, 0.285, 0.158),
  aluminium: m('aluminium', 'mixed', 13, 2.7, 0.278, 0.157),
  pcb: m('pcb', 'mixed', 12.5, 1.9, 0.36, 0.17),
  ceramic: m('ceramic', 'mixed', 11, 2.3, 0.27, 0.157),
  // Li-ion jelly roll: LiCoO2 / NMC cathode on aluminium, graphite on copper foil
  electrode: m('electrode', 'metal', 24, 3.2, 0.9, 0.24),
  // metal (Zeff > 20)
  steel: m('steel', 'metal', 26, 7.87, 1.205, 0.29),
  copper: m('copper', 'metal', 29, 8.96, 1.59, 0.35),
  brass: m('brass', 'metal', 29.5, 8.5, 1.62, 0.355),
  zinc: m('zinc', 'metal', 30, 7.1, 1.8, 0.38),
  tin: m('tin', 'metal', 50, 7.3, 3.4, 0.7),
} as const satisfies Record<string, Material>;

export type MaterialName = keyof typeof MATERIALS;

/** Linear attenuation (1/mm) at both energies for a material at a given density. */
export function linearAttenuation(name: MaterialName, density?: number): { low: number; high: number } {
  const mat: Material = MATERIALS[name];
  const rho = density ?? mat.density;
  // mu/rho [cm^2/g] * rho [g/cm^3] = 1/cm; the shapes give thickness in mm.
  return { low: (mat.muLow * rho) / 10, high: (mat.muHigh * rho) / 10 };
}

/** Transmission through `mm` of a material at one energy: Beer–Lambert, I/I0 = exp(-mu t). */
export function transmission(name: MaterialName, mm: number, energy: 'low' | 'high', density?: number): number {
  const mu = linearAttenuation(name, density);
  return Math.exp(-(energy === 'low' ? mu.low : mu.high) * mm);
}
