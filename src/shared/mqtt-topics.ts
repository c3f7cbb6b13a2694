// The station's MQTT topic contract (style-anchors convention 10; documented in docs/mqtt-topics.md).
// Every topic is `<prefix>/<stationId>/<relative>`; payloads are plain JSON (or plain text for
// availability, raw bytes for binary images) so Node-RED, a PLC gateway or mosquitto_sub can take part.
// Inbound payloads are validated here; anything oversized or malformed is dropped with a reason.
import { z } from 'zod';

export type QoS = 0 | 1 | 2;

/** Who publishes: the station (`out`) or a device / gateway (`in`). */
export type Direction = 'in' | 'out';

const millis = z.number().int().nonnegative();
const parcelId = z.number().int().min(0).max(999_999);
const code = z.string().min(1).max(256);

export const AvailabilitySchema = z.enum(['online', 'offline', 'stopped']);
export type Availability = z.infer<typeof AvailabilitySchema>;

export const BarcodeScanSchema = z.union([
  // seq: the tunnel photo-eye number, when the reader is triggered by the scanner (integrated tunnels).
  z.strictObject({ code, symbology: z.string().max(8).optional(), at: millis.optional(), deviceId: z.string().max(64).optional(), seq: z.number().int().nonnegative().optional() }),
  z.strictObject({ noread: z.literal(true), at: millis.optional(), deviceId: z.string().max(64).optional(), seq: z.number().int().nonnegative().optional() }),
]);

/** Standard base64 with optional padding. A plain loop: a regex over a 2 MB image string costs ~30 ms. */
export function isBase64(s: string): boolean {
  let end = s.length;
  if (end > 0 && s.charCodeAt(end - 1) === 61) end--;
  if (end > 0 && s.charCodeAt(end - 1) === 61) end--;
  for (let i = 0; i < end; i++) {
    const c = s.charCodeAt(i);
    const ok = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 47;
    if (!ok) return false;
  }
  return true;
}
const base64 = z.string().refine(isBase64, 'not base64');
export const ImageJsonSchema = z.strictObject({
  seq: z.number().int().nonnegative().optional(),
  at: millis.optional(),
  format: z.enum(['png', 'jpeg', 'tiff', 'pnm']).optional().describe('Informative; the decoder reads the header'),
  image: base64.describe('The (high-energy) image, base64'),
  low: base64.optional().describe('Dual-energy low image, base64'),
});

export const ImageMetaSchema = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
  seq: z.number().int().nonnegative().optional(),
  at: millis.optional(),
  dualEnergy: z.boolean().default(false),
});

export const ConveyorCommandSchema = z.strictObject({
  parcelId,
  command: z.enum(['RELEASE', 'HOLD']),
  seq: z.number().int().nonnegative(),
  deadline: millis.optional(),
  at: millis,
});

export const ConveyorAckSchema = z.strictObject({
  parcelId,
  command: z.enum(['RELEASE', 'HOLD']),
  seq: z.number().int().nonnegative().optional(),
  ok: z.boolean(),
  at: millis.optional(),
});

export const HeartbeatSchema = z.strictObject({
  seq: z.number().int().nonnegative(),
  at: millis,
  /** Conveyor only: true while it diverts everything because the station went silent. */
  failsafe: z.boolean().optional(),
});

export const DeviceHealthSchema = z.strictObject({
  deviceId: z.string(),
  kind: z.enum(['barcode', 'scanner', 'scale', 'conveyor']),
  connected: z.boolean(),
  lastSeen: millis.nullable(),
  lastError: z.string().nullable(),
  attempts: z.number().int().nonnegative(),
  at: millis,
});

// ---- line events (station → console, dashboards, a site MES): informative, never the durable record ----
const stage = z.enum(['inspecting', 'review', 'committing', 'signalled', 'done']);
const lineAction = z.enum(['RELEASE', 'HOLD', 'HOLD_LOCK']);
const scanId = z.string().min(1).max(64);

export const ParcelUpdateSchema = z.strictObject({
  scanId,
  stage,
  seq: z.number().int().nonnegative().optional(),
  logisticsNo: z.string().max(64).optional(),
  barcodes: z.array(z.string().max(256)).max(16),
  weightKg: z.number().nonnegative().optional(),
  imageSha256: z.string().regex(/^[0-9a-f]{64}$/).optional(),
  deadlineAt: millis,
  action: lineAction.optional().describe('The committed decision, once there is one'),
  reasons: z.array(z.string().max(8)).max(32).optional(),
  command: z.enum(['RELEASE', 'HOLD']).optional(),
  ack: z.enum(['ok', 'nak', 'timeout']).optional(),
  at: millis,
});

export const VerdictEventSchema = z.strictObject({
  scanId,
  logisticsNo: z.string().max(64).optional(),
  action: lineAction,
  command: z.enum(['RELEASE', 'HOLD']),
  decidedBy: z.enum(['AUTO', 'OPERATOR', 'FAILSAFE']),
  operatorId: z.string().max(64).optional(),
  reasons: z.array(z.strictObject({ code: z.string().max(8), level: z.enum(['HOLD_LOCK', 'HOLD', 'ALERT']), detail: z.string().max(500) })).max(32),
  ruleSet: z.string().max(64).optional(),
  model: z.string().max(128).optional(),
  at: millis,
});

export const AlarmEventSchema = z.strictObject({
  code: z.string().min(1).max(64),
  detail: z.string().max(1000),
  scanId: scanId.optional(),
  at: millis,
});

const percentiles = z.strictObject({ count: z.number().int().nonnegative(), p50: z.number().nullable(), p99: z.number().nullable(), max: z.number() });
export const LineMetricsSchema = z.strictObject({
  parcelsClosed: z.number().int().nonnegative(),
  inFlight: z.number().int().nonnegative(),
  commands: z.strictObject({ RELEASE: z.number().int().nonnegative(), HOLD: z.number().int().nonnegative() }),
  holdsByReason: z.record(z.string(), z.number().int().nonnegative()),
  alarms: z.record(z.string(), z.number().int().nonnegative()),
  deadlineMisses: z.number().int().nonnegative(),
  latencyMs: percentiles.describe('Image received → conveyor command published'),
  inferenceMs: percentiles,
  outboxDepth: z.number().int().nonnegative(),
  at: millis,
});

interface TopicBase {
  /** Relative topic; `+id` marks a single-level parameter. */
  relative: string;
  direction: Direction;
  qos: QoS;
  retain: boolean;
  maxBytes: number;
  description: string;
}
export type TopicSpec =
  | (TopicBase & { payload: 'json'; schema: z.ZodType })
  | (TopicBase & { payload: 'text'; schema: z.ZodType })
  | (TopicBase & { payload: 'binary' });

const KB = 1024;
const MB = 1024 * KB;

export const TOPICS = {
  status: { relative: 'status', direction: 'out', qos: 1, retain: true, maxBytes: 16, payload: 'text', schema: AvailabilitySchema, description: 'Station availability: LWT `offline`, `online` on every (re)connect, `stopped` on clean exit' },
  barcodeScan: { relative: 'barcode/scan', direction: 'in', qos: 1, retain: false, maxBytes: 1 * KB, payload: 'json', schema: BarcodeScanSchema, description: 'A barcode read (or no-read) from an MQTT reader or gateway' },
  imageJson: { relative: 'scanner/image', direction: 'in', qos: 1, retain: false, maxBytes: 96 * MB, payload: 'json', schema: ImageJsonSchema, description: 'An X-ray image as JSON with base64 data' },
  imageMeta: { relative: 'scanner/image/meta', direction: 'in', qos: 1, retain: false, maxBytes: 1 * KB, payload: 'json', schema: ImageMetaSchema, description: 'Metadata for a binary image sent on scanner/image/bin/<id>[/high|/low]' },
  imageBin: { relative: 'scanner/image/bin/#', direction: 'in', qos: 1, retain: false, maxBytes: 64 * MB, payload: 'binary', description: 'Binary image bytes (PNG/JPEG/TIFF), id (and energy) in the topic' },
  conveyorCommand: { relative: 'conveyor/command', direction: 'out', qos: 1, retain: false, maxBytes: 512, payload: 'json', schema: ConveyorCommandSchema, description: 'RELEASE or HOLD for one parcel' },
  conveyorAck: { relative: 'conveyor/ack', direction: 'in', qos: 1, retain: false, maxBytes: 512, payload: 'json', schema: ConveyorAckSchema, description: 'The conveyor acknowledges a command' },
  stationHeartbeat: { relative: 'heartbeat', direction: 'out', qos: 0, retain: false, maxBytes: 256, payload: 'json', schema: HeartbeatSchema, description: 'Station heartbeat; the conveyor holds everything after N missed' },
  conveyorHeartbeat: { relative: 'conveyor/heartbeat', direction: 'in', qos: 0, retain: false, maxBytes: 256, payload: 'json', schema: HeartbeatSchema, description: 'Conveyor heartbeat; the station marks the conveyor down after N missed' },
  deviceHealth: { relative: 'devices/+id/health', direction: 'out', qos: 1, retain: true, maxBytes: 2 * KB, payload: 'json', schema: DeviceHealthSchema, description: 'Health of one device (connected, last seen, last error)' },
  parcelUpdate: { relative: 'line/parcel', direction: 'out', qos: 1, retain: false, maxBytes: 4 * KB, payload: 'json', schema: ParcelUpdateSchema, description: 'A parcel changed stage (correlated, review, signalled, done)' },
  verdict: { relative: 'line/verdict', direction: 'out', qos: 1, retain: false, maxBytes: 32 * KB, payload: 'json', schema: VerdictEventSchema, description: 'A committed verdict, published as its conveyor command leaves' },
  alarm: { relative: 'line/alarm', direction: 'out', qos: 1, retain: false, maxBytes: 2 * KB, payload: 'json', schema: AlarmEventSchema, description: 'A line alarm (missed deadline, missing ack, pipeline fault)' },
  lineMetrics: { relative: 'line/metrics', direction: 'out', qos: 0, retain: true, maxBytes: 8 * KB, payload: 'json', schema: LineMetricsSchema, description: 'Line counters and latency percentiles, every few seconds' },
} as const satisfies Record<string, TopicSpec>;

export type TopicName = keyof typeof TOPICS;

/** `<prefix>/<stationId>/<relative>` with `+id`-style parameters filled in. */
export function topicFor(prefix: string, stationId: string, name: TopicName, params: Record<string, string> = {}): string {
  const rel = TOPICS[name].relative.replace(/\+([a-z]+)/g, (_m, p: string) => {
    const v = params[p];
    if (v === undefined || /[+#/]/.test(v) || v === '') throw new Error(`topic ${name}: parameter ${p} missing or invalid`);
    return v;
  });
  return `${prefix}/${stationId}/${rel}`;
}

/** The subscription filter for a topic (parameters become `+`). */
export function filterFor(prefix: string, stationId: string, name: TopicName): string {
  return `${prefix}/${stationId}/${TOPICS[name].relative.replace(/\+[a-z]+/g, '+')}`;
}

/** MQTT wildcard match of a concrete topic against a filter. */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}

export type Decoded<T> = { ok: true; value: T } | { ok: false; reason: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Validates an inbound payload against its topic: size first, then UTF-8, JSON and the schema. */
export function decodePayload(name: TopicName, payload: Uint8Array): Decoded<unknown> {
  const spec: TopicSpec = TOPICS[name];
  if (payload.byteLength > spec.maxBytes) return { ok: false, reason: `${payload.byteLength} bytes exceeds the ${spec.maxBytes}-byte limit of ${spec.relative}` };
  if (spec.payload === 'binary') return { ok: true, value: payload };
  let text: string;
  try {
    text = utf8.decode(payload);
  } catch {
    return { ok: false, reason: 'payload is not UTF-8' };
  }
  let value: unknown = text;
  if (spec.payload === 'json') {
    try {
      value = JSON.parse(text);
    } catch {
      return { ok: false, reason: 'payload is not JSON' };
    }
  }
  const r = spec.schema.safeParse(value);
  if (!r.success) {
    const i = r.error.issues[0];
    return { ok: false, reason: `schema: ${i ? `${i.path.join('.') || '(root)'}: ${i.message}` : 'invalid'}` };
  }
  return { ok: true, value: r.data };
}
