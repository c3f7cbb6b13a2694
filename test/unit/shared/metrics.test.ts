import { describe, expect, it } from 'vitest';
import { formatMetrics } from '../../../src/main/http/metrics.ts';
import { LatencyStats } from '../../../src/main/line/stats.ts';

describe('Prometheus metrics', () => {
  it('formats counters, gauges and histograms in the text exposition format', () => {
    const latency = new LatencyStats(100, [10, 100]);
    latency.add(5);
    latency.add(50);
    const text = formatMetrics({
      stationId: 'demo"01',
      parcelsClosed: 2,
      commands: { RELEASE: 1, HOLD: 1 },
      holdsByReason: { M01: 1 },
      alarms: {},
      deadlineMisses: 0,
      latencyMs: latency,
      inferenceMs: new LatencyStats(),
      devices: [{ deviceId: 'barcode-1', kind: 'barcode', connected: true }],
      outboxDepth: 3,
    });
    expect(text).toContain('station_parcels_total{station="demo\\"01"} 2');
    expect(text).toContain('station_holds_total{station="demo\\"01",reason="M01"} 1');
    expect(text).toContain('station_decision_latency_seconds_bucket{station="demo\\"01",le="0.01"} 1');
    expect(text).toContain('station_decision_latency_seconds_bucket{station="demo\\"01",le="+Inf"} 2');
    expect(text).toContain('station_decision_latency_seconds_sum{station="demo\\"01"} 0.055');
    expect(text).toContain('station_device_up{station="demo\\"01",device="barcode-1",kind="barcode"} 1');
    expect(text).toContain('station_outbox_depth{station="demo\\"01"} 3');
    for (const line of text.trim().split('\n')) expect(line).toMatch(/^(# (HELP|TYPE) \w+ .+|\w+(\{.*\})? [0-9.e+-]+)$/);
  });
});
