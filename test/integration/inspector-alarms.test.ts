// The inspector's faults reach the line as alarms, end to end through startStation's wiring (the
// supervisor's onEvent → inspectorAlarm → LineRuntime.raiseAlarm): a real station, the real model, an
// inference limit no run can meet. Every parcel must be held (S04), the timeouts raised as
// INSPECT_TIMEOUT on the line's alarm path (metrics, MQTT, console), not only seen as holds, and the
// process must survive them.
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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

type Inspection = ReturnType<typeof parseConfig>['inspection'];

/** A demonstration station with its own inspection settings, and every line alarm it raises. */
async function demoStation(inspection: Inspection, count: number): Promise<{ station: RunningStation; alarms: { code: string; detail: string }[] }> {
  const base = parseConfig({}, {});
  const alarms: { code: string; detail: string }[] = [];
  const station = await startStation({
    config: { ...base, mqtt: { ...base.mqtt, embeddedPort: 0 }, console: { ...base.console, port: 0 }, timing: { ...base.timing, operatorReviewMs: 1 }, inspection },
    dataDir: tempDir(),
    port: 0,
    logger: createLogger('station', jsonLineSink((l) => process.stderr.write(l)), { '': 'error' }),
    demo: { rate: 1, count, poolSize: 2, taggedReads: true, imageMode: 'binary', manual: true, seed: 5 },
    onLineEvent: (e) => void (e.type === 'alarm' && alarms.push({ code: e.code, detail: e.detail })),
  });
  running.push(station);
  return { station, alarms };
}

async function playAll(station: RunningStation, count: number): Promise<string[]> {
  await station.demo!.start();
  const m = station.line.metrics;
  await until('every parcel decided', () => m.commands.RELEASE + m.commands.HOLD >= count && station.line.activeParcels().length === 0);
  expect(m.commands).toMatchObject({ RELEASE: 0, HOLD: count });
  return (station.db.prepare(`SELECT reasons FROM verdict`).all() as { reasons: string }[]).map((r) => r.reasons);
}

describe('inspector alarms on a running station', () => {
  it('an inference over its time limit holds the parcel (S04) and raises INSPECT_TIMEOUT on the line', async () => {
    const count = 3;
    // The network needs ~20 ms; 1 ms cannot be met, so every run times out and its worker is replaced.
    const { station, alarms } = await demoStation({ ...parseConfig({}, {}).inspection, inferenceTimeoutMs: 1, workers: 1 }, count);
    const reasons = await playAll(station, count);
    expect(reasons).toHaveLength(count);
    for (const r of reasons) expect(r).toContain('S04');
    // At least the first parcel's run times out; a later parcel may instead meet its replacement
    // still loading (INSPECT_UNAVAILABLE, held all the same).
    expect(station.line.metrics.alarms.INSPECT_TIMEOUT).toBeGreaterThanOrEqual(1);
    expect(alarms.find((a) => a.code === 'INSPECT_TIMEOUT')?.detail).toMatch(/past 1 ms; its worker was set aside/);
  });

  it('a model file that disagrees with its manifest is refused: INSPECT_UNAVAILABLE at start, /health degraded, every parcel held', async () => {
    const dir = tempDir();
    cpSync(join(import.meta.dirname, '../../models/xray-det/manifest.json'), join(dir, 'manifest.json'));
    const onnx = readFileSync(join(import.meta.dirname, '../../models/xray-det/model.onnx'));
    onnx[onnx.length - 100]! ^= 0xff; // one weight byte: still a loadable graph, but not the published one
    writeFileSync(join(dir, 'model.onnx'), onnx);
    const count = 2;
    const { station, alarms } = await demoStation({ ...parseConfig({}, {}).inspection, modelDir: dir }, count);
    expect(alarms.map((a) => a.code)).toContain('INSPECT_UNAVAILABLE');
    expect(alarms.find((a) => a.code === 'INSPECT_UNAVAILABLE')?.detail).toMatch(/sha256/);
    const health = (await (await fetch(new URL('/health', station.url))).json()) as { status: string; model: string };
    expect(health).toMatchObject({ status: 'degraded', model: 'unavailable' });
    const reasons = await playAll(station, count);
    expect(reasons).toHaveLength(count);
    for (const r of reasons) expect(r).toContain('S04');
  });
});
