import { describe, expect, it } from 'vitest';
import { inspectorAlarm } from '../../../src/main/inspection/alarms.ts';

describe('inspectorAlarm', () => {
  it('raises one alarm per worker fault and none when a worker is ready', () => {
    expect(inspectorAlarm({ type: 'ready', generation: 2, loadMs: 5, warmupMs: 9 })).toBeUndefined();
    expect(inspectorAlarm({ type: 'timeout', generation: 1, timeoutMs: 2000, replaced: true })).toEqual({
      code: 'INSPECT_TIMEOUT',
      detail: 'inference ran past 2000 ms; its worker was set aside and a fresh one started',
    });
    expect(inspectorAlarm({ type: 'timeout', generation: 4, timeoutMs: 2000, replaced: false })?.detail).toMatch(/every parcel is held until a stuck worker finishes or the station is restarted/);
    expect(inspectorAlarm({ type: 'crashed', generation: 1, reason: 'worker exited with code 3', restartInMs: 50 })?.code).toBe('INSPECT_WORKER_CRASHED');
    expect(inspectorAlarm({ type: 'decode-stuck', generation: 1, decodeTimeoutMs: 30_000, replaced: true })).toEqual({
      code: 'INSPECT_DECODE_STUCK',
      detail: 'an image decode ran past 30000 ms; its worker was set aside and a fresh one started',
    });
    expect(inspectorAlarm({ type: 'decode-stuck', generation: 3, decodeTimeoutMs: 30_000, replaced: false })?.detail).toMatch(/every parcel is held until a stuck worker finishes or the station is restarted/);
  });
});
