import { describe, expect, it } from 'vitest';
import { LineMqttEvents, lineMessages, metricsEvent } from '../../../src/main/line/mqtt-events.ts';
import { emptyLineMetrics, type LineEvent, type LineMetrics, type ParcelView } from '../../../src/main/line/runtime.ts';
import { TOPICS, type TopicName } from '../../../src/shared/mqtt-topics.ts';

const base: ParcelView = { scanId: '01JDEMO0000000000000000001', seq: 7, logisticsNo: 'XS0020260000001', barcodes: ['XS0020260000001'], deadlineAt: 1_764_230_000_000, stage: 'inspecting' };

const signalled: ParcelView = {
  ...base,
  stage: 'signalled',
  decision: { action: 'HOLD', reasons: ['D01'], by: 'AUTO' },
  command: 'HOLD',
  verdict: { action: 'HOLD', reasons: [{ code: 'D01', detail: 'knife detected (0.91)', evidence: {}, level: 'HOLD' }], ruleSet: 'rules-2026.11.0', model: 'xray-det@1', review: false, sampled: false },
};

/** Every payload must pass the schema a subscriber would check it with. */
function valid(topic: TopicName, payload: unknown): boolean {
  const spec = TOPICS[topic];
  return spec.payload !== 'binary' && spec.schema.safeParse(payload).success && JSON.stringify(payload).length <= spec.maxBytes;
}

describe('line events on MQTT', () => {
  it('publishes a parcel update per stage and the verdict once, as the command leaves', () => {
    const early = lineMessages({ type: 'parcel', parcel: base, at: 1 });
    expect(early.map((m) => m.topic)).toEqual(['parcelUpdate']);
    const sent = lineMessages({ type: 'parcel', parcel: signalled, at: 2 });
    expect(sent.map((m) => m.topic)).toEqual(['parcelUpdate', 'verdict']);
    expect(sent[1]!.payload).toMatchObject({ action: 'HOLD', command: 'HOLD', decidedBy: 'AUTO', reasons: [{ code: 'D01', level: 'HOLD' }], model: 'xray-det@1' });
    const done = lineMessages({ type: 'parcel', parcel: { ...signalled, stage: 'done', ack: 'ok' }, at: 3 });
    expect(done.map((m) => m.topic)).toEqual(['parcelUpdate']);
    expect(done[0]!.payload).toMatchObject({ stage: 'done', ack: 'ok', action: 'HOLD' });
    for (const m of [...early, ...sent, ...done]) expect(valid(m.topic, m.payload), JSON.stringify(m)).toBe(true);
  });

  it('names a fail-safe decision with its note and keeps the automatic reasons behind it', () => {
    const p: ParcelView = { ...signalled, decision: { action: 'HOLD', reasons: ['S04'], by: 'FAILSAFE', note: 'decision deadline passed' } };
    const [, v] = lineMessages({ type: 'parcel', parcel: p, at: 2 });
    expect(v!.payload).toMatchObject({ decidedBy: 'FAILSAFE', reasons: [{ code: 'S04', detail: 'decision deadline passed' }, { code: 'D01' }] });
    expect(valid('verdict', v!.payload)).toBe(true);
  });

  it('turns alarms and orphan evidence into alarm messages with bounded detail', () => {
    const events: LineEvent[] = [
      { type: 'alarm', scanId: base.scanId, code: 'ACK_TIMEOUT', detail: 'no ack within 500 ms', at: 5 },
      { type: 'orphan', why: 'x'.repeat(5000), at: 6 },
    ];
    const msgs = events.flatMap(lineMessages);
    expect(msgs.map((m) => m.payload)).toMatchObject([{ code: 'ACK_TIMEOUT', scanId: base.scanId }, { code: 'ORPHAN_EVIDENCE' }]);
    for (const m of msgs) expect(valid(m.topic, m.payload)).toBe(true);
  });

  it('snapshots metrics with empty percentiles as null', () => {
    const m: LineMetrics = emptyLineMetrics(16);
    const empty = metricsEvent(m, 0, 0, 1);
    expect(empty.latencyMs).toEqual({ count: 0, p50: null, p99: null, max: 0 });
    expect(valid('lineMetrics', empty)).toBe(true);
    m.latencyMs.add(12);
    m.holdsByReason.S02 = 1;
    const one = metricsEvent(m, 2, 3, 2);
    expect(one).toMatchObject({ inFlight: 2, outboxDepth: 3, latencyMs: { count: 1, p50: 12 }, holdsByReason: { S02: 1 } });
    expect(valid('lineMetrics', one)).toBe(true);
  });

  it('drops messages while the broker is away instead of queueing them, and never throws into the line', async () => {
    const published: string[] = [];
    const mqtt = { connected: false, publish: async (t: TopicName) => void published.push(t) };
    const ev = new LineMqttEvents({ mqtt, metrics: () => { throw new Error('metrics broke'); }, metricsEveryMs: 0 });
    ev.onLineEvent({ type: 'parcel', parcel: signalled, at: 1 });
    expect(published).toEqual([]);
    expect(ev.dropped).toBe(2);
    mqtt.connected = true;
    ev.onLineEvent({ type: 'parcel', parcel: signalled, at: 1 });
    expect(published).toEqual(['parcelUpdate', 'verdict']);
    expect(() => ev.publishMetrics()).not.toThrow();
    const failing = new LineMqttEvents({ mqtt: { connected: true, publish: () => Promise.reject(new Error('broker gone')) }, metrics: () => metricsEvent(emptyLineMetrics(4), 0, 0, 1) });
    failing.publishMetrics();
    await new Promise((r) => setImmediate(r));
    expect(failing.dropped).toBe(1);
  });
});
