// Letterbox geometry: scale an image to fit the model input keeping its aspect ratio, centre it, pad the
// rest. Pure, so training (cache-dataset.ts), inference and the tests share one definition.

export interface LetterboxGeometry {
  srcWidth: number;
  srcHeight: number;
  dstWidth: number;
  dstHeight: number;
  scale: number;
  /** Size of the scaled image inside the input. */
  newWidth: number;
  newHeight: number;
  /** Left / top padding in input pixels. */
  padX: number;
  padY: number;
}

export function letterboxGeometry(srcWidth: number, srcHeight: number, dstWidth: number, dstHeight: number): LetterboxGeometry {
  const scale = Math.min(dstWidth / srcWidth, dstHeight / srcHeight);
  const newWidth = Math.max(1, Math.min(dstWidth, Math.round(srcWidth * scale)));
  const newHeight = Math.max(1, Math.min(dstHeight, Math.round(srcHeight * scale)));
  const padX = Math.floor((dstWidth - newWidth) / 2);
  const padY = Math.floor((dstHeight - newHeight) / 2);
  return { srcWidth, srcHeight, dstWidth, dstHeight, scale, newWidth, newHeight, padX, padY };
}

export type Box = [number, number, number, number];

/** Input-pixel box → original-image pixels, clipped to the image. */
export function toSourceBox(box: Box, g: LetterboxGeometry): Box {
  // Per-axis scale of the actual resize (rounding makes it differ from g.scale by < 1 px).
  const sx = g.newWidth / g.srcWidth;
  const sy = g.newHeight / g.srcHeight;
  const clip = (v: number, max: number): number => Math.min(max, Math.max(0, v));
  return [
    clip((box[0] - g.padX) / sx, g.srcWidth),
    clip((box[1] - g.padY) / sy, g.srcHeight),
    clip((box[2] - g.padX) / sx, g.srcWidth),
    clip((box[3] - g.padY) / sy, g.srcHeight),
  ];
}

/** Original-image box → input pixels (training labels, tests). */
export function toInputBox(box: Box, g: LetterboxGeometry): Box {
  const sx = g.newWidth / g.srcWidth;
  const sy = g.newHeight / g.srcHeight;
  return [box[0] * sx + g.padX, box[1] * sy + g.padY, box[2] * sx + g.padX, box[3] * sy + g.padY];
}
