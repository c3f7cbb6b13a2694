// D family: what customs and the cached declaration say, independent of the image.
// Status groups (domain.md §2.6), control instructions (布控 feed), three-list result, limits,
// positive list, duplicate scans and data freshness.
import type { Declaration } from '../../shared/domain/aed.ts';
import type { ReasonHit } from '../../shared/domain/verdict.ts';
import type { CompiledPack } from './pack.ts';
import type { DecisionInput, RulesConfig } from './types.ts';
import { fmt, hit, round } from './hit.ts';

export function customsStatusHits(decl: Declaration, pack: CompiledPack): ReasonHit[] {
  const status = decl.customsStatus?.returnStatus;
  if (status === undefined) return [hit('D02', 'no customs receipt (CEB622) cached for this declaration', { status: null })];
  const evidence = { status, returnTime: decl.customsStatus?.returnTime ?? null };
  switch (pack.status.get(status)) {
    case 'release':
      return [];
    case 'closed':
      // 899 closed: the declaration is finished, so a parcel on the line again is a duplicate.
      return [hit('D09', `customs status ${status}: declaration already closed`, evidence)];
    case 'inspect':
      return [hit('D03', `customs status ${status}: selected for inspection`, evidence)];
    case 'detain':
      return [hit('D04', `customs status ${status}: detained`, evidence)];
    case 'return':
      return [hit('D05', `customs status ${status}: return shipment`, evidence)];
    default:
      // Pending, rejected, negative (processing error) and any code this pack does not know.
      return [hit('D02', `customs status ${status} is not a release status`, evidence)];
  }
}

export function controlInstructionHits(decl: Declaration): ReasonHit[] {
  const hits: ReasonHit[] = [];
  for (const c of decl.controlInstructions) {
    const evidence = { instruction: c.kind, source: c.source, issuedAt: c.issuedAt, ruleId: c.ruleId ?? null };
    if (c.kind === 'INSPECT') hits.push(hit('D03', `${c.source.toLowerCase()} control instruction: inspect`, evidence));
    else if (c.kind === 'DETAIN') hits.push(hit('D04', `${c.source.toLowerCase()} control instruction: detain`, evidence));
    else if (c.kind === 'RETURN') hits.push(hit('D05', `${c.source.toLowerCase()} control instruction: return`, evidence));
    // RELEASE instructions lift nothing here: they never override another reason.
  }
  return hits;
}

export function threeListHits(decl: Declaration): ReasonHit[] {
  const t = decl.threeList;
  if (t.state === 'COMPLETE' && t.failed.length === 0 && t.missing.length === 0) return [];
  const parts = [...t.missing.map((m) => `${m} missing`), ...t.failed.map((f) => `${f.rule}: ${f.detail}`)];
  return [
    hit('D06', `three-list check ${t.state.toLowerCase()}${parts.length > 0 ? `: ${parts.join('; ')}` : ''}`, {
      state: t.state,
      failed: t.failed.map((f) => f.rule),
      missing: t.missing,
    }),
  ];
}

export function limitHits(decl: Declaration, pack: CompiledPack): ReasonHit[] {
  const { perTransactionRmb, annualRmb } = pack.pack.limits;
  const value = decl.order?.acturalPaid ?? decl.lines.reduce((s, l) => s + l.totalPrice, 0);
  const items = decl.order?.lineCount ?? decl.lines.length;
  const evidence = { declared: value, limit: perTransactionRmb, items };
  if (!Number.isFinite(value)) return [hit('D07', 'order value is not a number', { ...evidence, declared: null })];
  // One single item above the per-transaction limit may enter (full tax) while under the annual limit.
  if (value > perTransactionRmb && items > 1) {
    return [hit('D07', `order value ${fmt(value, 2)} RMB exceeds ${perTransactionRmb} with ${items} items`, evidence)];
  }
  if (value > annualRmb) return [hit('D07', `order value ${fmt(value, 2)} RMB exceeds the annual limit ${annualRmb}`, { ...evidence, limit: annualRmb })];
  return [];
}

export function positiveListHits(decl: Declaration, pack: CompiledPack): ReasonHit[] {
  if (!pack.pack.positiveList.enforce) return [];
  const hits: ReasonHit[] = [];
  for (const line of decl.lines) {
    const head = line.gcode.slice(0, 8);
    if (!pack.positiveHeads.has(head)) {
      hits.push(hit('D08', `line ${line.gnum}: tariff head ${head} is not on the positive list (${pack.pack.positiveList.edition})`, { gnum: [line.gnum], gcode: line.gcode }));
      continue;
    }
    const modes = pack.tradeModes.get(head);
    if (modes && !modes.includes(decl.tradeMode)) {
      hits.push(hit('D08', `line ${line.gnum}: tariff head ${head} may only be imported under trade mode ${modes.join('/')}, declared ${decl.tradeMode}`, { gnum: [line.gnum], gcode: line.gcode, tradeMode: decl.tradeMode }));
    }
  }
  return hits;
}

export function duplicateHits(input: DecisionInput): ReasonHit[] {
  const prior = input.priorVerdicts ?? [];
  const hits: ReasonHit[] = [];
  const locked = prior.filter((v) => v.action === 'HOLD_LOCK').map((v) => v.decidedAt).sort();
  if (locked.length > 0) {
    // A locked parcel stays locked: coming round again with a clean image must not release it.
    hits.push(hit('D09', `waybill was locked (HOLD_LOCK) at ${locked[0]!}; the station cannot release it`, { lockedAt: locked[0]!, times: locked.length }, 'HOLD_LOCK'));
  }
  const released = prior.filter((v) => v.action === 'RELEASE').map((v) => v.decidedAt).sort();
  if (released.length > 0) hits.push(hit('D09', `waybill already released at ${released[0]!}`, { releasedAt: released[0]!, times: released.length }));
  return hits;
}

const HOUR_MS = 3_600_000;

/** D10: while offline, data older than the configured age is stale; an unreadable time is always a hold. */
export function staleDataHits(decl: Declaration, input: DecisionInput, config: RulesConfig): ReasonHit[] {
  const asOf = Date.parse(decl.dataAsOf);
  const now = Date.parse(input.now);
  if (!Number.isFinite(asOf) || !Number.isFinite(now)) {
    return [hit('D10', `cannot judge data freshness: dataAsOf "${decl.dataAsOf}", now "${input.now}"`, { dataAsOf: decl.dataAsOf, now: input.now }, 'HOLD')];
  }
  if (input.online) return [];
  const ageHours = (now - asOf) / HOUR_MS;
  if (ageHours <= config.staleDataHours) return [];
  return [
    hit('D10', `offline and data is ${fmt(ageHours, 1)} h old (limit ${config.staleDataHours} h)`, { dataAsOf: decl.dataAsOf, measured: round(ageHours, 3), limit: config.staleDataHours }, config.staleDataAction === 'ALERT' ? 'ALERT' : 'HOLD'),
  ];
}
