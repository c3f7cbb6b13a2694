// The inspection line at run time: device events → correlator → inspection (started as soon as the
// image is attached) → declaration lookup → rules → parcel state machine → durable verdict → conveyor
// command → ack. The pure parts decide; this file only carries out their effects, and turns every
// exception on the parcel path into a fail-safe HOLD.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Declaration } from '../../shared/domain/aed.ts';
import type { InspectionOutput } from '../../shared/domain/detection.ts';
import type { Action } from '../../shared/domain/reasons.ts';
import type { ReasonHit, Verdict } from '../../shared/domain/verdict.ts';
import type { DecisionInput, InspectionFailure } from '../rules/types.ts';
import { errorMessage, isStationError } from '../../shared/errors.ts';
import { imageRelPath, sha256Hex, storeImage } from '../storage/images.ts';
import { chosenWaybill, closeAllOpen, correlate, emptyCorrelator, type CorrelatedParcel, type CorrelatorConfig, type CorrelatorEvent } from './correlator.ts';
import { initialState, recoverAfterRestart, transition, type Command, type Decision, type MachineTiming, type ParcelInput, type ParcelState } from './parcel-machine.ts';
import type { ImageRecord, NewParcel, ParcelRepository, ParcelStateKind, VerdictRecord } from './repository.ts';
import { LatencyStats } from './stats.ts';

export interface LineImage {
  encoded: Uint8Array;
  format: string;
  width: number;
  height: number;
  /** Line time the station held the whole image; latency starts here (else at the image's own stamp). */
  receivedAt?: number;
}

/** Where the line's latency starts for a parcel: image received, or the scanner's stamp without a receipt time. */
const latencyOrigin = (p: CorrelatedParcel<LineImage>): number | undefined => p.image?.receivedAt ?? p.imageAt;

export interface ConveyorPort {
  send(cmd: { parcelId: number; command: Command; seq: number; deadline?: number }): Promise<{ command: Command; ok: boolean }>;
}

export interface LineDeps {
  stationId: string;
  lineId: string;
  repo: ParcelRepository;
  imagesDir: string;
  inspect(image: LineImage): Promise<InspectionOutput>;
  lookup(logisticsNo: string): Declaration[];
  decide(input: DecisionInput): Verdict;
  conveyor: ConveyorPort;
  online(): boolean;
  now(): number;
  newId(): string;
  correlator: CorrelatorConfig;
  /** From tunnel exit (or image arrival) to the last moment a command may leave. */
  deadlineMs: number;
  timing: MachineTiming;
  onEvent?(e: LineEvent): void;
  /** Where one parcel's latency went, as its command leaves (`station bench --trace`). */
  onTiming?(t: ParcelTiming): void;
}

/** One parcel's path from image receipt to its command, ms (stage meanings as LineMetrics.stagesMs). */
export interface ParcelTiming {
  scanId: string;
  seq?: number;
  command: Command;
  latencyMs: number;
  /** Receipt → parcel closed by the correlator. */
  correlateMs?: number;
  /** Receipt → detections back (queue, decode, model, output decoding). */
  inspectMs?: number;
  waitMs?: number;
  preprocessMs?: number;
  inferenceMs?: number;
  /** Detections back → verdict commit starts; the commit; committed → command handed over. */
  decideMs?: number;
  commitMs?: number;
  sendMs?: number;
}

export interface ParcelView {
  scanId: string;
  seq?: number;
  logisticsNo?: string;
  barcodes: string[];
  weightKg?: number;
  imageSha256?: string;
  deadlineAt: number;
  /** In operator review: when the window closes and the parcel is held (never after deadlineAt). */
  reviewUntil?: number;
  stage: ParcelStateKind;
  verdict?: Verdict;
  decision?: Decision;
  command?: Command;
  ack?: 'ok' | 'nak' | 'timeout';
}

export type LineEvent =
  | { type: 'parcel'; parcel: ParcelView; at: number }
  | { type: 'alarm'; scanId?: string; code: string; detail: string; at: number }
  | { type: 'orphan'; why: string; at: number };

export interface LineMetrics {
  closed: number;
  commands: { RELEASE: number; HOLD: number };
  /** Image received → command handed to the conveyor transport, ms. */
  latencyMs: LatencyStats;
  inferenceMs: LatencyStats;
  /**
   * Where the latency goes, per parcel, ms. Before it starts: transfer (the scanner's own stamp →
   * the station holds the whole image; not part of the latency). Then, from receipt: attach (→ its
   * inspection starts: header checks, correlation), correlate (→ parcel closed), inspect (→
   * detections back, decoding and queueing included; of which preprocess = decode + letterbox +
   * tensor, wait = the worker round trip less the inference itself), decide (detections → verdict commit starts),
   * commit (the durable verdict transaction), send (committed → command handed to the conveyor transport).
   */
  stagesMs: Record<'transfer' | 'attach' | 'correlate' | 'inspect' | 'preprocess' | 'wait' | 'decide' | 'commit' | 'send', LatencyStats>;
  deadlineMisses: number;
  alarms: Record<string, number>;
  holdsByReason: Record<string, number>;
}

interface Ctx {
  view: ParcelView;
  state: ParcelState;
  conveyorId: number;
  /** Latency origin: image received (latencyOrigin). */
  imageAt?: number;
  /** Stage timestamps for metrics.stagesMs. */
  closedAt?: number;
  inspectedAt?: number;
  decidingAt?: number;
  committedAt?: number;
  /** The inspection's own split (ParcelTiming). */
  inspectSplit?: { waitMs?: number; preprocessMs?: number; inferenceMs: number };
  /** Detections not yet written: they go in the verdict's own transaction (one fsync fewer before the command). */
  detections?: { model: string; list: InspectionOutput['detections'] };
  verdictId?: string;
  done: boolean;
  /** The parcel row could not be written (full disk…): written with its HOLD verdict once storage is back. */
  unwritten?: NewParcel;
}

/** Retry period for records the disk refused (their HOLD already left). */
const RECORD_RETRY_MS = 1000;
const MAX_UNRECORDED = 10_000;
const DRAIN_TICK_MS = 20;

const toIso = (ms: number): string => new Date(ms).toISOString();

export function emptyLineMetrics(capacity = 65_536): LineMetrics {
  const stage = (): LatencyStats => new LatencyStats(Math.min(capacity, 8192));
  return {
    closed: 0,
    commands: { RELEASE: 0, HOLD: 0 },
    latencyMs: new LatencyStats(capacity),
    inferenceMs: new LatencyStats(capacity),
    stagesMs: { transfer: stage(), attach: stage(), correlate: stage(), inspect: stage(), preprocess: stage(), wait: stage(), decide: stage(), commit: stage(), send: stage() },
    deadlineMisses: 0,
    alarms: {},
    holdsByReason: {},
  };
}

export class LineRuntime {
  private readonly deps: LineDeps;
  private corr = emptyCorrelator<LineImage>();
  private readonly inspections = new Map<number, Promise<InspectionOutput | InspectionFailure>>();
  private readonly active = new Map<string, Ctx>();
  private commandSeq = 1;
  readonly metrics: LineMetrics = emptyLineMetrics();
  /** Parcel processing still running (awaited by stop() and tests). */
  private readonly pending = new Set<Promise<void>>();
  /** HOLD verdicts sent but not yet recorded (storage failed), oldest first; retried from tick(). */
  private readonly unrecorded: { record: VerdictRecord; parcel?: NewParcel }[] = [];
  private nextRecordRetry = 0;
  /** Set by drain(): device events after it are counted in ignoredAfterStop, not correlated. */
  private intakeClosed = false;
  private ignoredAfterStop = 0;
  private lastEventAt = 0;

  constructor(deps: LineDeps) {
    this.deps = deps;
  }

  /** A device event (already typed by the drivers). */
  feed(event: CorrelatorEvent<LineImage>): void {
    if (event.type !== 'tick') {
      if (this.intakeClosed) {
        this.ignoredAfterStop++;
        return;
      }
      this.lastEventAt = performance.now();
    }
    let r;
    try {
      r = correlate(this.corr, event, this.deps.correlator);
    } catch (e) {
      this.alarm(undefined, 'CORRELATOR_FAULT', errorMessage(e));
      return;
    }
    this.corr = r.state;
    for (const o of r.out) {
      if (o.type === 'image') this.startInspection(o.parcel);
      else if (o.type === 'closed') this.track(this.processClosed(o.parcel));
      else this.emit({ type: 'orphan', why: o.why, at: this.deps.now() });
    }
  }

  /** Advance timers: correlation windows, review windows, deadlines, ack timeouts. */
  tick(): void {
    const now = this.deps.now();
    this.feed({ type: 'tick', now });
    for (const ctx of this.active.values()) this.apply(ctx, { type: 'tick', now });
    if (this.unrecorded.length > 0 && now >= this.nextRecordRetry) {
      this.nextRecordRetry = now + RECORD_RETRY_MS;
      this.recordLate();
    }
  }

  /** Held parcels whose records the disk refused: written as soon as it takes them again. */
  private recordLate(): void {
    while (this.unrecorded.length > 0) {
      const entry = this.unrecorded[0]!;
      const { record } = entry;
      try {
        if (entry.parcel) {
          this.deps.repo.createParcel(entry.parcel);
          delete entry.parcel;
        }
        this.deps.repo.commitVerdict(record, 'done');
      } catch {
        return; // still failing: next period
      }
      this.unrecorded.shift();
      this.alarm(record.scanId, 'RECORDED_LATE', `HOLD recorded ${Math.round((this.deps.now() - Date.parse(record.decidedAt)) / 1000)} s after it was sent, once storage took it again`);
    }
  }

  /** An operator's key press. Returns the refusals (empty when accepted). */
  operator(scanId: string, action: Action, operatorId: string, opts: { reason?: string; supervisor?: boolean } = {}): string[] {
    const ctx = this.active.get(scanId);
    if (!ctx) return [`parcel ${scanId} is not awaiting a decision`];
    const before = this.metricsAlarmCount('OPERATOR_REFUSED');
    const refusals: string[] = [];
    this.apply(ctx, { type: 'operator', action, operatorId, supervisor: opts.supervisor ?? false, now: this.deps.now(), ...(opts.reason ? { reason: opts.reason } : {}) }, refusals);
    return this.metricsAlarmCount('OPERATOR_REFUSED') > before ? refusals : [];
  }

  /** Parcels currently between correlation and the conveyor's ack. */
  activeParcels(): ParcelView[] {
    return [...this.active.values()].map((c) => c.view);
  }

  /** Restart recovery: every parcel found in flight is resolved to HOLD and recorded. Returns how many. */
  recover(): number {
    let n = 0;
    for (const row of this.deps.repo.inFlight()) {
      const decision = recoverAfterRestart({ kind: 'inspecting', deadlineAt: 0 });
      if (!decision) continue;
      const at = toIso(this.deps.now());
      this.deps.repo.commitVerdict(
        {
          verdictId: this.deps.newId(),
          scanId: row.scanId,
          ...(row.logisticsNo ? { logisticsNo: row.logisticsNo } : {}),
          action: 'HOLD',
          reasons: [{ code: 'S04', detail: `station restarted while the parcel was ${row.state}`, evidence: { previousState: row.state }, level: 'HOLD' }],
          ruleSet: 'failsafe',
          model: 'none',
          decidedBy: 'AUTO',
          decidedAt: at,
          note: decision.note,
        },
        'done',
      );
      n++;
    }
    return n;
  }

  /**
   * Clean stop. Device events are taken until none has come for `quietMs` (at most 4 × that), so
   * what is already on the wire lands; then intake closes: a later event's parcel gets no command,
   * which the conveyor treats as HOLD. Parcels partly seen close at once with what they have (held for
   * the missing image or read, and recorded), parcels awaiting an operator are held (the console is
   * gone), and the rest finish on their own deadlines and ack timeouts, ticked here. Resolves when
   * nothing is in flight or after `timeoutMs` (wall time) with what is left; the next start holds those.
   */
  async drain(timeoutMs: number, quietMs = 250): Promise<{ active: number; ignored: number; closedEarly: number }> {
    const quietBy = performance.now() + 4 * quietMs;
    while (performance.now() - this.lastEventAt < quietMs && performance.now() < quietBy) await sleep(DRAIN_TICK_MS);
    this.intakeClosed = true;
    const flushed = closeAllOpen(this.corr, this.deps.correlator);
    this.corr = flushed.state;
    for (const o of flushed.out) if (o.type === 'closed') this.track(this.processClosed(o.parcel));
    const until = performance.now() + timeoutMs;
    for (;;) {
      for (const ctx of [...this.active.values()]) if (ctx.state.kind === 'review') this.apply(ctx, { type: 'stopping', now: this.deps.now() });
      if ((this.active.size === 0 && this.pending.size === 0) || performance.now() >= until) break;
      await sleep(DRAIN_TICK_MS);
      this.tick();
    }
    return { active: this.active.size, ignored: this.ignoredAfterStop, closedEarly: flushed.out.length };
  }

  /** Waits for parcel processing already started (used on shutdown and by tests). */
  async settle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  // ---- internals ----

  private track(p: Promise<void>): void {
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  private startInspection(p: CorrelatedParcel<LineImage>): void {
    const img = p.image!;
    if (img.receivedAt !== undefined && p.imageAt !== undefined) this.metrics.stagesMs.transfer.add(img.receivedAt - p.imageAt);
    const origin = latencyOrigin(p);
    if (origin !== undefined) this.metrics.stagesMs.attach.add(this.deps.now() - origin);
    const run = (async (): Promise<InspectionOutput | InspectionFailure> => {
      try {
        const out = await this.deps.inspect(img);
        this.metrics.inferenceMs.add(out.inferenceMs);
        if (out.preprocessMs !== undefined) this.metrics.stagesMs.preprocess.add(out.preprocessMs);
        if (out.waitMs !== undefined) this.metrics.stagesMs.wait.add(out.waitMs);
        return out;
      } catch (e) {
        return { error: { code: isStationError(e) ? e.code : 'INSPECT_FAILED', message: errorMessage(e) } };
      }
    })();
    this.inspections.set(p.id, run);
  }

  private async processClosed(p: CorrelatedParcel<LineImage>): Promise<void> {
    const now = this.deps.now();
    this.metrics.closed++;
    const origin = latencyOrigin(p);
    if (origin !== undefined) this.metrics.stagesMs.correlate.add(now - origin);
    const ref = p.tunnelOutAt ?? p.imageAt ?? now;
    const deadlineAt = ref + this.deps.deadlineMs;
    const logisticsNo = chosenWaybill(p);
    const scanId = this.deps.newId();
    const view: ParcelView = {
      scanId,
      ...(p.seq !== undefined ? { seq: p.seq } : {}),
      ...(logisticsNo ? { logisticsNo } : {}),
      barcodes: p.reads.map((r) => r.code),
      ...(p.weightKg !== undefined ? { weightKg: p.weightKg } : {}),
      deadlineAt,
      stage: 'inspecting',
    };
    const ctx: Ctx = { view, state: initialState(deadlineAt), conveyorId: p.seq ?? p.id, ...(origin !== undefined ? { imageAt: origin } : {}), closedAt: now, done: false };
    this.active.set(scanId, ctx);
    try {
      const image = p.image ? this.persistImage(p.image) : undefined;
      if (image) view.imageSha256 = image.sha256;
      const row: NewParcel = {
        scanId,
        stationId: this.deps.stationId,
        lineId: this.deps.lineId,
        ...(logisticsNo ? { logisticsNo } : {}),
        barcodes: view.barcodes,
        ...(p.seq !== undefined ? { tunnelSeq: p.seq } : {}),
        ...(p.weightKg !== undefined ? { weightKg: p.weightKg } : {}),
        deadlineAt: toIso(deadlineAt),
        createdAt: toIso(now),
      };
      try {
        this.deps.repo.createParcel({ ...row, ...(view.imageSha256 ? { imageSha256: view.imageSha256 } : {}) }, [], image);
      } catch (e) {
        ctx.unwritten = row; // without its image row, which went down with it
        throw e;
      }
      this.emitParcel(ctx);

      const inspection: InspectionOutput | InspectionFailure = p.image
        ? await (this.inspections.get(p.id) ?? Promise.resolve({ error: { code: 'INSPECT_NOT_STARTED', message: 'inspection was never started' } }))
        : { error: { code: 'LINE_NO_IMAGE', message: 'no X-ray image arrived for this parcel' } };
      this.inspections.delete(p.id);
      ctx.inspectedAt = this.deps.now();
      if (this.deps.onTiming && !('error' in inspection)) ctx.inspectSplit = { inferenceMs: inspection.inferenceMs, ...(inspection.waitMs !== undefined ? { waitMs: inspection.waitMs } : {}), ...(inspection.preprocessMs !== undefined ? { preprocessMs: inspection.preprocessMs } : {}) };
      if (ctx.imageAt !== undefined) this.metrics.stagesMs.inspect.add(ctx.inspectedAt - ctx.imageAt);
      if (!('error' in inspection) && inspection.detections.length > 0) ctx.detections = { model: inspection.model, list: inspection.detections };
      if (ctx.state.kind !== 'inspecting') {
        this.flushDetections(ctx); // the deadline already held it
        return;
      }

      const declarations = logisticsNo ? this.deps.lookup(logisticsNo) : [];
      const verdict = this.deps.decide({
        scanId,
        barcodes: view.barcodes,
        ...(logisticsNo ? { logisticsNo } : {}),
        declarations,
        inspection,
        ...(p.weightKg !== undefined ? { measuredWeightKg: p.weightKg } : {}),
        tracking: { lost: p.issues.some((i) => i === 'NO_IMAGE' || i === 'AMBIGUOUS' || i === 'SEQ_GAP') },
        priorVerdicts: logisticsNo ? this.deps.repo.priorVerdicts(logisticsNo) : [],
        online: this.deps.online(),
        now: toIso(this.deps.now()),
      });
      view.verdict = verdict;
      // Going to review instead of straight to a commit: the operator's screen needs them now, and a
      // failed write must hold the parcel (the catch below) rather than let an operator release it.
      if (verdict.review) this.flushDetections(ctx, 'throw');
      this.apply(ctx, {
        type: 'decided',
        decision: { action: verdict.action, reasons: verdict.reasons.map((r) => r.code), by: 'AUTO' },
        review: verdict.review,
        now: this.deps.now(),
      });
      this.flushDetections(ctx); // not consumed by a commit (a deadline hold in between)
    } catch (e) {
      // Whatever broke (storage, lookup, rules), the parcel is held.
      this.alarm(scanId, 'PIPELINE_FAULT', errorMessage(e));
      if (ctx.state.kind === 'inspecting') {
        this.apply(ctx, { type: 'decided', decision: { action: 'HOLD', reasons: ['S04'], by: 'FAILSAFE', note: `pipeline fault: ${errorMessage(e)}` }, review: false, now: this.deps.now() });
      }
    }
  }

  /** Starts writing the image file; returns its row, which is committed with the parcel row. */
  private persistImage(img: LineImage): ImageRecord {
    const sha = sha256Hex(img.encoded);
    const write = storeImage(this.deps.imagesDir, img.encoded, img.format, sha).then(
      () => undefined,
      (e: unknown) => this.alarm(undefined, 'IMAGE_STORE_FAILED', errorMessage(e)),
    );
    this.track(write);
    return { sha256: sha, relPath: imageRelPath(sha, img.format), format: img.format, width: img.width, height: img.height, bytes: img.encoded.byteLength };
  }

  private apply(ctx: Ctx, input: ParcelInput, refusals?: string[]): void {
    const step = transition(ctx.state, input, this.deps.timing);
    ctx.state = step.state;
    ctx.view.stage = step.state.kind === 'committing' ? 'committing' : step.state.kind;
    if (step.state.kind === 'review') ctx.view.reviewUntil = step.state.reviewUntil;
    else delete ctx.view.reviewUntil;
    for (const effect of step.effects) {
      switch (effect.type) {
        case 'alarm':
          if (effect.code === 'OPERATOR_REFUSED') refusals?.push(effect.detail);
          if (effect.code === 'DEADLINE_MISSED') this.metrics.deadlineMisses++;
          this.alarm(ctx.view.scanId, effect.code, effect.detail);
          break;
        case 'commit':
          this.commit(ctx, effect.decision);
          break;
        case 'send':
          this.send(ctx, effect.command);
          break;
        case 'recordAck':
          try {
            // No verdict row: its HOLD waits in `unrecorded`, and the parcel stays in flight in the
            // records until then (a restart meanwhile records it as HOLD S04), never done without a verdict.
            if (ctx.verdictId) this.deps.repo.recordAck(ctx.verdictId, effect.command, effect.ack, toIso(input.now), { scanId: ctx.view.scanId });
          } catch (e) {
            this.alarm(ctx.view.scanId, 'STORAGE_FAULT', errorMessage(e));
          }
          ctx.view.ack = effect.ack;
          break;
      }
    }
    if (step.state.kind === 'review' && input.type === 'decided') this.emitParcel(ctx);
    if (step.state.kind === 'done' && !ctx.done) {
      ctx.done = true;
      this.active.delete(ctx.view.scanId);
      this.emitParcel(ctx);
    }
  }

  /** Writes detections no commit took; `alarm` where the parcel is already held, `throw` where it is not. */
  private flushDetections(ctx: Ctx, onError: 'alarm' | 'throw' = 'alarm'): void {
    const d = ctx.detections;
    if (!d) return;
    delete ctx.detections;
    try {
      this.deps.repo.saveDetections(ctx.view.scanId, d.model, d.list);
    } catch (e) {
      if (onError === 'throw') throw e;
      this.alarm(ctx.view.scanId, 'STORAGE_FAULT', `detections not recorded: ${errorMessage(e)}`);
    }
  }

  private commit(ctx: Ctx, decision: Decision): void {
    const at = this.deps.now();
    const record = this.verdictRecord(ctx, decision, at);
    if (ctx.inspectedAt !== undefined && decision.by === 'AUTO') this.metrics.stagesMs.decide.add(at - ctx.inspectedAt);
    ctx.decidingAt = at;
    try {
      this.deps.repo.commitVerdict(record, 'signalled', decision.by === 'OPERATOR' ? decision.note : undefined, ctx.detections);
      delete ctx.detections;
      ctx.committedAt = this.deps.now();
      this.metrics.stagesMs.commit.add(ctx.committedAt - at);
      ctx.verdictId = record.verdictId;
      ctx.view.decision = decision;
      if (decision.action !== 'RELEASE') for (const r of decision.reasons) this.metrics.holdsByReason[r] = (this.metrics.holdsByReason[r] ?? 0) + 1;
      if (ctx.state.kind === 'committing') this.apply(ctx, { type: 'committed', now: this.deps.now() });
    } catch (e) {
      if (ctx.state.kind === 'committing') this.apply(ctx, { type: 'commitFailed', error: errorMessage(e), now: this.deps.now() });
      else {
        this.alarm(ctx.view.scanId, 'COMMIT_FAILED', `HOLD sent but not recorded yet: ${errorMessage(e)}`);
        if (this.unrecorded.length < MAX_UNRECORDED) this.unrecorded.push({ record, ...(ctx.unwritten ? { parcel: ctx.unwritten } : {}) });
      }
    }
  }

  private verdictRecord(ctx: Ctx, decision: Decision, at: number): VerdictRecord {
    const auto = ctx.view.verdict;
    const hits: ReasonHit[] = [];
    if (decision.by === 'OPERATOR') {
      hits.push({ code: 'S05', detail: `operator ${decision.operatorId ?? '?'} decided ${decision.action}${decision.note ? `: ${decision.note}` : ''}`, evidence: {}, level: decision.action === 'RELEASE' ? 'ALERT' : 'HOLD' });
      hits.push(...(auto?.reasons ?? []));
    } else if (decision.by === 'FAILSAFE') {
      hits.push(...(auto?.reasons ?? []));
      for (const code of decision.reasons) {
        if (!hits.some((h) => h.code === code)) hits.push({ code, detail: decision.note ?? 'fail-safe hold', evidence: {}, level: 'HOLD' });
      }
    } else {
      hits.push(...(auto?.reasons ?? decision.reasons.map((code) => ({ code, detail: decision.note ?? '', evidence: {}, level: 'HOLD' as const }))));
    }
    return {
      verdictId: this.deps.newId(),
      scanId: ctx.view.scanId,
      ...(ctx.view.logisticsNo ? { logisticsNo: ctx.view.logisticsNo } : {}),
      action: decision.action,
      reasons: hits,
      ruleSet: auto?.ruleSet ?? 'failsafe',
      model: auto?.model ?? 'unavailable',
      decidedBy: decision.by === 'OPERATOR' ? 'OPERATOR' : 'AUTO',
      ...(decision.operatorId ? { operatorId: decision.operatorId } : {}),
      decidedAt: toIso(at),
      ...(ctx.imageAt !== undefined ? { latencyMs: Math.max(0, at - ctx.imageAt) } : {}),
      ...(decision.note ? { note: decision.note } : {}),
    };
  }

  private send(ctx: Ctx, command: Command): void {
    const at = this.deps.now();
    if (ctx.imageAt !== undefined) this.metrics.latencyMs.add(at - ctx.imageAt);
    if (ctx.committedAt !== undefined) this.metrics.stagesMs.send.add(at - ctx.committedAt);
    if (this.deps.onTiming && ctx.imageAt !== undefined) this.reportTiming(ctx, command, at, ctx.imageAt);
    this.metrics.commands[command]++;
    ctx.view.command = command;
    this.deps.conveyor
      .send({ parcelId: ctx.conveyorId, command, seq: this.commandSeq++, deadline: ctx.view.deadlineAt })
      .then(
        (ack) => this.apply(ctx, { type: 'ack', command: ack.command, ok: ack.ok, now: this.deps.now() }),
        // A transport error or timeout: the machine's ack deadline raises the alarm and records it.
        (e: unknown) => this.alarm(ctx.view.scanId, 'CONVEYOR_SEND_FAILED', errorMessage(e)),
      );
    // Recorded once the command is on its way: the verdict it carries is already durable, and this
    // write (an fsync) must not stand between the verdict and the conveyor.
    try {
      if (ctx.verdictId) this.deps.repo.recordCommand(ctx.verdictId, command, toIso(at));
    } catch (e) {
      this.alarm(ctx.view.scanId, 'STORAGE_FAULT', errorMessage(e));
    }
    this.emitParcel(ctx);
  }

  private reportTiming(ctx: Ctx, command: Command, at: number, from: number): void {
    const part = (k: keyof ParcelTiming, end: number | undefined, start: number | undefined) => (end !== undefined && start !== undefined ? { [k]: end - start } : {});
    try {
      this.deps.onTiming!({
        scanId: ctx.view.scanId,
        ...(ctx.view.seq !== undefined ? { seq: ctx.view.seq } : {}),
        command,
        latencyMs: at - from,
        ...part('correlateMs', ctx.closedAt, from),
        ...part('inspectMs', ctx.inspectedAt, from),
        ...ctx.inspectSplit,
        ...part('decideMs', ctx.decidingAt, ctx.inspectedAt),
        ...part('commitMs', ctx.committedAt, ctx.decidingAt),
        ...part('sendMs', at, ctx.committedAt),
      });
    } catch {
      // A trace writer must not disturb the parcel path.
    }
  }

  private metricsAlarmCount(code: string): number {
    return this.metrics.alarms[code] ?? 0;
  }

  /** A station-level alarm (storage, retention) on the same path as the line's: console, MQTT, metrics. */
  raiseAlarm(code: string, detail: string): void {
    this.alarm(undefined, code, detail);
  }

  private alarm(scanId: string | undefined, code: string, detail: string): void {
    this.metrics.alarms[code] = (this.metrics.alarms[code] ?? 0) + 1;
    this.emit({ type: 'alarm', ...(scanId ? { scanId } : {}), code, detail, at: this.deps.now() });
  }

  private emitParcel(ctx: Ctx): void {
    this.emit({ type: 'parcel', parcel: { ...ctx.view }, at: this.deps.now() });
  }

  private emit(e: LineEvent): void {
    try {
      this.deps.onEvent?.(e);
    } catch {
      // A failing subscriber (console, MQTT) must not disturb the parcel path.
    }
  }
}
