// THE console API contract. One list of channels, each with a request and a response schema, and
// one list of pushed events; both transports (WebSocket in headless mode, Electron IPC in the shell)
// carry exactly these messages and validate them with these schemas on both sides.
// Results are data, never exceptions: { ok: true, data } | { ok: false, code, message }.
import { z } from 'zod';
import { ipcChannel as bridgeChannel, type BRIDGE_FUNCTIONS } from './bridge.ts';

export const ROLES = ['operator', 'supervisor', 'admin'] as const;
export const RoleSchema = z.enum(ROLES);
export type Role = z.infer<typeof RoleSchema>;

export const ActionSchema = z.enum(['RELEASE', 'HOLD', 'HOLD_LOCK']);
export const StageSchema = z.enum(['inspecting', 'review', 'committing', 'signalled', 'done']);
const box = z.tuple([z.number(), z.number(), z.number(), z.number()]);
const iso = z.string().min(1);

export const UserSchema = z.strictObject({ name: z.string(), role: RoleSchema });
export type User = z.infer<typeof UserSchema>;

export const ReasonHitSchema = z.object({
  code: z.string(),
  detail: z.string(),
  level: z.enum(['HOLD_LOCK', 'HOLD', 'ALERT']),
  evidence: z.record(z.string(), z.unknown()),
});

export const DetectionDtoSchema = z.object({
  index: z.number().int(),
  label: z.string(),
  score: z.number(),
  box,
  /** match: explains a declared line; undeclared: explains none; flagged: evidence of a HOLD reason. */
  status: z.enum(['match', 'undeclared', 'flagged']),
});
export type DetectionDto = z.infer<typeof DetectionDtoSchema>;

export const DeclaredLineSchema = z.object({
  gnum: z.number().int(),
  itemName: z.string(),
  gname: z.string(),
  gcode: z.string(),
  qty: z.number(),
  unit: z.string(),
  /** match: some detection explains it; unseen: none does (may be fine: not every good shows); flagged: named by a reason. */
  status: z.enum(['match', 'unseen', 'flagged']),
});
export type DeclaredLine = z.infer<typeof DeclaredLineSchema>;

export const ParcelDtoSchema = z.object({
  scanId: z.string(),
  seq: z.number().int().optional(),
  logisticsNo: z.string().optional(),
  barcodes: z.array(z.string()),
  weightKg: z.number().optional(),
  declaredWeightKg: z.number().optional(),
  image: z.object({ sha256: z.string(), width: z.number().int(), height: z.number().int(), format: z.string() }).optional(),
  deadlineAt: z.number(),
  /** While in operator review: when the review window closes and the parcel is held (≤ deadlineAt). */
  reviewUntil: z.number().optional(),
  stage: StageSchema,
  verdict: z
    .object({ action: ActionSchema, reasons: z.array(ReasonHitSchema), ruleSet: z.string(), model: z.string(), review: z.boolean(), sampled: z.boolean() })
    .optional(),
  decision: z.object({ action: ActionSchema, reasons: z.array(z.string()), by: z.enum(['AUTO', 'OPERATOR', 'FAILSAFE']), operatorId: z.string().optional(), note: z.string().optional() }).optional(),
  command: z.enum(['RELEASE', 'HOLD']).optional(),
  ack: z.enum(['ok', 'nak', 'timeout']).optional(),
  detections: z.array(DetectionDtoSchema),
  declared: z.array(DeclaredLineSchema),
  /** Server clock when this state was published (ms); the console measures verdict → screen with it. */
  at: z.number(),
});
export type ParcelDto = z.infer<typeof ParcelDtoSchema>;

export const AlarmSchema = z.object({ scanId: z.string().optional(), code: z.string(), detail: z.string(), at: z.number() });
export type Alarm = z.infer<typeof AlarmSchema>;

export const DeviceStatusSchema = z.object({
  deviceId: z.string(),
  kind: z.string(),
  connected: z.boolean(),
  lastSeen: z.number().nullable(),
  lastError: z.string().nullable(),
  /** Share of the time since the station started that the device was connected, 0..1. */
  uptime: z.number(),
});
export type DeviceStatus = z.infer<typeof DeviceStatusSchema>;

export const SyncStatusSchema = z.object({
  link: z.enum(['unknown', 'online', 'offline', 'not-configured']),
  backlog: z.number().int(),
  oldestPendingAgeMs: z.number().nullable(),
  dataAgeMs: z.number().nullable(),
  lastPushOkAt: z.string().nullable(),
  lastPullOkAt: z.string().nullable(),
  lastError: z.string().nullable(),
});
export type SyncStatus = z.infer<typeof SyncStatusSchema>;

export const HistoryQuerySchema = z.strictObject({
  waybill: z.string().max(64).optional(),
  from: iso.optional(),
  to: iso.optional(),
  action: ActionSchema.optional(),
  reason: z.string().max(8).optional(),
  limit: z.number().int().min(1).max(1000).default(100),
  offset: z.number().int().min(0).default(0),
});
export type HistoryQuery = z.input<typeof HistoryQuerySchema>;

export const HistoryRowSchema = z.object({
  scanId: z.string(),
  logisticsNo: z.string().nullable(),
  createdAt: z.string(),
  action: ActionSchema.nullable(),
  reasons: z.array(z.string()),
  decidedBy: z.string().nullable(),
  operatorId: z.string().nullable(),
  latencyMs: z.number().nullable(),
  divertResult: z.string().nullable(),
});
export type HistoryRow = z.infer<typeof HistoryRowSchema>;

export const AuditRowSchema = z.object({ seq: z.number().int(), at: z.string(), actor: z.string(), kind: z.string(), subject: z.string().nullable(), payload: z.string() });

export const LabelKindSchema = z.enum(['confirm', 'reject', 'add']);
export const LabelSchema = z.object({
  id: z.number().int(),
  scanId: z.string(),
  detectionIndex: z.number().int().nullable(),
  kind: LabelKindSchema,
  label: z.string(),
  box,
  by: z.string(),
  at: z.string(),
});
export type Label = z.infer<typeof LabelSchema>;

export const ParcelDetailSchema = z.object({
  parcel: ParcelDtoSchema,
  createdAt: z.string(),
  verdicts: z.array(
    z.object({ verdictId: z.string(), action: ActionSchema, reasons: z.array(ReasonHitSchema), decidedBy: z.string(), operatorId: z.string().nullable(), decidedAt: z.string(), divertResult: z.string().nullable(), note: z.string().nullable() }),
  ),
  decisions: z.array(z.object({ operatorId: z.string(), action: ActionSchema, reason: z.string().nullable(), at: z.string() })),
  audit: z.array(AuditRowSchema),
  labels: z.array(LabelSchema),
});
export type ParcelDetail = z.infer<typeof ParcelDetailSchema>;

export const StatsSchema = z.object({
  from: z.string(),
  to: z.string(),
  perHour: z.array(z.object({ hour: z.string(), total: z.number().int(), held: z.number().int() })),
  holdRateByReason: z.array(z.object({ code: z.string(), holds: z.number().int(), rate: z.number() })),
  /** Model (AUTO verdict) against what the operator finally did, for parcels an operator decided. */
  alarmsVsOutcome: z.object({ alarmConfirmed: z.number().int(), alarmOverruled: z.number().int(), clearButHeld: z.number().int(), clearReleased: z.number().int() }),
  latency: z.object({ count: z.number().int(), p50: z.number().nullable(), p95: z.number().nullable(), max: z.number().nullable(), buckets: z.array(z.object({ leMs: z.number(), count: z.number().int() })) }),
  devices: z.array(DeviceStatusSchema),
});
export type Stats = z.infer<typeof StatsSchema>;

const empty = z.strictObject({});
const token = z.string().min(16).max(128);

/** Every request channel: request payload and response data schemas. */
export const CHANNELS = {
  'auth.login': { req: z.strictObject({ username: z.string().min(1).max(64), password: z.string().min(1).max(256) }), res: z.object({ token, user: UserSchema }) },
  'auth.resume': { req: z.strictObject({ token }), res: z.object({ user: UserSchema }) },
  'auth.logout': { req: empty, res: empty },
  'line.snapshot': {
    req: empty,
    res: z.object({ station: z.string(), line: z.string(), serverNow: z.number(), parcels: z.array(ParcelDtoSchema), recent: z.array(ParcelDtoSchema) }),
  },
  'line.decide': {
    req: z.strictObject({ scanId: z.string().min(1).max(64), action: ActionSchema, reason: z.string().trim().max(500).optional() }),
    res: z.object({ accepted: z.literal(true) }),
  },
  'parcel.get': { req: z.strictObject({ scanId: z.string().min(1).max(64) }), res: ParcelDetailSchema },
  'image.get': { req: z.strictObject({ sha256: z.string().regex(/^[0-9a-f]{64}$/) }), res: z.object({ mime: z.string(), base64: z.string() }) },
  'history.search': { req: HistoryQuerySchema, res: z.object({ rows: z.array(HistoryRowSchema), total: z.number().int() }) },
  'history.export': { req: HistoryQuerySchema, res: z.object({ filename: z.string(), csv: z.string() }) },
  'stats.get': { req: z.strictObject({ hours: z.number().int().min(1).max(24 * 31).default(24) }), res: StatsSchema },
  'devices.get': { req: empty, res: z.object({ devices: z.array(DeviceStatusSchema), sync: SyncStatusSchema }) },
  'labels.save': {
    req: z.strictObject({ scanId: z.string().min(1).max(64), detectionIndex: z.number().int().min(0).nullable(), kind: LabelKindSchema, label: z.string().min(1).max(40), box }),
    res: z.object({ id: z.number().int() }),
  },
  'labels.export': { req: empty, res: z.object({ dir: z.string(), images: z.number().int(), boxes: z.number().int(), classes: z.array(z.string()) }) },
} as const;

export type Channel = keyof typeof CHANNELS;
export const CHANNEL_NAMES = Object.keys(CHANNELS) as Channel[];
export type ApiRequest<C extends Channel> = z.input<(typeof CHANNELS)[C]['req']>;
export type ApiResponse<C extends Channel> = z.infer<(typeof CHANNELS)[C]['res']>;

export type Result<T> = { ok: true; data: T } | { ok: false; code: string; message: string };

/** Channels a connection may use before it has logged in. */
export const PUBLIC_CHANNELS: ReadonlySet<Channel> = new Set(['auth.login', 'auth.resume']);

/** Events the core pushes to every logged-in console. */
export const EventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('parcel'), parcel: ParcelDtoSchema }),
  z.object({ type: z.literal('alarm'), alarm: AlarmSchema }),
  z.object({ type: z.literal('devices'), devices: z.array(DeviceStatusSchema), sync: SyncStatusSchema }),
]);
export type ConsoleEvent = z.infer<typeof EventSchema>;

// ---- wire framing (WebSocket text frames; the IPC shell passes the same objects) ----

export const RequestFrameSchema = z.strictObject({ id: z.number().int().min(0), channel: z.string().max(40), payload: z.unknown() });
export const ResultSchema = z.union([z.object({ ok: z.literal(true), data: z.unknown() }), z.object({ ok: z.literal(false), code: z.string(), message: z.string() })]);
export const ServerFrameSchema = z.union([z.object({ id: z.number().int(), result: ResultSchema }), z.object({ event: EventSchema })]);

export function isChannel(s: string): s is Channel {
  return Object.hasOwn(CHANNELS, s);
}

/** Validate a request payload; the error message names the channel and the first bad field. */
export function parseRequest<C extends Channel>(channel: C, payload: unknown): Result<z.infer<(typeof CHANNELS)[C]['req']>> {
  const r = CHANNELS[channel].req.safeParse(payload ?? {});
  if (r.success) return { ok: true, data: r.data as z.infer<(typeof CHANNELS)[C]['req']> };
  return { ok: false, code: 'CONSOLE_BAD_REQUEST', message: `${channel}: ${describeIssue(r.error.issues[0])}` };
}

export function parseResponse<C extends Channel>(channel: C, data: unknown): Result<ApiResponse<C>> {
  const r = CHANNELS[channel].res.safeParse(data);
  if (r.success) return { ok: true, data: r.data as ApiResponse<C> };
  return { ok: false, code: 'CONSOLE_BAD_RESPONSE', message: `${channel} response: ${describeIssue(r.error.issues[0])}` };
}

function describeIssue(issue: { path: PropertyKey[]; message: string } | undefined): string {
  if (!issue) return 'invalid';
  const path = issue.path.map(String).join('.');
  return path ? `${path}: ${issue.message}` : issue.message;
}

// ---- the Electron preload bridge: one named function per channel (no raw ipcRenderer) ----

export { BRIDGE_FUNCTIONS, BRIDGE_GLOBAL, IPC_EVENT } from './bridge.ts';
// The bridge names cover exactly the channels: a channel added without its bridge function (or a
// stray name) makes this constant fail to type-check.
type BridgeExact = [Exclude<Channel, keyof typeof BRIDGE_FUNCTIONS>, Exclude<keyof typeof BRIDGE_FUNCTIONS, Channel>] extends [never, never] ? true : never;
export const BRIDGE_COVERS_CHANNELS: BridgeExact = true;

export type StationBridge = {
  [C in Channel as (typeof BRIDGE_FUNCTIONS)[C]]: (payload: ApiRequest<C>) => Promise<Result<ApiResponse<C>>>;
} & {
  /** Subscribe to pushed events; returns the unsubscribe function. */
  onEvent(listener: (e: ConsoleEvent) => void): () => void;
};

/** The IPC channel name for an API channel; the event channel is IPC_EVENT. */
export const ipcChannel = (c: Channel): string => bridgeChannel(c);
