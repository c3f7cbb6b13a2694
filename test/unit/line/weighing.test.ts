import { describe, expect, it } from 'vitest';
import { weighing, type WeighingState } from '../../../src/main/line/weighing.ts';

function run(readings: [number, boolean][]): number[] {
  let s: WeighingState = { loadedKg: undefined };
  const out: number[] = [];
  for (const [kg, stable] of readings) {
    const r = weighing(s, { kg, stable });
    s = r.state;
    if (r.weighed !== undefined) out.push(r.weighed);
  }
  return out;
}

describe('weighing from a continuous scale', () => {
  it('reports one weight per parcel: the first stable reading after the scale was empty', () => {
    expect(run([[0, true], [0.6, false], [1.19, false], [1.2, true], [1.2, true], [1.2, true], [0, true], [0, true], [2.5, true], [2.5, true]])).toEqual([1.2, 2.5]);
  });

  it('treats a clearly different stable load as the next parcel even without an empty reading', () => {
    expect(run([[1.2, true], [1.21, true], [3.0, false], [3.0, true]])).toEqual([1.2, 3.0]);
  });

  it('ignores unstable readings and readings below the empty threshold', () => {
    expect(run([[0.01, true], [0.5, false], [0.7, false], [0.015, true]])).toEqual([]);
  });
});
