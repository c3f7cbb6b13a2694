// The reference central service's data: station keys, items held exactly once per
// (station, idempotency key), the live state they feed, and the signed delta stream.
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { canonicalJson } from '../../shared/canonical-json.ts';
import { itemSigningContent, type DeltaBatch, type DeltaItem, type ItemResult, type OutboundItem, type RegisterResponse } from '../../shared/sync-api.ts';
import type { Db } from '../storage/db.ts';
import { keyId, verifyCanonical } from '../sync/keys.ts';

export class ClearanceError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export interface NewDelta {
  kind: DeltaItem['kind'];
  op: DeltaItem['op'];
  key: string;
  data: unknown;
  /** Only this station receives it; absent: every station. */
  stationId?: string | undefined;
  issuedAt?: string | undefined;
}

/** Kinds that describe a subject's current state (a parcel's decision); metrics do not. */
const STATEFUL = new Set(['verdict', 'operator_decision', 'inspection_result']);

function subjectOf(item: OutboundItem): string | undefined {
  if (!STATEFUL.has(item.kind)) return undefined;
  const p = (item.payload ?? {}) as Record<string, unknown>;
  const id = typeof p.logisticsNo === 'string' ? p.logisticsNo : typeof p.scanId === 'string' ? p.scanId : typeof p.verdictId === 'string' ? p.verdictId : item.idemKey;
  return `${item.kind}:${id}`;
}

export function contentHash(item: Pick<OutboundItem, 'idemKey' | 'kind' | 'createdAt' | 'payload'>): string {
  return createHash('sha256').update(canonicalJson(itemSigningContent(item))).digest('hex');
}

export class ClearanceStore {
  readonly db: Db;
  readonly #keys = new Map<string, KeyObject>();
  readonly #s;

  constructor(db: Db) {
    this.db = db;
    this.#s = {
      station: db.prepare<[string], { public_key: string; key_id: string }>('SELECT public_key, key_id FROM station WHERE station_id = ?'),
      addStation: db.prepare('INSERT INTO station (station_id, public_key, key_id, registered_at) VALUES (?, ?, ?, ?)'),
      item: db.prepare<[string, string], { content_hash: string }>('SELECT content_hash FROM item WHERE station_id = ? AND idem_key = ?'),
      addItem: db.prepare(
        'INSERT INTO item (station_id, idem_key, kind, content_hash, payload, signature, historical, created_at, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      live: db.prepare<[string], { created_at: string }>('SELECT created_at FROM live_state WHERE subject = ?'),
      putLive: db.prepare(
        `INSERT INTO live_state (subject, station_id, idem_key, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (subject) DO UPDATE SET station_id = excluded.station_id, idem_key = excluded.idem_key, created_at = excluded.created_at, updated_at = excluded.updated_at`,
      ),
      addDelta: db.prepare('INSERT INTO delta (station_id, kind, op, key, data, issued_at) VALUES (?, ?, ?, ?, ?, ?)'),
      deltas: db.prepare<[number, string, number], { seq: number; kind: DeltaItem['kind']; op: DeltaItem['op']; key: string; data: string; issued_at: string }>(
        'SELECT seq, kind, op, key, data, issued_at FROM delta WHERE seq > ? AND (station_id IS NULL OR station_id = ?) ORDER BY seq LIMIT ?',
      ),
      head: db.prepare<[], { head: number | null }>('SELECT MAX(seq) AS head FROM delta'),
    };
  }

  /** Trust on first use: the first key a station registers is pinned; a different one later is refused. */
  register(stationId: string, publicKeyPem: string, at: string): RegisterResponse {
    let key: KeyObject;
    try {
      key = createPublicKey(publicKeyPem);
    } catch {
      throw new ClearanceError(400, 'BAD_KEY', 'publicKey is not a PEM public key');
    }
    if (key.asymmetricKeyType !== 'ed25519') throw new ClearanceError(400, 'BAD_KEY', `publicKey is ${key.asymmetricKeyType ?? 'unknown'}, expected ed25519`);
    const id = keyId(key);
    const known = this.#s.station.get(stationId);
    if (known) {
      if (known.key_id !== id) throw new ClearanceError(409, 'KEY_MISMATCH', `station ${stationId} is registered with key ${known.key_id}, not ${id}; re-keying needs the central administrator`);
      return { stationId, keyId: id, status: 'known' };
    }
    this.#s.addStation.run(stationId, key.export({ type: 'spki', format: 'pem' }) as string, id, at);
    this.#keys.set(stationId, key);
    return { stationId, keyId: id, status: 'registered' };
  }

  stationKey(stationId: string): KeyObject | undefined {
    let k = this.#keys.get(stationId);
    if (!k) {
      const row = this.#s.station.get(stationId);
      if (!row) return undefined;
      k = createPublicKey(row.public_key);
      this.#keys.set(stationId, k);
    }
    return k;
  }

  /**
   * Stores a batch in one transaction. Same key and same content: duplicate (answered like a
   * success); same key, different content: conflict (the HTTP 409 case); bad signature: rejected.
   */
  storeItems(stationId: string, items: readonly OutboundItem[], at: string): ItemResult[] {
    const key = this.stationKey(stationId);
    if (!key) throw new ClearanceError(403, 'STATION_UNKNOWN', `station ${stationId} has not registered a key; POST /v1/stations/register first`);
    // Signatures are checked before the write transaction so it stays short.
    const valid = items.map((it) => verifyCanonical(key, itemSigningContent(it), it.signature));
    return this.db.transaction(() =>
      items.map((it, i): ItemResult => {
        if (!valid[i]) return { idemKey: it.idemKey, status: 'rejected', error: 'BAD_SIGNATURE: signature does not verify against the registered station key' };
        const hash = contentHash(it);
        const existing = this.#s.item.get(stationId, it.idemKey);
        if (existing) {
          return existing.content_hash === hash
            ? { idemKey: it.idemKey, status: 'duplicate' }
            : { idemKey: it.idemKey, status: 'conflict', error: 'CONFLICT: this key is already held with different content' };
        }
        this.#s.addItem.run(stationId, it.idemKey, it.kind, hash, canonicalJson(it.payload), it.signature, it.historical ? 1 : 0, it.createdAt, at);
        this.#updateLive(stationId, it, at);
        return { idemKey: it.idemKey, status: 'stored' };
      }),
    )();
  }

  #updateLive(stationId: string, it: OutboundItem, at: string): void {
    const subject = subjectOf(it);
    if (subject === undefined) return;
    const cur = this.#s.live.get(subject);
    // Historical items never overwrite live state; live items only move it forward in time.
    if (cur && (it.historical || cur.created_at > it.createdAt)) return;
    this.#s.putLive.run(subject, stationId, it.idemKey, it.createdAt, at);
  }

  appendDeltas(deltas: readonly NewDelta[], at: string): number[] {
    return this.db.transaction(() =>
      deltas.map((d) => Number(this.#s.addDelta.run(d.stationId ?? null, d.kind, d.op, d.key, canonicalJson(d.data ?? null), d.issuedAt ?? at).lastInsertRowid)),
    )();
  }

  /** The page after `cursor` for a station (unsigned; the server signs it). */
  deltaPage(stationId: string, cursor: number, limit: number, at: string): DeltaBatch {
    // One read transaction, so the head cannot move past an item the page did not include.
    const { rows, head } = this.db.transaction(() => ({ rows: this.#s.deltas.all(cursor, stationId, limit + 1), head: this.#s.head.get()?.head ?? 0 }))();
    const more = rows.length > limit;
    const page = rows.slice(0, limit);
    // With nothing (more) for this station, jump to the head so others' items are not rescanned.
    const toCursor = more ? page[page.length - 1]!.seq : Math.max(cursor, head);
    return {
      stationId,
      fromCursor: cursor,
      toCursor,
      more,
      issuedAt: at,
      items: page.map((r) => ({ seq: r.seq, kind: r.kind, op: r.op, key: r.key, data: JSON.parse(r.data) as unknown, issuedAt: r.issued_at })),
    };
  }

  counts(): { stations: number; items: number; deltas: number } {
    const one = (sql: string) => (this.db.prepare(sql).get() as { n: number }).n;
    return { stations: one('SELECT COUNT(*) AS n FROM station'), items: one('SELECT COUNT(*) AS n FROM item'), deltas: one('SELECT COUNT(*) AS n FROM delta') };
  }
}
