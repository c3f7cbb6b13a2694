// The whole line as separate real processes: a Mosquitto broker, socat ptys for the barcode reader
// and the scanner's status channel, `station start --headless` as a child process, and in this
// process the parts of the line around it (the reader and photo-eye writing to their ptys, the
// scanner publishing images, the conveyor controller acking over MQTT). The station is also killed
// with SIGKILL mid-run and restarted on the same data directory.
import { afterEach, describe, expect, it } from 'vitest';
import { stationSync } from '../helpers/cli.ts';
import { dbg, declareParcels, line, play, rows, sleep, startStation, stopStation } from '../helpers/line.ts';
import { cleanup, onCleanup, waitFor } from './devices/helpers.ts';

afterEach(cleanup);

describe('the inspection line with Mosquitto, ptys and the station as a process', () => {
  it('takes a barcode through a pty and an image over MQTT to a committed verdict, a conveyor command and a recorded ack', async () => {
    const l = await line();
    const [parcel] = await declareParcels(l, 1);
    const station = await startStation(l);
    await play(l, parcel!, 1);
    dbg('played');

    const row = await waitFor(`the verdict with its ack (${station.stderr().slice(-1500)})`, () => rows(l.dataDir).find((r) => r.seq === 1 && r.result?.startsWith('ok:')), 20_000, 50);
    dbg(`verdict ${row.action} ${row.result} ${row.reasons}`);
    expect(row.waybill).toBe(parcel!.waybill);
    expect(row.verdicts).toBe(1);
    expect(row.state).toBe('done');
    expect(row.result).toBe(`ok:${row.action === 'RELEASE' ? 'RELEASE' : 'HOLD'}`);
    // The conveyor got exactly that command for the parcel's tunnel number, once.
    const got = l.conveyor.outcomes.filter((o) => o.parcelId === 1);
    expect(got).toHaveLength(1);
    expect(got[0]!.requested).toBe(row.action === 'RELEASE' ? 'RELEASE' : 'HOLD');
    expect(got[0]!.failsafe).toBe(false);
    // …and the verdict went out on line/verdict for dashboards.
    await waitFor('the verdict on MQTT', () => l.verdictEvents.find((v) => v.scanId === row.scanId), 5000);
    expect(l.verdictEvents.find((v) => v.scanId === row.scanId)).toMatchObject({ action: row.action, command: got[0]!.requested });
    // The periodic metrics snapshot (every 5 s) counts it.
    await waitFor('line/metrics counting the parcel', () => (l.metrics.value?.parcelsClosed ?? 0) >= 1, 8000, 50);
    expect(l.metrics.value!.commands[got[0]!.requested]).toBe(1);

    dbg('stopping the station');
    expect(await stopStation(station), station.stderr().slice(-3000)).toBe(0);
    const v = stationSync(['verify', '--data-dir', l.dataDir, '--json']);
    expect(v.code, v.stdout + v.stderr).toBe(0);
  }, 90_000);

  it('accounts for every parcel after a SIGKILL mid-run: in-flight ones HOLD on restart, none released twice', async () => {
    const l = await line();
    const COUNT = 24;
    const parcels = await declareParcels(l, COUNT);
    const first = await startStation(l);

    // Play parcels every 250 ms; kill the station the moment one is being inspected.
    const played: number[] = [];
    const flights: Promise<void>[] = [];
    let seq = 0;
    let killed = false;
    const player = setInterval(() => {
      if (killed || seq >= 12) return;
      const s = ++seq;
      flights.push(play(l, parcels[s - 1]!, s).then(() => void played.push(s)));
    }, 250);
    onCleanup(() => clearInterval(player));
    await waitFor('a parcel in flight after a few decided ones', () => {
      const rs = rows(l.dataDir);
      return rs.filter((r) => r.state === 'done').length >= 3 && rs.some((r) => r.state === 'inspecting');
    }, 30_000, 5);
    first.child.kill('SIGKILL');
    killed = true;
    clearInterval(player);
    await new Promise<void>((r) => (first.child.exitCode !== null || first.child.signalCode !== null ? r() : first.child.once('exit', () => r())));
    await Promise.allSettled(flights);
    const inFlightAtKill = rows(l.dataDir).filter((r) => r.action === null).map((r) => r.scanId);
    dbg(`killed after ${played.length} played; ${rows(l.dataDir).length} recorded, ${inFlightAtKill.length} in flight`);
    expect(inFlightAtKill.length).toBeGreaterThan(0);

    const second = await startStation(l);
    expect(second.stderr()).toMatch(/recovered \d+ parcel\(s\) that were in flight at the last stop: all HOLD/);
    // The line runs on: the rest of the parcels after the restart.
    for (let s = seq + 1; s <= COUNT; s++) {
      await play(l, parcels[s - 1]!, s);
      played.push(s);
      await sleep(150);
    }
    const afterRestart = played.filter((s) => s > seq);
    await waitFor('every parcel after the restart decided and acked', () => {
      const rs = rows(l.dataDir);
      return afterRestart.every((s) => rs.some((r) => r.seq === s && r.result?.startsWith('ok:')));
    }, 30_000, 50);

    const rs = rows(l.dataDir);
    dbg(`${rs.length} recorded: ${rs.map((r) => `${r.seq}:${r.action}:${r.result}`).join(' ')}; conveyor got ${l.conveyor.outcomes.length}`);
    // Every parcel the station recorded has exactly one verdict.
    for (const r of rs) expect(r.verdicts, `parcel ${r.seq} (${r.scanId})`).toBe(1);
    // The ones caught in flight were resolved to HOLD by recovery, with the reason recorded.
    for (const id of inFlightAtKill) {
      const r = rs.find((x) => x.scanId === id)!;
      expect(r.action).toBe('HOLD');
      expect(r.state).toBe('done');
      expect(r.reasons).toContain('S04');
      expect(r.reasons).toContain('station restarted');
    }
    // Every parcel played was either decided, or never reached the station's records and so was
    // never released (the conveyor's default is to divert).
    for (const s of played) {
      if (!rs.some((r) => r.seq === s)) expect(l.conveyor.outcomes.filter((o) => o.parcelId === s && o.outcome === 'released'), `parcel ${s}`).toEqual([]);
    }
    // Nothing released twice: not in the records, not at the conveyor.
    const releasedWaybills = rs.filter((r) => r.action === 'RELEASE').map((r) => r.waybill);
    expect(new Set(releasedWaybills).size).toBe(releasedWaybills.length);
    const releaseIds = l.conveyor.outcomes.filter((o) => o.requested === 'RELEASE').map((o) => o.parcelId);
    expect(new Set(releaseIds).size).toBe(releaseIds.length);
    // Every RELEASE the conveyor got has a committed RELEASE verdict behind it.
    for (const id of releaseIds) expect(rs.some((r) => r.seq === id && r.action === 'RELEASE'), `parcel ${id}`).toBe(true);
    expect(afterRestart.length).toBeGreaterThan(0);

    expect(await stopStation(second), second.stderr().slice(-3000)).toBe(0);
    const v = stationSync(['verify', '--data-dir', l.dataDir, '--json']);
    expect(v.code, v.stdout + v.stderr).toBe(0);
  }, 120_000);
});
