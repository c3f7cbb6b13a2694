// decide(): one parcel's inputs → an explainable verdict. Pure: the same input, pack and
// configuration always give a deep-equal verdict (no clock, no randomness, no I/O). Every fault,
// unknown, missing or stale datum and every model failure adds a hold-level reason, so RELEASE
// only comes out when nothing at all asked for a hold.
import type { Declaration } from '../../shared/domain/aed.ts';
import type { InspectionOutput } from '../../shared/domain/detection.ts';
import type { ReasonHit, Verdict } from '../../shared/domain/verdict.ts';
import { controlInstructionHits, customsStatusHits, duplicateHits, limitHits, positiveListHits, staleDataHits, threeListHits } from './customs.ts';
import { detEvidence, fmt, hit, type IndexedDetection } from './hit.ts';
import { matchingHits } from './matching.ts';
import type { CompiledPack } from './pack.ts';
import { actionOf, orderByPrecedence } from './precedence.ts';
import { prohibitedAndRestrictedHits } from './prohibited.ts';
import { samplingDraw } from './sampling.ts';
import { isInspectionFailure, type DecisionInput, type RulesConfig } from './types.ts';
import { weightHits } from './weight.ts';

/** Inspection error codes that mean the image itself is the problem (S03), not the model (S04). */
const UNREADABLE_IMAGE = /^INSPECT_IMAGE/;

interface Context {
  pack: CompiledPack;
  config: RulesConfig;
  decl: Declaration | undefined;
  aeo: boolean;
}

export function decide(input: DecisionInput, pack: CompiledPack, config: RulesConfig): Verdict {
  const hits: ReasonHit[] = [...systemHits(input)];
  const decl = input.declarations.length === 1 ? input.declarations[0] : undefined;
  hits.push(...declarationPresenceHits(input));
  const aeo = decl !== undefined && isAeo(decl, config);
  const ctx: Context = { pack, config, decl, aeo };

  hits.push(...duplicateHits(input));
  if (decl) {
    hits.push(
      ...customsStatusHits(decl, pack),
      ...controlInstructionHits(decl),
      ...threeListHits(decl),
      ...limitHits(decl, pack),
      ...positiveListHits(decl, pack),
      ...staleDataHits(decl, input, config),
      ...weightHits(decl, input.measuredWeightKg, config),
    );
  }

  let model: string;
  if (isInspectionFailure(input.inspection)) {
    const { code, message } = input.inspection.error;
    model = input.inspection.model ?? 'unavailable';
    hits.push(
      UNREADABLE_IMAGE.test(code)
        ? hit('S03', `image unreadable: ${message}`, { error: code, reviewable: false })
        : hit('S04', `image inspection failed: ${message}`, { error: code }),
    );
  } else {
    model = typeof input.inspection.model === 'string' && input.inspection.model !== '' ? input.inspection.model : 'unknown';
    hits.push(...imageHits(input, input.inspection, hits, ctx));
  }

  let sampled = false;
  let samplingTicket: string | undefined;
  const rate = config.samplingRate * (aeo ? pack.pack.aeo.samplingRateFactor : 1);
  if (rate > 0) {
    const key = decl?.logisticsNo ?? input.logisticsNo ?? input.scanId;
    const draw = samplingDraw(key, config.samplingSeed, rate);
    sampled = draw.sampled;
    samplingTicket = draw.ticket;
    if (sampled) hits.push(hit('D03', `random compliance sample (rate ${fmt(rate, 6)})`, { ticket: draw.ticket, key, rate, draw: draw.draw }));
  }

  const reasons = orderByPrecedence(hits);
  const action = actionOf(reasons);
  const holding = reasons.filter((h) => h.level !== 'ALERT');
  const review = holding.length > 0 && holding.every((h) => h.code === 'S03' && h.evidence.reviewable === true);
  return { action, reasons, ruleSet: pack.version, model, review, sampled, ...(samplingTicket !== undefined ? { samplingTicket } : {}) };
}

function systemHits(input: DecisionInput): ReasonHit[] {
  const hits: ReasonHit[] = [];
  const distinct = [...new Set(input.barcodes)];
  if (distinct.length === 0) hits.push(hit('S01', 'no barcode was read', { barcodes: [] }));
  else if (distinct.length > 1) hits.push(hit('S01', `${distinct.length} different barcodes on one parcel: ${distinct.join(', ')}`, { barcodes: distinct }));
  else if (input.logisticsNo === undefined || input.logisticsNo === '') hits.push(hit('S01', `barcode "${distinct[0]}" is not a waybill number`, { barcodes: distinct }));
  if (input.tracking?.lost === true) hits.push(hit('S02', 'parcel, image and barcode could not be matched (photo-eye sequence broken)', {}));
  return hits;
}

function declarationPresenceHits(input: DecisionInput): ReasonHit[] {
  const n = input.declarations.length;
  const waybill = input.logisticsNo ?? '(none)';
  if (n === 0) return [hit('D01', `no declaration cached for waybill ${waybill}`, { logisticsNo: input.logisticsNo ?? null })];
  if (n > 1) {
    return [
      hit('D01', `ambiguous: ${n} declarations cached for waybill ${waybill}`, {
        logisticsNo: input.logisticsNo ?? null,
        candidates: input.declarations.map((d) => d.invtNo ?? d.orderNo),
      }),
    ];
  }
  return [];
}

function isAeo(decl: Declaration, config: RulesConfig): boolean {
  if (config.aeoEnterprises.length === 0) return false;
  return [decl.ebcCode, decl.logisticsCode, decl.agentCode].some((c) => config.aeoEnterprises.includes(c));
}

/** Checks that the model output is well formed; a malformed output is a model failure. */
function malformed(out: InspectionOutput): string | undefined {
  if (typeof out.model !== 'string' || out.model === '') return 'no model name';
  if (!Array.isArray(out.detections)) return 'detections is not a list';
  for (const [i, d] of out.detections.entries()) {
    if (typeof d.label !== 'string' || d.label === '') return `detection ${i} has no label`;
    if (!(d.score >= 0 && d.score <= 1)) return `detection ${i} score ${String(d.score)} is outside 0..1`;
    if (!Array.isArray(d.box) || d.box.length !== 4 || !d.box.every((v) => Number.isFinite(v))) return `detection ${i} box is not 4 numbers`;
  }
  return undefined;
}

function imageHits(input: DecisionInput, out: InspectionOutput, prior: readonly ReasonHit[], ctx: Context): ReasonHit[] {
  const bad = malformed(out);
  if (bad) return [hit('S04', `inspection output malformed: ${bad}`, { error: 'INSPECT_OUTPUT_MALFORMED' })];
  const q = input.imageQuality ?? {};
  if (q.unreadable === true) return [hit('S03', 'image unreadable: no decision from the picture', { reviewable: false })];

  const hits: ReasonHit[] = [];
  if (q.tooDense === true) hits.push(hit('S03', 'image too dense to inspect: operator review', { reviewable: true }));
  const dense = q.denseUnexplainedArea;
  const maxDense = ctx.pack.pack.concealment.maxUnexplainedDenseArea;
  if (dense !== undefined && !(dense <= maxDense)) {
    hits.push(hit('M04', `dense region no detection explains covers ${fmt(dense * 100, 1)}% of the image (max ${fmt(maxDense * 100, 1)}%)`, { measured: Number.isFinite(dense) ? dense : null, limit: maxDense }));
  }

  const { low, high } = ctx.config.reviewBand;
  const indexed: IndexedDetection[] = out.detections.map((d, index) => ({ ...d, index }));
  const trusted = indexed.filter((d) => d.score >= high);
  const band = indexed.filter((d) => d.score >= low && d.score < high);
  const sure = detectionHits(trusted, ctx);
  hits.push(...sure);
  if (band.length > 0) {
    // An uncertain box matters only if counting it would change the action; then a person decides.
    const withBand = detectionHits([...trusted, ...band].sort((a, b) => a.index - b.index), ctx);
    const without = actionOf([...prior, ...hits]);
    const withIt = actionOf([...prior, ...hits.filter((h) => !sure.includes(h)), ...withBand]);
    if (without !== withIt) {
      const added = [...new Set(withBand.map((h) => h.code))].filter((c) => !sure.some((h) => h.code === c));
      const removed = [...new Set(sure.map((h) => h.code))].filter((c) => !withBand.some((h) => h.code === c));
      hits.push(
        hit('S03', `${band.length} uncertain detection(s) (score ${low}–${high}) would change the verdict from ${without} to ${withIt}: operator review`, {
          detections: detEvidence(band),
          reviewable: true,
          wouldAdd: added,
          wouldRemove: removed,
        }),
      );
    }
  }
  return hits;
}

function groupByLabel(dets: readonly IndexedDetection[]): Map<string, IndexedDetection[]> {
  const groups = new Map<string, IndexedDetection[]>();
  for (const d of dets) {
    const g = groups.get(d.label);
    if (g) g.push(d);
    else groups.set(d.label, [d]);
  }
  // Label order must not depend on the model's output order.
  return new Map([...groups].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
}

/** P, R and M hits for a set of detections, with configuration and AEO facilitation applied. */
function detectionHits(dets: readonly IndexedDetection[], ctx: Context): ReasonHit[] {
  const groups = groupByLabel(dets);
  const lines = ctx.decl?.lines ?? [];
  const hits = prohibitedAndRestrictedHits(groups, lines, ctx.pack, ctx.config.pixelSizeMm);
  // Without exactly one declaration D01 already holds; comparing with nothing would only add noise.
  if (ctx.decl) hits.push(...matchingHits(groups, lines, ctx.pack));
  else hits.push(...matchingHits(new Map([...groups].filter(([l]) => !ctx.pack.labels.has(l))), [], ctx.pack));
  return hits.map((h) => {
    // Data faults (unknown unit, unreadable price) are never relaxed by policy or facilitation.
    if (h.level !== 'HOLD' || h.evidence.fault === true) return h;
    if (h.code === 'M05' && ctx.config.undervaluationAction === 'ALERT') return { ...h, level: 'ALERT' };
    if (ctx.aeo && ctx.pack.aeoRelax.has(h.code)) return { ...h, level: 'ALERT', detail: `${h.detail} (AEO enterprise: recorded only)` };
    return h;
  });
}
