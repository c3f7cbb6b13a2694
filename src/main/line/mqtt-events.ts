// Line events on MQTT (docs/mqtt-topics.md, `line/*`): parcel updates, verdicts, alarms and a
// retained metrics snapshot, for dashboards, a site MES or `mosquitto_sub`. These are informative:
// SQLite and the sync outbox are the durable record, so a publish that fails while the broker is
// away is dropped and counted, and publishing never waits on the parcel path.
import type { z } from 'zod';
import type { AlarmEventSchema, LineMetricsSchema, ParcelUpdateSchema, TopicName, VerdictEventSchema } from '../../shared/mqtt-topics.ts';
import type { LineEvent, LineMetrics, ParcelView } from './runtime.ts';
import type { LatencyStats } from './stats.ts';

export type ParcelUpdate = z.infer<typeof ParcelUpdateSchema>;
export type VerdictEvent = z.infer<typeof VerdictEventSchema>;
export type AlarmEvent = z.infer<typeof AlarmEventSchema>;
export type LineMetricsEvent = z.infer<typeof LineMetricsSchema>;

export type LineMessage = { topic: 'parcelUpdate'; payload: ParcelUpdate } | { topic: 'verdict'; payload: VerdictEvent } | { topic: 'alarm'; payload: AlarmEvent };

const DETAIL_MAX = 500;
const clip = (s: string, n: number): string => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

export function parcelUpdate(p: ParcelView, at: number): ParcelUpdate {
  return {
    scanId: p.scanId,
    stage: p.stage,
    ...(p.seq !== undefined ? { seq: p.seq } : {}),
    ...(p.logisticsNo ? { logisticsNo: p.logisticsNo } : {}),
    barcodes: p.barcodes.slice(0, 16),
    ...(p.weightKg !== undefined ? { weightKg: p.weightKg } : {}),
    ...(p.imageSha256 ? { imageSha256: p.imageSha256 } : {}),
    deadlineAt: p.deadlineAt,
    ...(p.decision ? { action: p.decision.action, reasons: p.decision.reasons.slice(0, 32) } : {}),
    ...(p.command ? { command: p.command } : {}),
    ...(p.ack ? { ack: p.ack } : {}),
    at,
  };
}

/** The verdict as its command leaves (the one moment every parcel passes exactly once). */
export function verdictEvent(p: ParcelView, at: number): VerdictEvent | undefined {
  const d = p.decision;
  if (!d || !p.command) return undefined;
  const auto = p.verdict?.reasons ?? [];
  const reasons =
    d.by === 'AUTO' && auto.length > 0
      ? auto.map((r) => ({ code: r.code, level: r.level, detail: clip(r.detail, DETAIL_MAX) }))
      : [
          ...d.reasons.map((code) => ({ code, level: 'HOLD' as const, detail: clip(d.note ?? `${d.by.toLowerCase()} decision`, DETAIL_MAX) })),
          ...auto.filter((r) => !d.reasons.includes(r.code)).map((r) => ({ code: r.code, level: r.level, detail: clip(r.detail, DETAIL_MAX) })),
        ];
  return {
    scanId: p.scanId,
    ...(p.logisticsNo ? { logisticsNo: p.logisticsNo } : {}),
    action: d.action,
    command: p.command,
    decidedBy: d.by,
    ...(d.operatorId ? { operatorId: d.operatorId } : {}),
    reasons: reasons.slice(0, 32),
    ...(p.verdict ? { ruleSet: p.verdict.ruleSet, model: p.verdict.model } : {}),
    at,
  };
}

/** What to publish for one line event (pure). */
export function lineMessages(e: LineEvent): LineMessage[] {
  if (e.type === 'alarm') return [{ topic: 'alarm', payload: { code: e.code, detail: clip(e.detail, 1000), ...(e.scanId ? { scanId: e.scanId } : {}), at: e.at } }];
  if (e.type === 'orphan') return [{ topic: 'alarm', payload: { code: 'ORPHAN_EVIDENCE', detail: clip(e.why, 1000), at: e.at } }];
  const out: LineMessage[] = [{ topic: 'parcelUpdate', payload: parcelUpdate(e.parcel, e.at) }];
  if (e.parcel.stage === 'signalled') {
    const v = verdictEvent(e.parcel, e.at);
    if (v) out.push({ topic: 'verdict', payload: v });
  }
  return out;
}

const pct = (s: LatencyStats): LineMetricsEvent['latencyMs'] => {
  const x = s.summary();
  return { count: x.count, p50: Number.isFinite(x.p50) ? x.p50 : null, p99: Number.isFinite(x.p99) ? x.p99 : null, max: x.max };
};

export function metricsEvent(m: LineMetrics, inFlight: number, outboxDepth: number, at: number): LineMetricsEvent {
  return {
    parcelsClosed: m.closed,
    inFlight,
    commands: { ...m.commands },
    holdsByReason: { ...m.holdsByReason },
    alarms: { ...m.alarms },
    deadlineMisses: m.deadlineMisses,
    latencyMs: pct(m.latencyMs),
    inferenceMs: pct(m.inferenceMs),
    outboxDepth,
    at,
  };
}

/** The part of StationMqtt this needs (a seam for tests). */
export interface LinePublisher {
  readonly connected: boolean;
  publish(name: TopicName, value: unknown): Promise<void>;
}

export interface LineEventsOptions {
  mqtt: LinePublisher;
  metrics(): LineMetricsEvent;
  /** Metrics period; 0 turns the periodic snapshot off. */
  metricsEveryMs?: number;
}

export class LineMqttEvents {
  private readonly o: LineEventsOptions;
  private timer: NodeJS.Timeout | undefined;
  /** Messages not published because the broker was away (they are not queued: see the header). */
  dropped = 0;

  constructor(o: LineEventsOptions) {
    this.o = o;
  }

  start(): void {
    const every = this.o.metricsEveryMs ?? 5000;
    if (every > 0) {
      this.timer = setInterval(() => this.publishMetrics(), every);
      this.timer.unref();
    }
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Called synchronously from the line's onEvent: never throws, never awaits. */
  onLineEvent(e: LineEvent): void {
    for (const m of lineMessages(e)) this.send(m.topic, m.payload);
  }

  publishMetrics(): void {
    try {
      this.send('lineMetrics', this.o.metrics());
    } catch {
      this.dropped++;
    }
  }

  private send(topic: TopicName, payload: unknown): void {
    if (!this.o.mqtt.connected) {
      this.dropped++;
      return;
    }
    this.o.mqtt.publish(topic, payload).catch(() => this.dropped++);
  }
}
