// A line whose scanner sends raw netpbm frames instead of PNGs: the same parcels (same seed and
// renders) must get the same detections and verdicts as from PNG, since the model sees the same pixels,
// and the frames are stored as evidence under their own format.
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/main/config/load.ts';
import { startStation, type RunningStation } from '../../src/main/station.ts';
import { createLogger, jsonLineSink } from '../../src/shared/log.ts';
import { tempDir } from '../helpers/tmp.ts';
import { until } from '../helpers/wait.ts';

const running: RunningStation[] = [];
afterEach(async () => {
  for (const s of running.splice(0)) await s.stop();
});

interface Outcome {
  verdicts: Record<string, string>;
  detections: Record<string, string>;
  formats: string[];
}

async function playLine(frame: 'png' | 'pnm', count: number): Promise<Outcome> {
  const base = parseConfig({}, {});
  const station = await startStation({
    config: { ...base, mqtt: { ...base.mqtt, embeddedPort: 0 }, console: { ...base.console, port: 0 }, timing: { ...base.timing, operatorReviewMs: 1 } },
    dataDir: tempDir(),
    port: 0,
    logger: createLogger('station', jsonLineSink((l) => process.stderr.write(l)), { '': 'error' }),
    demo: { rate: 8, count, poolSize: 4, taggedReads: true, imageMode: 'binary', frame, manual: true, uniqueImages: true, seed: 11 },
  });
  running.push(station);
  await station.demo!.start();
  const m = station.line.metrics;
  await until('every parcel decided', () => m.commands.RELEASE + m.commands.HOLD >= count && station.line.activeParcels().length === 0);
  const db = station.db;
  const verdicts = Object.fromEntries(
    (db.prepare(`SELECT logistics_no AS w, action || ' ' || reasons AS v FROM verdict WHERE decided_by = 'AUTO'`).all() as { w: string; v: string }[]).map((r) => [r.w, r.v]),
  );
  const detections = Object.fromEntries(
    (
      db
        .prepare(`SELECT p.logistics_no AS w, group_concat(d.label || ':' || round(d.score, 4) || '@' || round(d.x1) || ',' || round(d.y1), ' ') AS d
                  FROM parcel p LEFT JOIN detection d ON d.scan_id = p.scan_id GROUP BY p.scan_id`)
        .all() as { w: string; d: string | null }[]
    ).map((r) => [r.w, r.d ?? '']),
  );
  const formats = (db.prepare('SELECT format FROM image').all() as { format: string }[]).map((r) => r.format);
  return { verdicts, detections, formats };
}

describe('raw netpbm frames on the line', () => {
  it('give the same detections and verdicts as the PNGs of the same renders, stored as .pnm evidence', async () => {
    const count = 8;
    const png = await playLine('png', count);
    const pnm = await playLine('pnm', count);
    expect(Object.keys(pnm.verdicts)).toHaveLength(count);
    expect(pnm.formats).toEqual(Array(count).fill('pnm'));
    expect(png.formats).toEqual(Array(count).fill('png'));
    // Some parcels hold something the model finds: the comparison is not between empty lists.
    expect(Object.values(pnm.detections).filter((d) => d.length > 0).length).toBeGreaterThan(0);
    expect(pnm.detections).toEqual(png.detections);
    expect(pnm.verdicts).toEqual(png.verdicts);
    expect(Object.values(pnm.verdicts).join(' ')).not.toMatch(/S02|S04/);
  });
});
