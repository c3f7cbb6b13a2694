import { describe, expect, it } from 'vitest';
import { decodePayload, filterFor, topicFor, topicMatches, TOPICS } from '../../../src/shared/mqtt-topics.ts';

const enc = (v: unknown) => new TextEncoder().encode(typeof v === 'string' ? v : JSON.stringify(v));

describe('MQTT topic contract', () => {
  it('builds topics under <prefix>/<stationId>/ and refuses wildcard parameters', () => {
    expect(topicFor('station', 'demo-01', 'status')).toBe('station/demo-01/status');
    expect(topicFor('site/a', 'demo-01', 'deviceHealth', { id: 'barcode' })).toBe('site/a/demo-01/devices/barcode/health');
    expect(() => topicFor('station', 'demo-01', 'deviceHealth', { id: '+' })).toThrow(/parameter id/);
    expect(filterFor('station', 'demo-01', 'deviceHealth')).toBe('station/demo-01/devices/+/health');
    expect(filterFor('station', 'demo-01', 'imageBin')).toBe('station/demo-01/scanner/image/bin/#');
  });

  it('matches wildcards like a broker', () => {
    expect(topicMatches('a/+/c', 'a/b/c')).toBe(true);
    expect(topicMatches('a/+/c', 'a/b/c/d')).toBe(false);
    expect(topicMatches('a/#', 'a/b/c')).toBe(true);
    expect(topicMatches('a/b', 'a')).toBe(false);
  });

  it('validates payloads with reasons', () => {
    expect(decodePayload('conveyorAck', enc({ parcelId: 1, command: 'RELEASE', ok: true }))).toEqual({ ok: true, value: { parcelId: 1, command: 'RELEASE', ok: true } });
    expect(decodePayload('conveyorAck', enc({ parcelId: 1, command: 'PUSH', ok: true }))).toMatchObject({ ok: false, reason: expect.stringMatching(/^schema: command/) });
    expect(decodePayload('conveyorAck', enc({ parcelId: 1, command: 'HOLD', ok: true, extra: 1 }))).toMatchObject({ ok: false });
    expect(decodePayload('status', enc('online'))).toEqual({ ok: true, value: 'online' });
    expect(decodePayload('status', enc('maybe'))).toMatchObject({ ok: false });
    expect(decodePayload('imageJson', enc({ image: 'not base64!' }))).toMatchObject({ ok: false, reason: expect.stringMatching(/base64/) });
    expect(decodePayload('imageBin', new Uint8Array(10))).toMatchObject({ ok: true });
    expect(decodePayload('barcodeScan', new Uint8Array(TOPICS.barcodeScan.maxBytes + 1))).toMatchObject({ ok: false, reason: expect.stringMatching(/exceeds/) });
  });

  it('every topic documents QoS, retain and a description', () => {
    for (const [name, t] of Object.entries(TOPICS)) {
      expect([0, 1, 2], name).toContain(t.qos);
      expect(t.description.length, name).toBeGreaterThan(10);
    }
    expect(TOPICS.status).toMatchObject({ retain: true, qos: 1 });
    expect(TOPICS.conveyorCommand).toMatchObject({ retain: false, qos: 1 });
  });
});
