// Wire contract between a station and the central clearance service (docs/sync-api.yaml).
// Both sides validate with these schemas, so a change here is a protocol change: keep
// docs/sync-api.yaml in step. Signatures are Ed25519 over canonicalJson (src/shared/canonical-json.ts).
import { z } from 'zod';

export const SYNC_API_VERSION = 'v1';

/** What a station sends upstream. */
export const OUTBOX_KINDS = ['verdict', 'operator_decision', 'inspection_result', 'metrics'] as const;
export type OutboxKind = (typeof OUTBOX_KINDS)[number];

/** What the central service sends downstream. */
export const DELTA_KINDS = ['aed', 'ceb622', 'control', 'aeo_list', 'risk_list', 'rule_pack', 'model_pack'] as const;
export type DeltaKind = (typeof DELTA_KINDS)[number];

const idemKey = z.string().regex(/^[A-Za-z0-9._:-]{1,128}$/, 'letters, digits and . _ : - only, at most 128');
const stationId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);
const isoTime = z.iso.datetime({ offset: true });
const base64 = z.string().regex(/^[A-Za-z0-9+/]+={0,2}$/, 'not base64');
/** Any JSON value (payloads are opaque to the transport). */
const json: z.ZodType<unknown> = z.json();

export const OutboundItemSchema = z.strictObject({
  idemKey,
  kind: z.enum(OUTBOX_KINDS),
  /** When the station recorded it (the decision time, not the send time). */
  createdAt: isoTime,
  /** Replayed from a backlog: stored centrally, but never overwrites live state. */
  historical: z.boolean(),
  payload: json,
  /** Ed25519 by the station key over canonicalJson({ idemKey, kind, createdAt, payload }), base64. */
  signature: base64,
});
export type OutboundItem = z.output<typeof OutboundItemSchema>;

export const MAX_PUSH_ITEMS = 1000;

export const PushRequestSchema = z.strictObject({
  stationId,
  items: z.array(OutboundItemSchema).min(1).max(MAX_PUSH_ITEMS),
});
export type PushRequest = z.output<typeof PushRequestSchema>;

/**
 * Per item: stored (new), duplicate (same key, same content: already held), conflict (same key,
 * different content: HTTP 409 semantics) or rejected (bad signature or payload). The last two are
 * permanent; a station never resends them.
 */
export const ITEM_STATUSES = ['stored', 'duplicate', 'conflict', 'rejected'] as const;
export type ItemStatus = (typeof ITEM_STATUSES)[number];

export const ItemResultSchema = z.strictObject({
  idemKey,
  status: z.enum(ITEM_STATUSES),
  error: z.string().optional(),
});
export type ItemResult = z.output<typeof ItemResultSchema>;

export const PushResponseSchema = z.strictObject({
  results: z.array(ItemResultSchema),
});
export type PushResponse = z.output<typeof PushResponseSchema>;

export const RegisterRequestSchema = z.strictObject({
  stationId,
  /** SPKI PEM of the station's Ed25519 key. */
  publicKey: z.string().startsWith('-----BEGIN PUBLIC KEY-----'),
});
export type RegisterRequest = z.output<typeof RegisterRequestSchema>;

export const RegisterResponseSchema = z.strictObject({
  stationId,
  keyId: z.string(),
  status: z.enum(['registered', 'known']),
});
export type RegisterResponse = z.output<typeof RegisterResponseSchema>;

export const DeltaItemSchema = z.strictObject({
  /** Position in the central stream; strictly increasing inside a batch. */
  seq: z.number().int().positive(),
  kind: z.enum(DELTA_KINDS),
  op: z.enum(['upsert', 'delete']),
  /** Identity inside its kind (logisticsNo, list entry, pack version...). */
  key: z.string().min(1).max(200),
  data: json,
  issuedAt: isoTime,
});
export type DeltaItem = z.output<typeof DeltaItemSchema>;

/** The signed part of a delta page. `fromCursor` binds it to the position it answers, so an old
 *  signed page replayed later is refused rather than applied twice or out of order. */
export const DeltaBatchSchema = z.strictObject({
  stationId,
  fromCursor: z.number().int().nonnegative(),
  toCursor: z.number().int().nonnegative(),
  more: z.boolean(),
  issuedAt: isoTime,
  items: z.array(DeltaItemSchema),
});
export type DeltaBatch = z.output<typeof DeltaBatchSchema>;

export const DeltaResponseSchema = z.strictObject({
  batch: DeltaBatchSchema,
  /** Ed25519 by the central key over canonicalJson(batch), base64. */
  signature: base64,
});
export type DeltaResponse = z.output<typeof DeltaResponseSchema>;

export const ErrorBodySchema = z.strictObject({
  error: z.strictObject({ code: z.string(), message: z.string() }),
});
export type ErrorBody = z.output<typeof ErrorBodySchema>;

/** Fault injection for tests (reference server and proxy): each rate is a probability per request.
 *  A patch: fields left out keep their current value. */
export const FaultRatesSchema = z.strictObject({
  delay: z.number().min(0).max(1).optional(),
  delayMs: z.number().int().nonnegative().max(60_000).optional(),
  error5xx: z.number().min(0).max(1).optional(),
  /** Connection closed with no answer: half before the request is handled, half after (stored, answer lost). */
  drop: z.number().min(0).max(1).optional(),
  /** Answer cut off part-way (the request was handled). */
  truncate: z.number().min(0).max(1).optional(),
  /** Answer bytes overwritten (the request was handled). */
  garble: z.number().min(0).max(1).optional(),
  seed: z.number().int().nonnegative().optional(),
});
export type FaultRatesPatch = z.output<typeof FaultRatesSchema>;

export interface FaultRates {
  delay: number;
  delayMs: number;
  error5xx: number;
  drop: number;
  truncate: number;
  garble: number;
  seed?: number | undefined;
}

/** The content one item signature covers: everything that identifies and carries it, not transport flags. */
export function itemSigningContent(item: Pick<OutboundItem, 'idemKey' | 'kind' | 'createdAt' | 'payload'>): { idemKey: string; kind: OutboxKind; createdAt: string; payload: unknown } {
  return { idemKey: item.idemKey, kind: item.kind, createdAt: item.createdAt, payload: item.payload };
}
