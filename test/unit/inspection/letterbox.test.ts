import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { letterboxGeometry, toInputBox, toSourceBox, type Box } from '../../../src/main/inspection/letterbox.ts';

describe('letterboxGeometry', () => {
  it.each([
    // src w, h → dst 320×320: scale, new size, padding
    [640, 480, 0.5, 320, 240, 0, 40],
    [480, 640, 0.5, 240, 320, 40, 0],
    [320, 320, 1, 320, 320, 0, 0],
    [100, 50, 3.2, 320, 160, 0, 80],
    [1000, 3, 0.32, 320, 1, 0, 159],
  ])('%i×%i fits 320×320 at scale %f as %i×%i padded %i,%i', (w, h, scale, nw, nh, px, py) => {
    const g = letterboxGeometry(w, h, 320, 320);
    expect(g.scale).toBeCloseTo(scale, 6);
    expect([g.newWidth, g.newHeight, g.padX, g.padY]).toEqual([nw, nh, px, py]);
  });

  it('maps a known input box back to original pixels', () => {
    const g = letterboxGeometry(128, 64, 64, 64);
    expect(toSourceBox([22, 27, 42, 37], g)).toEqual([44, 22, 84, 42]);
  });

  it('clips boxes that reach into the padding to the image', () => {
    const g = letterboxGeometry(640, 480, 320, 320);
    expect(toSourceBox([-10, 0, 400, 330], g)).toEqual([0, 0, 640, 480]);
  });

  const size = fc.integer({ min: 1, max: 5000 });
  it('every input box maps inside the original image', () => {
    fc.assert(
      fc.property(size, size, fc.array(fc.float({ min: -1000, max: 2000, noNaN: true }), { minLength: 4, maxLength: 4 }), (w, h, v) => {
        const g = letterboxGeometry(w, h, 320, 256);
        const b = toSourceBox(v as Box, g);
        return b.every((x) => x >= 0) && b[0] <= w && b[2] <= w && b[1] <= h && b[3] <= h;
      }),
    );
  });

  it('original → input → original is the identity for boxes inside the image', () => {
    fc.assert(
      fc.property(size, size, fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (w, h, a, b) => {
        const g = letterboxGeometry(w, h, 416, 416);
        const box: Box = [a * w * 0.5, b * h * 0.5, w * (0.5 + a * 0.5), h * (0.5 + b * 0.5)];
        const back = toSourceBox(toInputBox(box, g), g);
        return back.every((x, i) => Math.abs(x - box[i]!) < 1e-6 * Math.max(w, h) + 1e-9);
      }),
    );
  });
});
