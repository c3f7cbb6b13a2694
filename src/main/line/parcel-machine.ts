// The life of one parcel after correlation, as a pure transition function (style-anchors
// convention 6). The runtime feeds inputs (a verdict, an operator key, a clock tick, the result of a
// commit, the conveyor's ack) and carries out the returned effects IN ORDER; nothing here does I/O.
//
// The one rule, enforced here: a RELEASE command is only emitted after the runtime reported that the
// RELEASE decision was committed durably, and only before the parcel's deadline. Every other path —
// timeouts, failed commits, refused operator input, unknown states — ends in HOLD.
import type { Action, ReasonCode } from '../../shared/domain/reasons.ts';

export type Command = 'RELEASE' | 'HOLD';

export interface Decision {
  action: Action;
  /** Reason codes in precedence order (the full evidence travels with the verdict record). */
  reasons: ReasonCode[];
  by: 'AUTO' | 'OPERATOR' | 'FAILSAFE';
  operatorId?: string;
  /** Why a fail-safe or operator decision was taken, in plain words. */
  note?: string;
}

export type ParcelState =
  /** Inspection and rules running. */
  | { kind: 'inspecting'; deadlineAt: number }
  /** The rules asked for a human look (S03 band); the operator may decide until reviewUntil. */
  | { kind: 'review'; deadlineAt: number; reviewUntil: number; proposed: Decision }
  /** The runtime is writing the decision (verdict row, audit, outbox) in one transaction. */
  | { kind: 'committing'; deadlineAt: number; decision: Decision }
  /** The command left; waiting for the conveyor's acknowledgement. */
  | { kind: 'signalled'; deadlineAt: number; decision: Decision; command: Command; ackBy: number }
  | { kind: 'done'; decision: Decision; command: Command; ack: 'ok' | 'nak' | 'timeout' };

export type ParcelInput =
  | { type: 'decided'; decision: Decision; review: boolean; now: number }
  | { type: 'operator'; action: Action; operatorId: string; reason?: string; supervisor: boolean; now: number }
  | { type: 'committed'; now: number }
  | { type: 'commitFailed'; error: string; now: number }
  | { type: 'ack'; command: Command; ok: boolean; now: number }
  | { type: 'tick'; now: number }
  /** The station is stopping: no operator will answer a review any more. */
  | { type: 'stopping'; now: number };

export type AlarmCode =
  | 'DEADLINE_MISSED'
  | 'REVIEW_TIMEOUT'
  | 'COMMIT_FAILED'
  | 'ACK_TIMEOUT'
  | 'CONVEYOR_NAK'
  | 'ACK_MISMATCH'
  | 'OPERATOR_REFUSED'
  | 'LATE_INPUT';

export type ParcelEffect =
  | { type: 'commit'; decision: Decision }
  | { type: 'send'; command: Command }
  | { type: 'recordAck'; command: Command; ack: 'ok' | 'nak' | 'timeout' }
  | { type: 'alarm'; code: AlarmCode; detail: string };

export interface MachineTiming {
  /** Operator review window, capped by the parcel deadline. */
  operatorReviewMs: number;
  /** How long the conveyor has to acknowledge a command. */
  ackTimeoutMs: number;
}

export interface Step {
  state: ParcelState;
  effects: ParcelEffect[];
}

export function initialState(deadlineAt: number): ParcelState {
  return { kind: 'inspecting', deadlineAt };
}

const failSafe = (reasons: ReasonCode[], note: string): Decision => ({ action: 'HOLD', reasons, by: 'FAILSAFE', note });

/** A HOLD never waits for the disk: it is the conveyor's default anyway, so commit and send together. */
function holdNow(s: { deadlineAt: number }, decision: Decision, now: number, t: MachineTiming, alarms: ParcelEffect[] = []): Step {
  return {
    state: { kind: 'signalled', deadlineAt: s.deadlineAt, decision, command: 'HOLD', ackBy: now + t.ackTimeoutMs },
    effects: [...alarms, { type: 'commit', decision }, { type: 'send', command: 'HOLD' }],
  };
}

function commit(s: { deadlineAt: number }, decision: Decision, now: number, t: MachineTiming): Step {
  if (decision.action !== 'RELEASE') return holdNow(s, decision, now, t);
  return { state: { kind: 'committing', deadlineAt: s.deadlineAt, decision }, effects: [{ type: 'commit', decision }] };
}

const stay = (state: ParcelState, ...effects: ParcelEffect[]): Step => ({ state, effects });

export function transition(state: ParcelState, input: ParcelInput, t: MachineTiming): Step {
  const now = input.now;
  switch (state.kind) {
    case 'inspecting': {
      if (now >= state.deadlineAt) {
        return holdNow(state, failSafe(['S04'], 'no decision before the deadline'), now, t, [
          { type: 'alarm', code: 'DEADLINE_MISSED', detail: 'inspection and rules did not finish before the diverter deadline' },
        ]);
      }
      if (input.type === 'decided') {
        if (input.review && input.decision.action !== 'HOLD_LOCK') {
          const reviewUntil = Math.min(now + t.operatorReviewMs, state.deadlineAt);
          return stay({ kind: 'review', deadlineAt: state.deadlineAt, reviewUntil, proposed: input.decision });
        }
        return commit(state, input.decision, now, t);
      }
      if (input.type === 'operator') {
        // Before the verdict exists an operator may hold a parcel, never release it unseen.
        if (input.action === 'RELEASE') {
          return stay(state, { type: 'alarm', code: 'OPERATOR_REFUSED', detail: 'wait for the inspection result before releasing' });
        }
        return operatorDecision(state, undefined, input, t);
      }
      return stay(state);
    }
    case 'review': {
      if (input.type === 'operator') return operatorDecision(state, state.proposed, input, t);
      const reasons = state.proposed.reasons.length > 0 ? state.proposed.reasons : (['S03'] as ReasonCode[]);
      // The console is gone: held now, as the review window would have, without waiting it out.
      if (input.type === 'stopping') return holdNow(state, failSafe(reasons, 'station stopped before an operator decided'), now, t);
      if (now >= state.reviewUntil) {
        return holdNow(state, failSafe(reasons, 'no operator decision in time'), now, t, [
          { type: 'alarm', code: 'REVIEW_TIMEOUT', detail: 'operator review window closed without a decision' },
        ]);
      }
      return stay(state);
    }
    case 'committing': {
      if (input.type === 'committed') {
        if (now >= state.deadlineAt) {
          // Committed, but too late to reach the diverter: the parcel is held and the record corrected.
          return holdNow(state, failSafe([...state.decision.reasons, 'S04'], 'release committed after the deadline'), now, t, [
            { type: 'alarm', code: 'DEADLINE_MISSED', detail: 'release was committed after the diverter deadline' },
          ]);
        }
        const command: Command = state.decision.action === 'RELEASE' ? 'RELEASE' : 'HOLD';
        return {
          state: { kind: 'signalled', deadlineAt: state.deadlineAt, decision: state.decision, command, ackBy: now + t.ackTimeoutMs },
          effects: [{ type: 'send', command }],
        };
      }
      if (input.type === 'commitFailed') {
        return holdNow(state, failSafe([...state.decision.reasons, 'S04'], `could not record the decision: ${input.error}`), now, t, [
          { type: 'alarm', code: 'COMMIT_FAILED', detail: input.error },
        ]);
      }
      if (now >= state.deadlineAt) {
        return holdNow(state, failSafe([...state.decision.reasons, 'S04'], 'decision not recorded before the deadline'), now, t, [
          { type: 'alarm', code: 'DEADLINE_MISSED', detail: 'the decision was not recorded before the diverter deadline' },
        ]);
      }
      return stay(state);
    }
    case 'signalled': {
      if (input.type === 'ack') {
        if (input.command !== state.command) {
          return stay(state, { type: 'alarm', code: 'ACK_MISMATCH', detail: `conveyor acknowledged ${input.command} but ${state.command} was sent` });
        }
        const ack = input.ok ? 'ok' : 'nak';
        return {
          state: { kind: 'done', decision: state.decision, command: state.command, ack },
          effects: [
            { type: 'recordAck', command: state.command, ack },
            ...(input.ok ? [] : [{ type: 'alarm', code: 'CONVEYOR_NAK', detail: `conveyor refused ${state.command}` } as ParcelEffect]),
          ],
        };
      }
      if (now >= state.ackBy) {
        // No ack: the conveyor diverts parcels it has no RELEASE for, so a lost HOLD is still held; a lost
        // RELEASE means the parcel was probably diverted — either way an operator must look.
        return {
          state: { kind: 'done', decision: state.decision, command: state.command, ack: 'timeout' },
          effects: [
            { type: 'recordAck', command: state.command, ack: 'timeout' },
            { type: 'alarm', code: 'ACK_TIMEOUT', detail: `no acknowledgement for ${state.command} from the conveyor` },
          ],
        };
      }
      if (input.type === 'operator' || input.type === 'decided') {
        return stay(state, { type: 'alarm', code: 'LATE_INPUT', detail: `${input.type} arrived after the command was sent; it changes nothing at the line` });
      }
      return stay(state);
    }
    case 'done':
      if (input.type === 'operator' || input.type === 'decided') {
        return stay(state, { type: 'alarm', code: 'LATE_INPUT', detail: `${input.type} arrived after the parcel left the decision point` });
      }
      return stay(state);
  }
}

function operatorDecision(
  state: { deadlineAt: number },
  proposed: Decision | undefined,
  input: Extract<ParcelInput, { type: 'operator' }>,
  t: MachineTiming,
): Step {
  const current = state as ParcelState;
  const locked = proposed?.action === 'HOLD_LOCK';
  if (input.action === 'RELEASE' && locked) {
    return stay(current, { type: 'alarm', code: 'OPERATOR_REFUSED', detail: 'a HOLD_LOCK parcel cannot be released at the line' });
  }
  if (input.action === 'HOLD_LOCK' && !input.supervisor) {
    return stay(current, { type: 'alarm', code: 'OPERATOR_REFUSED', detail: 'HOLD_LOCK needs a supervisor' });
  }
  const againstModel = input.action === 'RELEASE' && proposed !== undefined && proposed.action !== 'RELEASE';
  if (againstModel && !input.reason?.trim()) {
    return stay(current, { type: 'alarm', code: 'OPERATOR_REFUSED', detail: 'releasing against the model needs a reason' });
  }
  const decision: Decision = {
    action: input.action,
    reasons: ['S05', ...(proposed?.reasons.filter((r) => r !== 'S05') ?? [])],
    by: 'OPERATOR',
    operatorId: input.operatorId,
    ...(input.reason ? { note: input.reason } : {}),
  };
  return commit(state, decision, input.now, t);
}

/** Restart recovery: a parcel found in flight is resolved to HOLD (no command: it has moved on). */
export function recoverAfterRestart(state: ParcelState): Decision | undefined {
  if (state.kind === 'done' || state.kind === 'signalled') return undefined;
  return failSafe(['S04'], 'station restarted while the parcel was in flight');
}
