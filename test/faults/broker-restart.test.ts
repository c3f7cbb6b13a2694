// Fault campaign: the MQTT broker dies and comes back mid-run (docs/reliability.md). Real Mosquitto
// (SIGKILL, then started again on the same port), socat ptys for the reader and the photo-eye, the
// station as a child process. Parcels that pass while the broker is away (no image, no conveyor) are
// HOLD and recorded, never released and never lost; the station reconnects by itself and the
// parcels after the outage are decided and acknowledged again.
import { afterEach, describe, expect, it } from 'vitest';
import { report } from '../helpers/faults.ts';
import { declareParcels, devices, line, play, rows, sleep, startStation, stopStation } from '../helpers/line.ts';
import { stationSync } from '../helpers/cli.ts';
import { cleanup, waitFor } from '../integration/devices/helpers.ts';

afterEach(cleanup);

describe('fault campaign: broker restart', () => {
  it('holds the parcels of the outage, loses none, reconnects and decides again', async () => {
    const l = await line();
    const parcels = await declareParcels(l, 15);
    const s = await startStation(l);
    const playSafe = (seq: number): Promise<void> => play(l, parcels[seq - 1]!, seq).catch(() => undefined); // the image publish fails while the broker is away

    // Before: five parcels decided and acked.
    for (let seq = 1; seq <= 5; seq++) {
      await playSafe(seq);
      await sleep(150);
    }
    await waitFor('parcels 1-5 acked', () => [1, 2, 3, 4, 5].every((q) => rows(l.dataDir).some((r) => r.seq === q && r.result?.startsWith('ok:'))), 30_000, 50);

    // The broker dies (SIGKILL); five parcels pass meanwhile.
    const downAt = Date.now();
    await l.broker.stop();
    for (let seq = 6; seq <= 10; seq++) {
      await playSafe(seq);
      await sleep(300);
    }
    await waitFor('the station to notice the broker is gone', async () => (await devices(s.health)).some((d) => !d.connected), 10_000, 50);
    // Every parcel of the outage is recorded and HOLD (no image, no conveyor): nothing is lost.
    await waitFor('the outage parcels recorded with a verdict', () => [6, 7, 8, 9, 10].every((q) => rows(l.dataDir).some((r) => r.seq === q && r.action !== null)), 30_000, 50);
    const outageMs = Date.now() - downAt;

    // Back on the same port: the station, the scanner and the conveyor reconnect by themselves.
    const upAt = Date.now();
    await l.broker.start();
    await waitFor('every device connected again', async () => (await devices(s.health)).every((d) => d.connected), 30_000, 50);
    const reconnectMs = Date.now() - upAt;
    await waitFor('the test clients reconnected', () => l.mqtt.connected, 10_000, 50);
    for (let seq = 11; seq <= 15; seq++) {
      await playSafe(seq);
      await sleep(150);
    }
    await waitFor('parcels 11-15 decided and acked after the outage', () => [11, 12, 13, 14, 15].every((q) => rows(l.dataDir).some((r) => r.seq === q && r.result?.startsWith('ok:'))), 30_000, 50);

    const rs = rows(l.dataDir);
    for (const r of rs) expect(r.verdicts, `parcel ${r.seq}`).toBe(1);
    const outage = rs.filter((r) => r.seq >= 6 && r.seq <= 10);
    expect(outage.map((r) => r.seq).sort((a, b) => a - b)).toEqual([6, 7, 8, 9, 10]);
    for (const r of outage) expect(['HOLD', 'HOLD_LOCK'], `parcel ${r.seq} during the outage`).toContain(r.action);
    // The conveyor released none of them, and nothing twice.
    expect(l.conveyor.outcomes.filter((o) => o.parcelId >= 6 && o.parcelId <= 10 && o.outcome === 'released')).toEqual([]);
    const releaseIds = l.conveyor.outcomes.filter((o) => o.requested === 'RELEASE').map((o) => o.parcelId);
    expect(new Set(releaseIds).size).toBe(releaseIds.length);
    expect(s.stderr()).toMatch(/DEVICE_DISCONNECTED/);

    expect(await stopStation(s), s.stderr().slice(-3000)).toBe(0);
    const v = stationSync(['verify', '--data-dir', l.dataDir, '--json']);
    expect(v.code, v.stdout + v.stderr).toBe(0);
    report('broker-restart', {
      outageMs,
      reconnectMs,
      parcels: rs.length,
      outage: { parcels: outage.length, hold: outage.filter((r) => r.action === 'HOLD').length, reasons: [...new Set(outage.flatMap((r) => (JSON.parse(r.reasons ?? '[]') as { code: string }[]).map((h) => h.code)))], results: outage.map((r) => r.result) },
      after: rs.filter((r) => r.seq > 10).map((r) => `${r.action}:${r.result}`),
    });
  }, 120_000);
});
