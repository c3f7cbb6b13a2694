// The inspector's faults reach the line as alarms, end to end through startStation's wiring (the
// supervisor's onEvent → inspectorAlarm → LineRuntime.raiseAlarm): a real station, the real model, an
// inference limit no run can meet. Every parcel must be held (S04) and each timeout raised as
// INSPECT_TIMEOUT on the line's alarm path (metrics, MQTT, console), not only seen as a hold.
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/main/config/load.ts';
import { startStation, type RunningStation } from '../../src/main/station.ts';
import { createLogger, jsonLineSink } from '../../src/shared/log.ts';
import { tempDir } from '../helpers/tmp.ts';

const running: RunningStation[] = [];
afterEach(async () => {
  for (const s of running.splice(0)) await s.stop();
});

async function until(what: string, f: () => boolean, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!f()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('inspector alarms on a running station', () => {
  it('an inference over its time limit holds the parcel (S04) and raises INSPECT_TIMEOUT on the line', async () => {
    const base = parseConfig({}, {});
    const count = 3;
    const alarms: { code: string; detail: string }[] = [];
    const station = await startStation({
      config: {
        ...base,
        mqtt: { ...base.mqtt, embeddedPort: 0 },
        console: { ...base.console, port: 0 },
        timing: { ...base.timing, operatorReviewMs: 1 },
        // The network needs ~20 ms; 1 ms cannot be met, so every run times out and its worker restarts.
        inspection: { ...base.inspection, inferenceTimeoutMs: 1, workers: 1 },
      },
      dataDir: tempDir(),
      port: 0,
      logger: createLogger('station', jsonLineSink((l) => process.stderr.write(l)), { '': 'error' }),
      demo: { rate: 1, count, poolSize: 2, taggedReads: true, imageMode: 'binary', manual: true, seed: 5 },
      onLineEvent: (e) => void (e.type === 'alarm' && alarms.push({ code: e.code, detail: e.detail })),
    });
    running.push(station);
    await station.demo!.start();
    const m = station.line.metrics;
    await until('every parcel decided', () => m.commands.RELEASE + m.commands.HOLD >= count && station.line.activeParcels().length === 0);

    expect(m.commands).toMatchObject({ RELEASE: 0, HOLD: count });
    const reasons = (station.db.prepare(`SELECT reasons FROM verdict`).all() as { reasons: string }[]).map((r) => r.reasons);
    expect(reasons).toHaveLength(count);
    for (const r of reasons) expect(r).toContain('S04');
    expect(m.alarms.INSPECT_TIMEOUT).toBeGreaterThanOrEqual(count);
    const timeout = alarms.find((a) => a.code === 'INSPECT_TIMEOUT');
    expect(timeout?.detail).toMatch(/1 ms/);
  });
});
