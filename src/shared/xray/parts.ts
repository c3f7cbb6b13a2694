// An object as the generator builds it: parts, each a shape in a material at a pose, in object
// millimetres. Builders in catalogue.ts and clutter.ts return these; scene.ts places and renders them.
import type { MaterialName } from './materials.ts';
import { apply, compose, pose, type Affine, type Shape, type Texture } from './shapes.ts';

export interface Part {
  readonly shape: Shape;
  readonly mat: MaterialName;
  /** Overrides the material's typical density (g/cm^3). */
  readonly density?: number;
  readonly at: Affine;
  readonly texture?: Texture;
}

export interface Model {
  readonly parts: Part[];
  /** Approximate extent in mm (for placement), centred on the object origin. */
  readonly w: number;
  readonly h: number;
  /** Mass in kg, for the declared gross weight. */
  readonly kg: number;
}

export function part(shape: Shape, mat: MaterialName, x = 0, y = 0, rot = 0, extra: { density?: number; texture?: Texture; sx?: number; sy?: number } = {}): Part {
  return {
    shape,
    mat,
    at: pose(x, y, rot, extra.sx ?? 1, extra.sy ?? 1),
    ...(extra.density !== undefined ? { density: extra.density } : {}),
    ...(extra.texture ? { texture: extra.texture } : {}),
  };
}

/** Re-pose a whole list of parts (to assemble an object from sub-assemblies). */
export function moved(parts: readonly Part[], at: Affine): Part[] {
  return parts.map((p) => ({ ...p, at: compose(at, p.at) }));
}

/**
 * A model centred on its parts' extent, with w and h measured from the parts (builders assemble in
 * whatever frame is convenient; placement relies on the extent being right).
 */
export function fitted(parts: Part[], kg: number): Model {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const p of parts) {
    const [bx0, by0, bx1, by1] = p.shape.bounds;
    for (const [x, y] of [
      [bx0, by0],
      [bx1, by0],
      [bx0, by1],
      [bx1, by1],
    ] as const) {
      const [X, Y] = apply(p.at, x, y);
      if (X < x0) x0 = X;
      if (X > x1) x1 = X;
      if (Y < y0) y0 = Y;
      if (Y > y1) y1 = Y;
    }
  }
  if (parts.length === 0) return { parts, w: 0, h: 0, kg };
  return { parts: moved(parts, pose(-(x0 + x1) / 2, -(y0 + y1) / 2)), w: x1 - x0, h: y1 - y0, kg };
}
