// Prometheus text exposition (version 0.0.4) of the station's metrics, for GET /metrics on loopback.
import type { LatencyStats } from '../line/stats.ts';

export interface MetricsSnapshot {
  stationId: string;
  parcelsClosed: number;
  commands: Record<string, number>;
  holdsByReason: Record<string, number>;
  alarms: Record<string, number>;
  deadlineMisses: number;
  latencyMs: LatencyStats;
  inferenceMs: LatencyStats;
  devices: { deviceId: string; kind: string; connected: boolean }[];
  outboxDepth: number;
}

const esc = (v: string): string => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

function labels(l: Record<string, string>): string {
  const parts = Object.entries(l).map(([k, v]) => `${k}="${esc(v)}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

function histogram(name: string, help: string, s: LatencyStats, base: Record<string, string>): string[] {
  const out = [`# HELP ${name} ${help}`, `# TYPE ${name} histogram`];
  s.buckets.forEach((b, i) => out.push(`${name}_bucket${labels({ ...base, le: String(b / 1000) })} ${s.bucketCounts[i]}`));
  out.push(`${name}_bucket${labels({ ...base, le: '+Inf' })} ${s.count}`);
  out.push(`${name}_sum${labels(base)} ${s.sum / 1000}`, `${name}_count${labels(base)} ${s.count}`);
  return out;
}

export function formatMetrics(m: MetricsSnapshot): string {
  const base = { station: m.stationId };
  const lines: string[] = [
    '# HELP station_parcels_total Parcels correlated and decided.',
    '# TYPE station_parcels_total counter',
    `station_parcels_total${labels(base)} ${m.parcelsClosed}`,
    '# HELP station_conveyor_commands_total Commands sent to the conveyor.',
    '# TYPE station_conveyor_commands_total counter',
    ...Object.entries(m.commands).map(([c, n]) => `station_conveyor_commands_total${labels({ ...base, command: c })} ${n}`),
    '# HELP station_holds_total Held parcels by reason code (a parcel counts once per reason).',
    '# TYPE station_holds_total counter',
    ...Object.entries(m.holdsByReason).map(([r, n]) => `station_holds_total${labels({ ...base, reason: r })} ${n}`),
    '# HELP station_alarms_total Alarms raised on the line by code.',
    '# TYPE station_alarms_total counter',
    ...Object.entries(m.alarms).map(([c, n]) => `station_alarms_total${labels({ ...base, code: c })} ${n}`),
    '# HELP station_deadline_misses_total Parcels held because no decision was ready before the diverter deadline.',
    '# TYPE station_deadline_misses_total counter',
    `station_deadline_misses_total${labels(base)} ${m.deadlineMisses}`,
    ...histogram('station_decision_latency_seconds', 'Image received to conveyor command published.', m.latencyMs, base),
    ...histogram('station_inference_seconds', 'Model inference time per image.', m.inferenceMs, base),
    '# HELP station_device_up Whether a device is connected (1) or not (0).',
    '# TYPE station_device_up gauge',
    ...m.devices.map((d) => `station_device_up${labels({ ...base, device: d.deviceId, kind: d.kind })} ${d.connected ? 1 : 0}`),
    '# HELP station_outbox_depth Items waiting to be synced to the central service.',
    '# TYPE station_outbox_depth gauge',
    `station_outbox_depth${labels(base)} ${m.outboxDepth}`,
  ];
  return `${lines.join('\n')}\n`;
}
