// Time for the line. Deadlines (decision, review window, ack, correlation windows) must not move when
// the wall clock is stepped (an NTP step, someone setting the time): the line runs on a clock that
// reads the wall time once at start and then advances with the monotonic clock. Device evidence
// stamped in wall time (or by a device's own clock) keeps its age when brought onto the line clock
// (`fromWall`). A step of the wall clock never moves a deadline; the station records it
// (`clock.step` in the audit log, `CLOCK_STEP` alarm) and a restart re-anchors the line clock.
//
// Test-only fault injection (docs/reliability.md, "Clock jumps"): with STATION_FAULT_CLOCK_FILE set,
// this process's wall clock (Date.now() and new Date()) is offset by the milliseconds written in that
// file, re-read on SIGUSR2 — a wall-clock step as NTP makes it; timers (monotonic) are unaffected.
// Never set it on a real line.
import { readFileSync } from 'node:fs';

export interface LineClock {
  /** Line time, whole epoch ms: wall time at start advanced by the monotonic clock. */
  now(): number;
  /** A wall-clock (or device-clock) stamp on the line clock, keeping its age. */
  fromWall(at: number): number;
  /** Wall time minus line time; changes only when the wall clock is stepped. */
  skew(): number;
}

/** A change of wall − line time at least this big is a step. */
export const STEP_MS = 1000;
/** How long after a step evidence stamped under the previous wall time may still arrive. */
const STRAGGLER_MS = 10_000;

export function lineClock(wall: () => number = () => Date.now(), mono: () => number = () => performance.now()): LineClock {
  const wall0 = wall();
  const mono0 = mono();
  // Whole milliseconds, like Date.now(): times go into records and onto the wire (conveyor deadline).
  const now = (): number => Math.floor(wall0 + (mono() - mono0));
  // Wall − line time, one entry per step seen (the newest last), with the line time it ended at.
  const skews: { skew: number; until: number }[] = [{ skew: wall0 - now(), until: Infinity }];
  const skew = (): number => {
    const s = wall() - now();
    const last = skews.at(-1)!;
    if (Math.abs(s - last.skew) >= STEP_MS) {
      last.until = now();
      skews.push({ skew: s, until: Infinity });
      if (skews.length > 4) skews.shift();
    }
    return s;
  };
  // Evidence is seconds old at most: of the wall times in force lately, the one that puts the stamp
  // nearest to now is the one it was stamped under (a stamp taken just before a step and handled just
  // after must not land an hour away).
  const fromWall = (at: number): number => {
    skew();
    const n = now();
    let best = at - skews.at(-1)!.skew;
    for (const e of skews) {
      if (n - e.until > STRAGGLER_MS) continue;
      const c = at - e.skew;
      if (Math.abs(n - c) < Math.abs(n - best)) best = c;
    }
    return Math.round(best);
  };
  return { now, fromWall, skew };
}

/** Installs the test-only wall-clock offset when STATION_FAULT_CLOCK_FILE is set; returns whether it did. */
export function installFaultClock(env: NodeJS.ProcessEnv, log: (line: string) => void = () => {}): boolean {
  const file = env.STATION_FAULT_CLOCK_FILE;
  if (!file) return false;
  const Real = Date;
  let offset = 0;
  const load = (): void => {
    let v: number;
    try {
      v = Number(readFileSync(file, 'utf8').trim() || '0');
    } catch {
      v = 0; // no file yet: no offset
    }
    if (Number.isFinite(v)) offset = v;
    log(`fault clock: wall clock offset ${offset} ms (test-only STATION_FAULT_CLOCK_FILE)`);
  };
  load();
  // A Date that is the real one but for the offset: same prototype, so instanceof and every method work.
  function Stepped(this: unknown, ...args: unknown[]): unknown {
    if (!new.target) return new Real(Real.now() + offset).toString();
    return args.length === 0 ? new Real(Real.now() + offset) : new (Real as unknown as new (...a: unknown[]) => Date)(...args);
  }
  Object.setPrototypeOf(Stepped, Real);
  Stepped.prototype = Real.prototype;
  (Stepped as unknown as { now(): number }).now = () => Real.now() + offset;
  globalThis.Date = Stepped as unknown as DateConstructor;
  process.on('SIGUSR2', load);
  return true;
}
