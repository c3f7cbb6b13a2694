// Fault campaign: the wall clock jumps (an NTP step, someone setting the time) while parcels flow
// (docs/reliability.md). The station's wall clock is stepped through the test-only seam in
// src/main/clock.ts (STATION_FAULT_CLOCK_FILE + SIGUSR2: Date.now() and new Date() move, timers do
// not, as with a real step): +1 h, then −2 h (to −1 h), then +1 h back. Deadlines run on the
// monotonic line clock, so no parcel may be released later than its deadline, measured here on this
// process's own (unstepped) clock from the moment its image went out, and none is left without a
// command; every step is raised (CLOCK_STEP) and recorded in the audit log; the line's records stay
// in order.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_DEADLINE_MS, demoConfig, interrupt, ledger, report, startDemoStation, verify, watchStation, writeConfig } from '../helpers/faults.ts';
import { cleanup, freePort, tmp, waitFor } from '../integration/devices/helpers.ts';

afterEach(cleanup);

const HOUR = 3_600_000;
const RATE = 10;
/** MQTT transit of the image and of the command, on a loaded 2-core machine. */
const SLACK_MS = 400;
/** A parcel with no command this long after its deadline was left hanging (a starved event loop is slow, not this slow). */
const HANGING_MS = 5000;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('fault campaign: clock jumps', () => {
  it('releases no parcel past its deadline when the wall clock steps ±1 h, and records each step', async () => {
    const dir = tmp('station-fault-clock-');
    const dataDir = join(dir, 'data');
    const clockFile = join(dir, 'clock-offset');
    writeFileSync(clockFile, '0');
    const port = await freePort();
    const configFile = writeConfig(dir, demoConfig(port));
    const s = await startDemoStation({ dataDir, configFile, rate: RATE, seed: 8080, env: { STATION_FAULT_CLOCK_FILE: clockFile } });
    expect(s.stderr()).toContain('fault clock: wall clock offset 0 ms');
    const watch = watchStation(`mqtt://127.0.0.1:${port}`);
    await waitFor('parcels commanded before the first step', () => watch.commands.length >= 5, 90_000, 50);

    const steps: { to: number; at: number }[] = [];
    for (const to of [HOUR, -HOUR, 0]) {
      await sleep(2500);
      writeFileSync(clockFile, String(to));
      s.child.kill('SIGUSR2');
      steps.push({ to, at: Date.now() });
    }
    await sleep(2500);
    const stopAt = Date.now();
    expect(s.child.exitCode, s.stderr().slice(-3000)).toBeNull();
    await waitFor('a CLOCK_STEP alarm per step', () => watch.alarms.filter((a) => a.code === 'CLOCK_STEP').length >= 3, 30_000, 50);
    expect(await interrupt(s), s.stderr().slice(-3000)).toBe(0);
    await watch.stop();

    // On this process's clock: every RELEASE within its parcel's deadline of the image going out (a
    // HOLD late is the conveyor's default anyway, and only shows a starved event loop), and every
    // parcel whose deadline passed well before the stop got its command (none left hanging by a step).
    const firstCommand = new Map<number, { command: string; at: number }>();
    for (const c of watch.commands) if (!firstCommand.has(c.parcelId)) firstCommand.set(c.parcelId, c);
    const late: string[] = [];
    let lateHolds = 0;
    const missing: number[] = [];
    const lateness: number[] = [];
    for (const [seq, imageAt] of watch.images) {
      const c = firstCommand.get(seq);
      if (!c) {
        if (imageAt + DEMO_DEADLINE_MS + HANGING_MS < stopAt) missing.push(seq);
        continue;
      }
      lateness.push(c.at - imageAt);
      if (c.command === 'RELEASE' && c.at - imageAt > DEMO_DEADLINE_MS + SLACK_MS) late.push(`${seq}:+${c.at - imageAt}ms`);
      else if (c.at - imageAt > DEMO_DEADLINE_MS + SLACK_MS) lateHolds++;
    }
    expect(late, 'RELEASE commands later than the deadline').toEqual([]);
    expect(missing, 'parcels left without a command past their deadline').toEqual([]);
    expect(watch.images.size).toBeGreaterThan(20);

    const v = await verify(dataDir);
    expect(v.code, v.out).toBe(0);
    const l = ledger(dataDir);
    const db = new Database(join(dataDir, 'station.db'), { readonly: true });
    let stepsRecorded: { stepMs: number }[];
    let verdictTimesInOrder: boolean;
    try {
      stepsRecorded = (db.prepare("SELECT payload FROM audit_log WHERE kind = 'clock.step' ORDER BY seq").all() as { payload: string }[]).map((r) => JSON.parse(r.payload) as { stepMs: number });
      // The line's records are in line time: in order whatever the wall clock did.
      const ats = (db.prepare("SELECT at FROM audit_log WHERE kind = 'verdict' ORDER BY seq").all() as { at: string }[]).map((r) => Date.parse(r.at));
      verdictTimesInOrder = ats.every((t, i) => i === 0 || t >= ats[i - 1]!);
      const spread = ats.length > 1 ? ats.at(-1)! - ats[0]! : 0;
      expect(spread, 'verdict times span the run, not the steps').toBeLessThan(HOUR / 2);
    } finally {
      db.close();
    }
    expect(stepsRecorded.map((x) => Math.round(x.stepMs / 60_000))).toEqual([60, -120, 60]);
    expect(verdictTimesInOrder).toBe(true);

    lateness.sort((a, b) => a - b);
    if (process.env.FAULT_DEBUG) {
      const why = watch.alarms.filter((a) => a.code !== 'CLOCK_STEP').map((a) => `${a.code}: ${a.detail.replace(/\d+/g, 'N')}`);
      process.stdout.write(`${JSON.stringify(Object.entries(why.reduce<Record<string, number>>((m, w) => ((m[w] = (m[w] ?? 0) + 1), m), {})))}\n`);
      process.stdout.write(`steps at ${JSON.stringify(steps)}; orphans at ${JSON.stringify(watch.alarms.filter((a) => a.code === 'ORPHAN_EVIDENCE').map((a) => a.at))}\n`);
    }
    report('clock-jump', {
      steps: steps.map((x) => x.to / HOUR),
      parcels: watch.images.size,
      commands: firstCommand.size,
      released: [...firstCommand.values()].filter((c) => c.command === 'RELEASE').length,
      imageToCommandMs: { p50: lateness[Math.floor(lateness.length / 2)] ?? 0, max: lateness.at(-1) ?? 0, deadline: DEMO_DEADLINE_MS },
      lateRelease: late.length,
      lateHold: lateHolds,
      clockStepAlarms: watch.alarms.filter((a) => a.code === 'CLOCK_STEP').length,
      clockStepAudit: stepsRecorded.map((x) => x.stepMs),
      otherAlarms: Object.fromEntries(Object.entries(watch.alarms.reduce<Record<string, number>>((m, a) => ((m[a.code] = (m[a.code] ?? 0) + 1), m), {})).filter(([k]) => k !== 'CLOCK_STEP')),
      outbox: l.outbox,
    });
  }, 240_000);
});
