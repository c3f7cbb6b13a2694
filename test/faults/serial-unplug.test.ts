// Fault campaign: serial devices unplugged mid-run (docs/reliability.md). The barcode reader's and
// then the scanner status channel's socat pty is killed (a USB cable pull: the station's port closes
// and the device node vanishes) and re-created on the same path a few seconds later. Expected: the
// station marks the device down and raises DEVICE_DISCONNECTED, the parcels that pass meanwhile are
// HOLD (no barcode: S01; no tunnel event: S02), and the device reconnects by itself after the replug.
import { afterEach, describe, expect, it } from 'vitest';
import { report } from '../helpers/faults.ts';
import { declareParcels, devices, line, play, rows, sleep, startStation, stopStation, type Line } from '../helpers/line.ts';
import { stationSync } from '../helpers/cli.ts';
import { cleanup, waitFor } from '../integration/devices/helpers.ts';

afterEach(cleanup);

const decided = (l: Line, seqs: number[]): boolean => seqs.every((q) => rows(l.dataDir).some((r) => r.seq === q && r.result?.startsWith('ok:')));

describe('fault campaign: serial unplug', () => {
  it('raises an alarm, holds parcels without the device and reconnects after the replug', async () => {
    const l = await line();
    const parcels = await declareParcels(l, 16);
    const s = await startStation(l);
    const health = async (kind: string): Promise<boolean | undefined> => (await devices(s.health)).find((d) => d.kind === kind)?.connected;
    const figures: Record<string, unknown> = {};

    let seq = 0;
    const playSome = async (n: number): Promise<number[]> => {
      const out: number[] = [];
      for (let i = 0; i < n; i++) {
        seq++;
        await play(l, parcels[seq - 1]!, seq);
        out.push(seq);
        await sleep(150);
      }
      return out;
    };

    const first = await playSome(3);
    await waitFor('the first parcels decided', () => decided(l, first), 30_000, 50);

    for (const [name, ep, kind] of [['barcode', l.barcode, 'barcode'], ['status', l.status, 'scanner']] as const) {
      // Pull the cable: socat dies, the pty and its link vanish.
      const pulledAt = Date.now();
      await ep.pair.unplug();
      await waitFor(`the station to see the ${name} port gone`, async () => (await health(kind)) === false, 15_000, 20);
      const detectMs = Date.now() - pulledAt;
      // Parcels pass while it is unplugged (writes to the pulled device go nowhere).
      const during = await playSome(2);
      await waitFor(`the parcels without the ${name} recorded`, () => during.every((q) => rows(l.dataDir).some((r) => r.seq === q && r.action !== null)) || (name === 'status' && during.length > 0), 30_000, 50);
      // Plug it back on the same path.
      const pluggedAt = Date.now();
      await ep.open();
      await waitFor(`the ${name} reconnected`, async () => (await health(kind)) === true, 30_000, 20);
      const reconnectMs = Date.now() - pluggedAt;
      const after = await playSome(2);
      await waitFor(`parcels decided after the ${name} came back`, () => decided(l, after), 30_000, 50);
      figures[name] = { detectMs, reconnectMs, during, after };
    }

    // Give the status-less parcels (image without a tunnel event) their correlation window.
    await sleep(1500);
    const rs = rows(l.dataDir);
    for (const r of rs) expect(r.verdicts, `parcel ${r.seq}`).toBe(1);
    const bySeq = (q: number) => rs.filter((r) => r.seq === q);
    // Without the reader: recorded, HOLD for want of a barcode.
    const noBarcode = (figures.barcode as { during: number[] }).during;
    for (const q of noBarcode) {
      expect(bySeq(q), `parcel ${q}`).toHaveLength(1);
      // HOLD, or HOLD_LOCK when the model also saw a prohibited item in the image: held either way.
      expect(['HOLD', 'HOLD_LOCK']).toContain(bySeq(q)[0]!.action);
      expect(bySeq(q)[0]!.reasons).toContain('S01');
    }
    // Without the tunnel's photo-eye: whatever the station made of the images is HOLD; nothing released.
    const noStatus = (figures.status as { during: number[] }).during;
    const statusRows = rs.filter((r) => r.seq === null || noStatus.includes(r.seq));
    for (const r of statusRows) expect(r.action, `parcel ${r.seq ?? '(no tunnel number)'}`).not.toBe('RELEASE');
    expect(l.conveyor.outcomes.filter((o) => [...noBarcode, ...noStatus].includes(o.parcelId) && o.outcome === 'released')).toEqual([]);
    const alarms = s.stderr().match(/DEVICE_DISCONNECTED: \w+ \S+ disconnected/g) ?? [];
    expect(alarms.some((a) => a.includes('barcode'))).toBe(true);
    expect(alarms.some((a) => a.includes('scanner'))).toBe(true);

    expect(await stopStation(s), s.stderr().slice(-3000)).toBe(0);
    const v = stationSync(['verify', '--data-dir', l.dataDir, '--json']);
    expect(v.code, v.stdout + v.stderr).toBe(0);
    report('serial-unplug', {
      ...figures,
      noBarcodeReasons: noBarcode.map((q) => (JSON.parse(bySeq(q)[0]!.reasons ?? '[]') as { code: string }[]).map((h) => h.code).join('+')),
      noStatusRecords: statusRows.map((r) => `${r.seq ?? '-'}:${r.action}:${(JSON.parse(r.reasons ?? '[]') as { code: string }[]).map((h) => h.code).join('+')}`),
      alarms: alarms.length,
    });
  }, 150_000);
});
