// Fuzzing inbound MQTT payloads (src/shared/mqtt-topics.ts) and what the station does with them
// (src/devices/mqtt/client.ts dispatch, the binary image assembly in image-ingest.ts). The unit
// fuzz test already feeds random bytes and random JSON to decodePayload; here valid payloads are
// mutated field by field, wrapped in bad encodings and sent through the client's dispatch, so a
// near-miss is refused with a reason, a valid message is never lost, and nothing throws.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodePayload, filterFor, topicFor, TOPICS, type TopicName } from '../../src/shared/mqtt-topics.ts';
import { StationMqtt } from '../../src/devices/mqtt/client.ts';
import { MqttImageSource, type ImageDecoder } from '../../src/devices/scanner/image-ingest.ts';
import { silentLogger } from '../../src/devices/log.ts';
import { bytes, enc, fuzzTarget, fuzzTimeout, mutateJson, mutations, timed } from './harness.ts';

const fuzz = fuzzTarget('mqtt (inbound payloads, dispatch, binary image assembly)');
const T = fuzzTimeout(3);

const millis = fc.integer({ min: 0, max: 4_102_444_800_000 });
const opt = <V>(a: fc.Arbitrary<V>) => fc.option(a, { nil: undefined });
const strip = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
const b64 = fc.uint8Array({ minLength: 1, maxLength: 64 }).map((b) => Buffer.from(b).toString('base64'));

/** One valid payload per inbound JSON topic. */
const VALID: Partial<Record<TopicName, fc.Arbitrary<Record<string, unknown>>>> = {
  barcodeScan: fc.oneof(
    fc.record({ code: fc.string({ minLength: 1, maxLength: 40 }), symbology: opt(fc.constantFrom(']C1', ']E0')), at: opt(millis), deviceId: opt(fc.string({ maxLength: 20 })), seq: opt(fc.nat()) }).map(strip),
    fc.record({ noread: fc.constant(true), at: opt(millis), seq: opt(fc.nat()) }).map(strip),
  ),
  imageJson: fc.record({ seq: opt(fc.nat()), at: opt(millis), format: opt(fc.constantFrom('png', 'jpeg', 'tiff')), image: b64, low: opt(b64) }).map(strip),
  imageMeta: fc.record({ id: fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/), seq: opt(fc.nat()), at: opt(millis), dualEnergy: opt(fc.boolean()) }).map(strip),
  conveyorAck: fc.record({ parcelId: fc.integer({ min: 0, max: 999_999 }), command: fc.constantFrom('RELEASE', 'HOLD'), seq: opt(fc.nat()), ok: fc.boolean(), at: opt(millis) }).map(strip),
  conveyorHeartbeat: fc.record({ seq: fc.nat(), at: millis, failsafe: opt(fc.boolean()) }).map(strip),
};
const INBOUND = Object.keys(VALID) as TopicName[];
const validFor = fc.constantFrom(...INBOUND).chain((name) => VALID[name]!.map((v) => ({ name, v })));

/** The same JSON text broken at the encoding level. */
const encodings = fc.constantFrom('plain', 'bom', 'latin1', 'truncated', 'nul', 'overlong-utf8', 'pretty');
function encode(v: unknown, how: string): Uint8Array {
  const text = JSON.stringify(v);
  switch (how) {
    case 'bom':
      return enc(`\uFEFF${text}`);
    case 'latin1':
      return Buffer.from(`${text.slice(0, -1)},"n":"é"}`, 'latin1');
    case 'truncated':
      return enc(text.slice(0, Math.max(0, text.length - 2)));
    case 'nul':
      return Buffer.concat([enc(text), Buffer.from([0])]);
    case 'overlong-utf8':
      return Buffer.concat([enc(text.slice(0, -1)), Buffer.from([0xc0, 0xaf]), enc('}')]);
    case 'pretty':
      return enc(JSON.stringify(v, null, 2));
    default:
      return enc(text);
  }
}

describe('inbound payload validation', () => {
  it(
    'accepts every valid payload, and a decoded value always satisfies the schema again',
    () => {
      fuzz.check(
        'decodePayload: valid payloads accepted, decoded values stable',
        fc.property(validFor, fc.constantFrom('plain', 'pretty'), ({ name, v }, how) => {
          const r = decodePayload(name, encode(v, how));
          expect(r, JSON.stringify(r)).toMatchObject({ ok: true });
          if (r.ok) expect(decodePayload(name, enc(JSON.stringify(r.value)))).toEqual(r);
        }),
      );
    },
    T,
  );

  it(
    'answers a mutated or mis-encoded payload with ok or a reason, never an exception, and never passes an unknown member',
    () => {
      fuzz.check(
        'decodePayload: mutated / mis-encoded payloads',
        fc.property(validFor, mutations, encodings, fc.constantFrom(...(Object.keys(TOPICS) as TopicName[])), fc.boolean(), ({ name, v }, muts, how, other, sameTopic) => {
          const topic = sameTopic ? name : other;
          const payload = encode(mutateJson(v, muts), how);
          const r = timed(2500, () => decodePayload(topic, payload));
          if (!r.ok) {
            expect(r.reason.length).toBeGreaterThan(0);
            expect(r.reason.length).toBeLessThan(500);
            return;
          }
          if (TOPICS[topic].payload === 'json') {
            // Strict schemas: whatever came through has only members the contract names.
            const again = decodePayload(topic, enc(JSON.stringify(r.value)));
            expect(again.ok).toBe(true);
            if (how === 'latin1' || how === 'truncated' || how === 'nul' || how === 'overlong-utf8') expect.fail(`${how} payload accepted on ${topic}`);
          }
        }),
      );
    },
    T,
  );

  it(
    'refuses anything over a topic limit before looking at it',
    () => {
      fuzz.check(
        'decodePayload: size limit first',
        fc.property(fc.constantFrom(...(Object.keys(TOPICS) as TopicName[]).filter((n) => TOPICS[n].maxBytes <= 4096)), fc.integer({ min: 1, max: 64 }), (name, extra) => {
          const r = decodePayload(name, new Uint8Array(TOPICS[name].maxBytes + extra).fill(0x20));
          expect(r).toMatchObject({ ok: false, reason: expect.stringContaining('exceeds') });
        }),
      );
    },
    T,
  );
});

/** A client that never connects: messages are fed straight into its dispatch, as MQTT.js would. */
function offlineClient(): { mqtt: StationMqtt; feed: (topic: string, payload: Uint8Array) => void } {
  const mqtt = new StationMqtt({ url: 'mqtt://127.0.0.1:1', prefix: 'ins', stationId: 'st-1', role: 'fuzz', availability: false, log: silentLogger });
  const feed = (topic: string, payload: Uint8Array) => (mqtt as unknown as { dispatch(t: string, p: Buffer): void }).dispatch(topic, Buffer.from(payload));
  return { mqtt, feed };
}

describe('the station MQTT client', () => {
  it(
    'hands a subscriber only validated payloads, counts every refused one, and survives a subscriber that throws',
    () => {
      fuzz.check(
        'client dispatch: validated or dropped, never lost silently',
        fc.property(
          fc.array(
            fc.oneof(
              validFor.map(({ name, v }) => ({ name, payload: enc(JSON.stringify(v)) })),
              fc.tuple(validFor, mutations, encodings).map(([{ name, v }, m, how]) => ({ name, payload: encode(mutateJson(v, m), how) })),
              fc.tuple(fc.constantFrom(...INBOUND), bytes(200)).map(([name, payload]) => ({ name, payload })),
            ),
            { maxLength: 12 },
          ),
          fc.boolean(),
          (msgs, throwing) => {
            const { mqtt, feed } = offlineClient();
            const got: { name: TopicName; value: unknown }[] = [];
            for (const name of INBOUND)
              mqtt.on(name, (value) => {
                got.push({ name, value });
                if (throwing) throw new Error('subscriber bug');
              });
            let expected = 0;
            for (const m of msgs) {
              const ok = decodePayload(m.name, m.payload).ok;
              if (ok) expected++;
              expect(() => feed(topicFor('ins', 'st-1', m.name), m.payload)).not.toThrow();
            }
            expect(got).toHaveLength(expected);
            expect(mqtt.dropped).toBe(msgs.length - expected);
            for (const g of got) expect(decodePayload(g.name, enc(JSON.stringify(g.value))).ok).toBe(true);
          },
        ),
      );
    },
    T,
  );

  it(
    'assembles binary images from any interleaving of metadata and parts, with a bounded backlog and no image submitted incomplete',
    () => {
      const id = fc.constantFrom('a', 'b', 'c', 'x-1', 'bad id', '', '../x', 'a/b');
      const msg = fc.oneof(
        fc.record({ kind: fc.constant('meta' as const), id, dual: fc.boolean(), junk: fc.boolean() }),
        fc.record({ kind: fc.constant('bin' as const), id, energy: fc.constantFrom('', '/high', '/low', '/mid', '/high/x'), size: fc.integer({ min: 0, max: 40 }) }),
        fc.record({ kind: fc.constant('flood' as const), n: fc.integer({ min: 1, max: 80 }) }),
      );
      fuzz.check(
        'binary image assembly: any interleaving',
        fc.property(fc.array(msg, { maxLength: 20 }), (msgs) => {
          const { mqtt, feed } = offlineClient();
          const jobs: { source: string; high: Uint8Array; low?: Uint8Array | undefined }[] = [];
          const decoder = { submit: (j: (typeof jobs)[number]) => (jobs.push(j), Promise.resolve(null)) } as unknown as ImageDecoder;
          const src = new MqttImageSource(mqtt, decoder, silentLogger, 60_000);
          const metas = new Set<string>();
          const pending = (src as unknown as { pending: Map<string, unknown> }).pending;
          for (const m of msgs) {
            if (m.kind === 'meta') {
              const meta = { id: m.id, dualEnergy: m.dual, ...(m.junk ? { extra: 1 } : {}) };
              feed(topicFor('ins', 'st-1', 'imageMeta'), enc(JSON.stringify(meta)));
              if (!m.junk && /^[A-Za-z0-9_-]{1,64}$/.test(m.id)) metas.add(m.id);
            } else if (m.kind === 'bin') {
              feed(`${filterFor('ins', 'st-1', 'imageBin').slice(0, -1)}${m.id}${m.energy}`, new Uint8Array(m.size).fill(7));
            } else {
              for (let i = 0; i < m.n; i++) feed(`${filterFor('ins', 'st-1', 'imageBin').slice(0, -1)}flood${i}`, Uint8Array.of(1));
            }
            expect(pending.size).toBeLessThanOrEqual(64);
          }
          for (const j of jobs) {
            expect(j.source).toMatch(/^mqtt:scanner\/image\/bin\/[A-Za-z0-9_-]{1,64}$/);
            expect(metas.has(j.source.split('/').at(-1)!)).toBe(true);
          }
        }),
      );
    },
    T,
  );
});
