// Precedence of domain.md §5.1: HOLD_LOCK > central instructions (D03/D04) > P* > R* > M* > W01 >
// D*/S* > ALERT > RELEASE. The verdict keeps every hit; this orders them (deciding one first) and
// derives the action: the strictest level wins, ALERT-level hits never stop a RELEASE.
import type { ReasonHit } from '../../shared/domain/verdict.ts';
import type { Action } from '../../shared/domain/reasons.ts';

/** Rank of a code ignoring its level: central instructions, then the families in §5.1 order. */
function baseTier(code: ReasonHit['code']): number {
  if (code === 'D03' || code === 'D04') return 1;
  switch (code[0]) {
    case 'P':
      return 2;
    case 'R':
      return 3;
    case 'M':
      return 4;
    case 'W':
      return code === 'W01' ? 5 : 6;
    default:
      return 6; // D*, S*
  }
}

/** 0 = decides first. HOLD_LOCK of any family outranks everything; ALERT-level hits come last. */
export function precedenceTier(hit: Pick<ReasonHit, 'code' | 'level'>): number {
  if (hit.level === 'HOLD_LOCK') return 0;
  if (hit.level === 'ALERT') return 7;
  return baseTier(hit.code);
}

/** Stable order by (tier, base tier, code); equal keys keep the order the rules produced them in. */
export function orderByPrecedence(hits: readonly ReasonHit[]): ReasonHit[] {
  return hits
    .map((h, i) => ({ h, i, t: precedenceTier(h), b: baseTier(h.code) }))
    .sort((x, y) => x.t - y.t || x.b - y.b || (x.h.code < y.h.code ? -1 : x.h.code > y.h.code ? 1 : 0) || x.i - y.i)
    .map((x) => x.h);
}

export function actionOf(hits: readonly Pick<ReasonHit, 'level'>[]): Action {
  let action: Action = 'RELEASE';
  for (const h of hits) {
    if (h.level === 'HOLD_LOCK') return 'HOLD_LOCK';
    if (h.level === 'HOLD') action = 'HOLD';
  }
  return action;
}
