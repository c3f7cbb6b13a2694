import { describe, expect, it } from 'vitest';
import { lineClock } from '../../../src/main/clock.ts';

/** A wall clock and a monotonic clock the test moves by hand. */
function clocks(wall0 = 1_800_000_000_000) {
  const c = { wall: wall0, mono: 5000 };
  return { c, clock: lineClock(() => c.wall, () => c.mono), advance: (ms: number) => ((c.wall += ms), (c.mono += ms)) };
}

describe('the line clock', () => {
  it('advances with the monotonic clock and ignores wall-clock steps', () => {
    const { c, clock, advance } = clocks();
    const t0 = clock.now();
    advance(1500);
    expect(clock.now()).toBe(t0 + 1500);
    c.wall += 3_600_000; // NTP steps the wall clock forward an hour
    advance(250);
    expect(clock.now()).toBe(t0 + 1750);
    c.wall -= 7_200_000;
    expect(clock.now()).toBe(t0 + 1750);
    expect(clock.skew()).toBe(-3_600_000);
  });

  it('keeps the age of wall-clock stamps, also of stamps taken just before a step', () => {
    const { c, clock, advance } = clocks();
    advance(10_000);
    const stampedBefore = c.wall - 200; // evidence stamped 200 ms ago, under the old wall time
    expect(clock.fromWall(stampedBefore)).toBe(clock.now() - 200);
    const late = c.wall - 50;
    c.wall += 3_600_000; // the step happens before that evidence is handled
    advance(30);
    expect(clock.fromWall(late)).toBe(clock.now() - 80);
    // and evidence stamped after the step is placed by the new wall time
    expect(clock.fromWall(c.wall - 10)).toBe(clock.now() - 10);
  });

  it('returns whole milliseconds', () => {
    const { c, clock } = clocks();
    c.mono += 0.7;
    expect(Number.isInteger(clock.now())).toBe(true);
    expect(Number.isInteger(clock.fromWall(c.wall - 3))).toBe(true);
  });
});
