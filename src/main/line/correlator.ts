// Pairs barcode reads, tunnel events, images and weights into parcels (pure reducer: state + event
// → state + outputs). The scanner's tunnel sequence number is the primary key when it has one;
// otherwise events are matched by time, using where the reader and scale stand relative to the
// tunnel (belt geometry). Anything that cannot be paired with confidence is flagged so the rules
// hold the parcel (S01 no/multiple reads, S02 tracking lost).

export type ParcelIssue =
  /** No barcode read (or only NOREADs) for this parcel. S01 */
  | 'NO_READ'
  /** More than one distinct waybill number read for this parcel. S01 */
  | 'MULTI_READ'
  /** The tunnel saw the parcel but no image arrived in time. S02 */
  | 'NO_IMAGE'
  /** A read or weight fell between two parcels and could belong to either. S02 */
  | 'AMBIGUOUS'
  /** The image arrived without a tunnel event (photo-eye sequence broken). S02 */
  | 'SEQ_GAP';

export interface ReadEvidence {
  code: string;
  valid: boolean;
  at: number;
}

export interface CorrelatedParcel<Img> {
  /** Station-side parcel number, increasing. */
  id: number;
  seq?: number;
  tunnelInAt?: number;
  tunnelOutAt?: number;
  imageAt?: number;
  image?: Img;
  reads: ReadEvidence[];
  noReads: number;
  weightKg?: number;
  issues: ParcelIssue[];
  /** When this parcel stops waiting for late evidence. */
  closeBy: number;
}

export type CorrelatorEvent<Img> =
  | { type: 'tunnel'; kind: 'in' | 'out'; seq: number; at: number }
  | { type: 'image'; seq?: number; at: number; image: Img }
  // `seq` is set when the reader or scale is triggered by the scanner's photo-eye and tags its
  // result with the tunnel sequence number (integrated tunnels): then time does not matter.
  | { type: 'read'; code: string; valid: boolean; at: number; seq?: number }
  | { type: 'noread'; at: number; seq?: number }
  | { type: 'weight'; kg: number; stable: boolean; at: number; seq?: number }
  | { type: 'tick'; now: number };

export type CorrelatorOutput<Img> =
  /** The image is attached: inference can start while the rest of the evidence arrives. */
  | { type: 'image'; parcel: CorrelatedParcel<Img> }
  /** No more evidence will be attached: decide. */
  | { type: 'closed'; parcel: CorrelatedParcel<Img> }
  /** Evidence that matched no open parcel (logged and counted, never silently dropped). */
  | { type: 'orphan'; event: Exclude<CorrelatorEvent<Img>, { type: 'tick' }>; why: string };

export interface CorrelatorConfig {
  /** How long a parcel waits after tunnel exit / image for late evidence. */
  windowMs: number;
  /**
   * Expected (barcode read time − reference time of its parcel); negative when the reader stands
   * before the tunnel. The reference time is tunnel entry, or image arrival without tunnel events.
   */
  readOffsetMs: number;
  /** Expected (weight time − reference time). */
  weightOffsetMs: number;
  /** How far from its expected time a read or weight may land and still be matched. */
  toleranceMs: number;
  /** A second candidate parcel closer than this to the best one makes the evidence ambiguous. */
  ambiguityMs: number;
  /** A parcel that entered the tunnel but never left it is closed (and held) after this long. */
  maxInTunnelMs: number;
  /** Whether the scanner reports tunnel events; without them images open parcels. */
  tunnelEvents: boolean;
  /** Whether a weight is expected (a scale is on the line). */
  expectWeight: boolean;
}

type Evidence<Img> = Extract<CorrelatorEvent<Img>, { type: 'read' | 'noread' | 'weight' }>;

export interface CorrelatorState<Img> {
  nextId: number;
  open: CorrelatedParcel<Img>[];
  /** Reads and weights not yet assigned: a nearer parcel may still enter the tunnel. */
  pending: Evidence<Img>[];
  /** Sequence numbers of parcels closed lately, so late evidence for them is not taken for a new parcel. */
  closedSeqs: number[];
}

const CLOSED_MEMORY = 512;

export function emptyCorrelator<Img>(): CorrelatorState<Img> {
  return { nextId: 1, open: [], pending: [], closedSeqs: [] };
}

/** Correlator configuration from belt geometry (reader and scale stand `barcodeToTunnelM` before the tunnel). */
export function correlatorConfigFromBelt(opts: {
  beltSpeedMps: number;
  barcodeToTunnelM: number;
  correlationWindowMs: number;
  tunnelEvents: boolean;
  expectWeight: boolean;
}): CorrelatorConfig {
  const offset = -Math.round((opts.barcodeToTunnelM / opts.beltSpeedMps) * 1000);
  return {
    windowMs: opts.correlationWindowMs,
    readOffsetMs: offset,
    weightOffsetMs: offset,
    toleranceMs: opts.correlationWindowMs,
    ambiguityMs: Math.max(50, Math.round(opts.correlationWindowMs / 10)),
    maxInTunnelMs: 15_000,
    tunnelEvents: opts.tunnelEvents,
    expectWeight: opts.expectWeight,
  };
}

type Out<Img> = CorrelatorOutput<Img>[];

export function correlate<Img>(
  state: CorrelatorState<Img>,
  event: CorrelatorEvent<Img>,
  cfg: CorrelatorConfig,
): { state: CorrelatorState<Img>; out: Out<Img> } {
  const s: CorrelatorState<Img> = { nextId: state.nextId, open: state.open.map(cloneParcel), pending: [...state.pending], closedSeqs: state.closedSeqs };
  const out: Out<Img> = [];
  if (event.type === 'tunnel') onTunnel(s, event, cfg, out);
  else if (event.type === 'image') onImage(s, event, cfg, out);
  else if (event.type !== 'tick') s.pending.push(event);
  const now = event.type === 'tick' ? event.now : event.at;
  resolvePending(s, now, cfg, out);
  closeDue(s, now, cfg, out);
  return { state: s, out };
}

function cloneParcel<Img>(p: CorrelatedParcel<Img>): CorrelatedParcel<Img> {
  return { ...p, reads: [...p.reads], issues: [...p.issues] };
}

function openParcel<Img>(s: CorrelatorState<Img>, fields: Partial<CorrelatedParcel<Img>>, closeBy: number): CorrelatedParcel<Img> {
  const p: CorrelatedParcel<Img> = { id: s.nextId++, reads: [], noReads: 0, issues: [], closeBy, ...fields };
  s.open.push(p);
  return p;
}

function onTunnel<Img>(s: CorrelatorState<Img>, e: Extract<CorrelatorEvent<Img>, { type: 'tunnel' }>, cfg: CorrelatorConfig, out: Out<Img>): void {
  const existing = s.open.find((p) => p.seq === e.seq);
  if (e.kind === 'in') {
    if (existing) out.push({ type: 'orphan', event: e, why: `tunnel sequence ${e.seq} entered twice` });
    else openParcel(s, { seq: e.seq, tunnelInAt: e.at }, e.at + cfg.maxInTunnelMs);
    return;
  }
  if (!existing) {
    out.push({ type: 'orphan', event: e, why: `tunnel exit ${e.seq} without an entry` });
    return;
  }
  existing.tunnelOutAt = e.at;
  existing.closeBy = Math.max(e.at, existing.imageAt ?? e.at) + cfg.windowMs;
}

function onImage<Img>(s: CorrelatorState<Img>, e: Extract<CorrelatorEvent<Img>, { type: 'image' }>, cfg: CorrelatorConfig, out: Out<Img>): void {
  let target: CorrelatedParcel<Img> | undefined;
  if (e.seq !== undefined) target = s.open.find((p) => p.seq === e.seq && p.image === undefined);
  // Without a sequence number images queue in photo-eye order: the oldest parcel still waiting for one.
  else target = s.open.find((p) => p.image === undefined && p.tunnelInAt !== undefined);
  if (!target && e.seq !== undefined && s.closedSeqs.includes(e.seq)) {
    // Its parcel already closed without an image (and was held): do not invent a second parcel.
    out.push({ type: 'orphan', event: e, why: `image for tunnel sequence ${e.seq} arrived after its parcel was closed` });
    return;
  }
  if (!target) {
    const issues: ParcelIssue[] = cfg.tunnelEvents ? ['SEQ_GAP'] : [];
    target = openParcel(s, { ...(e.seq !== undefined ? { seq: e.seq } : {}), tunnelInAt: e.at, issues }, e.at + cfg.windowMs);
  }
  target.image = e.image;
  target.imageAt = e.at;
  target.closeBy = cfg.tunnelEvents && target.tunnelOutAt === undefined ? target.closeBy : Math.max(e.at, target.tunnelOutAt ?? e.at) + cfg.windowMs;
  out.push({ type: 'image', parcel: cloneParcel(target) });
}

const offsetOf = <Img>(e: Evidence<Img>, cfg: CorrelatorConfig): number => (e.type === 'weight' ? cfg.weightOffsetMs : cfg.readOffsetMs);

/**
 * Assigns a pending read or weight once no parcel that has yet to enter the tunnel could be nearer
 * to it than the best current candidate, or when its matching window has closed.
 */
function resolvePending<Img>(s: CorrelatorState<Img>, now: number, cfg: CorrelatorConfig, out: Out<Img>): void {
  const keep: Evidence<Img>[] = [];
  for (const e of s.pending) {
    if (e.seq !== undefined) {
      const p = s.open.find((x) => x.seq === e.seq);
      if (p) assign(p, e);
      else if (now - e.at > cfg.maxInTunnelMs) out.push({ type: 'orphan', event: e, why: `no parcel with tunnel sequence ${e.seq}` });
      else keep.push(e);
      continue;
    }
    const expected = e.at - offsetOf(e, cfg); // when its parcel should have entered the tunnel
    const candidates = s.open
      .filter((p) => p.tunnelInAt !== undefined)
      .map((p) => ({ p, d: Math.abs(p.tunnelInAt! - expected) }))
      .filter((c) => c.d <= cfg.toleranceMs)
      .sort((a, b) => a.d - b.d);
    const best = candidates[0];
    const futureNearest = Math.max(0, now - expected);
    const windowClosed = now >= expected + cfg.toleranceMs;
    if (best && (best.d + cfg.ambiguityMs <= futureNearest || windowClosed)) {
      const second = candidates[1];
      if (second && second.d - best.d < cfg.ambiguityMs) {
        for (const c of [best.p, second.p]) if (!c.issues.includes('AMBIGUOUS')) c.issues.push('AMBIGUOUS');
      }
      assign(best.p, e);
    } else if (!best && windowClosed) {
      out.push({ type: 'orphan', event: e, why: 'no parcel in the tunnel matches the time of this reading' });
    } else keep.push(e);
  }
  s.pending = keep;
}

function assign<Img>(p: CorrelatedParcel<Img>, e: Evidence<Img>): void {
  if (e.type === 'read') {
    if (!p.reads.some((r) => r.code === e.code)) p.reads.push({ code: e.code, valid: e.valid, at: e.at });
  } else if (e.type === 'noread') {
    p.noReads++;
  } else if (e.stable || p.weightKg === undefined) {
    p.weightKg = e.kg;
  }
}

/** Everything expected is here and no pending reading could still belong to this parcel. */
function complete<Img>(s: CorrelatorState<Img>, p: CorrelatedParcel<Img>, cfg: CorrelatorConfig): boolean {
  if (p.image === undefined || (cfg.tunnelEvents && p.tunnelOutAt === undefined)) return false;
  if (p.reads.length === 0 || (cfg.expectWeight && p.weightKg === undefined)) return false;
  return !s.pending.some((e) => (e.seq !== undefined ? e.seq === p.seq : Math.abs(p.tunnelInAt! - (e.at - offsetOf(e, cfg))) <= cfg.toleranceMs));
}

/**
 * The station is stopping and no more evidence will come: every open parcel closes now with what it
 * has (a missing image or read holds it, as at its window's end); readings not yet assigned are dropped.
 */
export function closeAllOpen<Img>(state: CorrelatorState<Img>, cfg: CorrelatorConfig): { state: CorrelatorState<Img>; out: Out<Img> } {
  const s: CorrelatorState<Img> = { nextId: state.nextId, open: state.open.map(cloneParcel), pending: [], closedSeqs: state.closedSeqs };
  const out: Out<Img> = [];
  closeDue(s, Infinity, cfg, out);
  return { state: s, out };
}

function closeDue<Img>(s: CorrelatorState<Img>, now: number, cfg: CorrelatorConfig, out: Out<Img>): void {
  const keep: CorrelatedParcel<Img>[] = [];
  for (const p of s.open) {
    if (now >= p.closeBy || complete(s, p, cfg)) {
      const validCodes = new Set(p.reads.filter((r) => r.valid).map((r) => r.code));
      if (validCodes.size === 0) p.issues.push('NO_READ');
      if (validCodes.size > 1) p.issues.push('MULTI_READ');
      if (p.image === undefined) p.issues.push('NO_IMAGE');
      if (p.seq !== undefined) s.closedSeqs = [...s.closedSeqs.slice(-(CLOSED_MEMORY - 1)), p.seq];
      out.push({ type: 'closed', parcel: p });
    } else keep.push(p);
  }
  s.open = keep;
}

/** The logisticsNo to look up: the one valid code, if exactly one was read. */
export function chosenWaybill(p: CorrelatedParcel<unknown>): string | undefined {
  const codes = [...new Set(p.reads.filter((r) => r.valid).map((r) => r.code))];
  return codes.length === 1 ? codes[0] : undefined;
}
