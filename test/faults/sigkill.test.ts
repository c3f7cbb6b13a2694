// Fault campaign: SIGKILL of the station at random moments under load (docs/reliability.md).
// The demonstration line plays FAULT_RATE parcels/s (default 15) through the real pipeline in a child
// `station start --headless --demo`; the station is killed after a random 0.5–3 s (seeded: FAULT_SEED,
// printed), FAULT_KILLS times (default 5; `npm run test:faults:long` does 50), and restarted on the
// same data folder. After every kill and at the end the SQLite file is read directly.
import { afterEach, describe, expect, it } from 'vitest';
import { mulberry32 } from '../../src/shared/random.ts';
import { ackedButNotCentral, demoConfig, demoWaybill, interrupt, kill, ledger, percentile, report, startDemoStation, verdictsOf, verify, watchStation, writeConfig } from '../helpers/faults.ts';
import { cleanup, freePort, tmp } from '../integration/devices/helpers.ts';

afterEach(cleanup);

const KILLS = Number(process.env.FAULT_KILLS ?? 5);
const RATE = Number(process.env.FAULT_RATE ?? 15);
const SEED = Number(process.env.FAULT_SEED ?? Math.floor(Math.random() * 100_000));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('fault campaign: SIGKILL under load', () => {
  it(`accounts for every parcel through ${KILLS} SIGKILLs at ${RATE} parcels/s (seed ${SEED})`, async () => {
    process.stdout.write(`sigkill campaign: FAULT_SEED=${SEED} FAULT_KILLS=${KILLS} FAULT_RATE=${RATE}\n`);
    const rng = mulberry32(SEED);
    const dataDir = tmp('station-fault-kill-');
    const confDir = tmp('station-fault-kill-conf-');
    const restartMs: number[] = [];
    const runMs: number[] = [];
    let firstStartMs = 0;
    let recovered = 0;
    let inFlightAtKill: string[] = [];
    const commands: { waybill: string; command: string }[] = [];

    for (let run = 0; run <= KILLS; run++) {
      const port = await freePort();
      const configFile = writeConfig(confDir, demoConfig(port));
      // Each run has its own waybills (a restarted demonstration would otherwise replay the same ones).
      const demoSeed = (SEED * 100 + run) % 1_000_000;
      const s = await startDemoStation({ dataDir, configFile, rate: RATE, seed: demoSeed });
      if (run === 0) firstStartMs = s.readyMs;
      else restartMs.push(s.readyMs);

      // Restart recovery: whatever was in flight at the kill is HOLD S04 "station restarted", once.
      if (inFlightAtKill.length > 0) {
        expect(s.stderr()).toContain(`recovered ${inFlightAtKill.length} parcel(s) that were in flight at the last stop: all HOLD`);
        for (const [id, vs] of verdictsOf(dataDir, inFlightAtKill)) {
          expect(vs, `verdicts of ${id}`).toHaveLength(1);
          expect(vs[0]!.action).toBe('HOLD');
          expect(vs[0]!.reasons).toContain('S04');
          expect(vs[0]!.reasons).toContain('station restarted while');
        }
        recovered += inFlightAtKill.length;
      }

      // The conveyor's commands as they leave, over the embedded broker.
      const watch = watchStation(`mqtt://127.0.0.1:${port}`);
      const collect = (): void => void commands.push(...watch.commands.map((c) => ({ waybill: demoWaybill(demoSeed, c.parcelId), command: c.command })));

      if (run === KILLS) {
        // The last run ends with Ctrl-C: a clean stop.
        await sleep(1500);
        expect(await interrupt(s), s.stderr().slice(-3000)).toBe(0);
        await watch.stop();
        collect();
        break;
      }
      const ms = 500 + rng() * 2500;
      runMs.push(ms);
      await sleep(ms);
      await kill(s);
      await watch.stop();
      collect();

      const l = ledger(dataDir); // asserts the invariants
      inFlightAtKill = l.unresolved;
      if (process.env.FAULT_DEBUG) process.stdout.write(`kill ${run + 1} after ${Math.round(ms)} ms (ready in ${Math.round(s.readyMs)} ms): ${l.parcels} parcels, ${l.verdicts} verdicts, ${l.unresolved.length} in flight\n`);
      const v = await verify(dataDir);
      expect(v.code, v.out).toBe(0);
    }

    const l = ledger(dataDir);
    const v = await verify(dataDir);
    expect(v.code, v.out).toBe(0);
    // Nothing acknowledged by the clearance service is missing there (the rest is still pending, not lost).
    expect(ackedButNotCentral(dataDir)).toBe(0);
    // Every RELEASE the conveyor was sent has its committed RELEASE verdict; no waybill was sent two.
    const releases = commands.filter((c) => c.command === 'RELEASE').map((c) => c.waybill);
    expect(new Set(releases).size, 'waybills the conveyor got two RELEASEs for').toBe(releases.length);
    for (const w of releases) expect(l.releasedWaybills.has(w), `RELEASE for ${w} without a committed RELEASE verdict`).toBe(true);
    expect(l.parcels, 'parcels decided across the runs').toBeGreaterThan(KILLS);

    report('sigkill', {
      seed: SEED,
      kills: KILLS,
      rate: RATE,
      parcels: l.parcels,
      verdicts: l.verdicts,
      released: l.released,
      held: l.held,
      recoveredInFlight: recovered,
      lateCommitCorrections: l.corrected,
      releaseCommittedNotSent: l.releaseNotSent,
      inFlightAtCleanStop: l.unresolved.length,
      releaseCommandsSeen: releases.length,
      outbox: l.outbox,
      firstStartMs: Math.round(firstStartMs),
      restartMs: { p50: Math.round(percentile(restartMs, 50)), max: Math.round(Math.max(...restartMs)) },
      runBeforeKillMs: { min: Math.round(Math.min(...runMs)), max: Math.round(Math.max(...runMs)) },
    });
  }, 120_000 + KILLS * 60_000);
});
