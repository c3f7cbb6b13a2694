// The synthetic dual-energy X-ray generator: pure TypeScript, typed arrays only, so the station core
// (training data, `station synth`) and the scanner simulator in src/devices share it.
export { renderParcel, type Parcel, type ParcelObject, type ParcelOptions, type Difficulty, type Rendering } from './scene.ts';
export { CATALOGUE, type Builder } from './catalogue.ts';
export { MATERIALS, linearAttenuation, transmission, type Material, type MaterialClass, type MaterialName } from './materials.ts';
export { ColourTable, colourOf, greyscale } from './render.ts';
export { drawProfile, type ScannerProfile, type ColourProfile } from './artefacts.ts';
export type { ClutterKind, Packaging } from './clutter.ts';
export { Rng, hash32 } from './rng.ts';

/** Bumped whenever the rendering or the randomisation changes what a seed produces. */
export const GENERATOR_VERSION = 'xray-synth@1.2.0';
