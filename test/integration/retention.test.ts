import { afterEach, describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '../../src/main/config/load.ts';
import { createLogger, jsonLineSink } from '../../src/shared/log.ts';
import { startStation, type RunningStation } from '../../src/main/station.ts';
import { verifyDatabase } from '../../src/main/storage/verify.ts';
import { tempDir } from '../helpers/tmp.ts';

const running: RunningStation[] = [];
afterEach(async () => {
  for (const s of running.splice(0)) await s.stop();
});

async function until<T>(what: string, f: () => T | undefined, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function imageFiles(dir: string): number {
  let n = 0;
  for (const d of readdirSync(dir, { withFileTypes: true })) if (d.isDirectory()) n += readdirSync(join(dir, d.name)).filter((f) => !f.endsWith('.tmp')).length;
  return n;
}

describe('retention in a running station', () => {
  it('purges the images of synced parcels, archives old audit records, keeps the chain verifiable and reports in /health', async () => {
    const dataDir = tempDir();
    const base = parseConfig({}, {});
    const count = 12;
    const station = await startStation({
      // Everything older than a few milliseconds is "old"; the job itself is run by hand below.
      config: {
        ...base,
        mqtt: { ...base.mqtt, embeddedPort: 0 },
        console: { ...base.console, port: 0 },
        timing: { ...base.timing, operatorReviewMs: 1 },
        retention: { imageDays: 1e-9, recordDays: 1e-9, maxImageStoreMb: 1000, intervalMinutes: 600 },
      },
      dataDir,
      port: 0,
      // Ack timeouts on a loaded test machine are expected noise here; errors still show.
      logger: createLogger('station', jsonLineSink((l) => process.stderr.write(l)), { '': 'error' }),
      demo: { rate: 10, count, poolSize: 3, taggedReads: true, imageMode: 'binary', manual: true, uniqueImages: true, seed: 7 },
    });
    running.push(station);
    const pending = (): number => (station.db.prepare('SELECT COUNT(*) AS n FROM outbox WHERE acked_at IS NULL').get() as { n: number }).n;
    await station.demo!.start();
    await until('every parcel decided', () => station.line.metrics.commands.RELEASE + station.line.metrics.commands.HOLD >= count && station.line.activeParcels().length === 0);
    await until('the outbox synced', () => pending() === 0);
    const images = join(dataDir, 'images');
    // three renders, twelve distinct files: the stamp makes every parcel's image its own
    expect(imageFiles(images)).toBe(count);

    const r = await station.retention.runNow();
    expect(r).toBeDefined();
    // Synced and old: their images and records go, the audit records move to the archive.
    expect(r!.imagesPurged + r!.parcelsDeleted).toBeGreaterThanOrEqual(count);
    expect(imageFiles(images)).toBe(0);
    expect(r!.auditArchived).toBeGreaterThan(0);
    expect(readdirSync(join(dataDir, 'audit-archive')).some((f) => f.endsWith('.jsonl.gz'))).toBe(true);
    const report = verifyDatabase(station.db, join(dataDir, 'audit-archive'));
    expect(report.ok).toBe(true);
    expect(report.archive!.records).toBe(r!.auditArchived);

    const health = (await (await fetch(new URL('/health', station.url))).json()) as { retention: { lastRunAt: string | null; imageStoreMb: number } };
    expect(health.retention.lastRunAt).not.toBeNull();
    expect(health.retention.imageStoreMb).toBe(0);
  });
});
