import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  initialState,
  recoverAfterRestart,
  transition,
  type Decision,
  type ParcelEffect,
  type ParcelInput,
  type ParcelState,
} from '../../../src/main/line/parcel-machine.ts';

const T = { operatorReviewMs: 3000, ackTimeoutMs: 500 };
const DEADLINE = 10_000;
const release: Decision = { action: 'RELEASE', reasons: ['OK'], by: 'AUTO' };
const hold: Decision = { action: 'HOLD', reasons: ['M01'], by: 'AUTO' };
const lock: Decision = { action: 'HOLD_LOCK', reasons: ['P01'], by: 'AUTO' };
const lowConfidence: Decision = { action: 'HOLD', reasons: ['S03'], by: 'AUTO' };

function run(inputs: ParcelInput[], start: ParcelState = initialState(DEADLINE)) {
  let state = start;
  const effects: ParcelEffect[] = [];
  for (const i of inputs) {
    const step = transition(state, i, T);
    state = step.state;
    effects.push(...step.effects);
  }
  return { state, effects };
}
const sends = (e: ParcelEffect[]) => e.filter((x) => x.type === 'send').map((x) => (x as { command: string }).command);
const alarms = (e: ParcelEffect[]) => e.filter((x) => x.type === 'alarm').map((x) => (x as { code: string }).code);

describe('the parcel state machine', () => {
  it('releases only after the RELEASE decision is committed, then records the ack', () => {
    const a = run([{ type: 'decided', decision: release, review: false, now: 100 }]);
    expect(a.state.kind).toBe('committing');
    expect(sends(a.effects)).toEqual([]);
    const b = run([{ type: 'committed', now: 120 }, { type: 'ack', command: 'RELEASE', ok: true, now: 150 }], a.state);
    expect(sends(b.effects)).toEqual(['RELEASE']);
    expect(b.state).toMatchObject({ kind: 'done', command: 'RELEASE', ack: 'ok' });
    expect(b.effects).toContainEqual({ type: 'recordAck', command: 'RELEASE', ack: 'ok' });
  });

  it.each([
    ['a HOLD verdict', [{ type: 'decided', decision: hold, review: false, now: 100 }], 'HOLD', []],
    ['a HOLD_LOCK verdict', [{ type: 'decided', decision: lock, review: false, now: 100 }], 'HOLD', []],
    ['no verdict before the deadline', [{ type: 'tick', now: DEADLINE }], 'HOLD', ['DEADLINE_MISSED']],
    ['a failed commit of a release', [{ type: 'decided', decision: release, review: false, now: 100 }, { type: 'commitFailed', error: 'disk full', now: 110 }], 'HOLD', ['COMMIT_FAILED']],
    ['a release committed after the deadline', [{ type: 'decided', decision: release, review: false, now: 100 }, { type: 'committed', now: DEADLINE + 1 }], 'HOLD', ['DEADLINE_MISSED']],
    ['a commit still pending at the deadline', [{ type: 'decided', decision: release, review: false, now: 100 }, { type: 'tick', now: DEADLINE }], 'HOLD', ['DEADLINE_MISSED']],
    ['no operator decision in the review window', [{ type: 'decided', decision: lowConfidence, review: true, now: 100 }, { type: 'tick', now: 3100 }], 'HOLD', ['REVIEW_TIMEOUT']],
  ] as [string, ParcelInput[], string, string[]][])('holds on %s', (_name, inputs, command, expectedAlarms) => {
    const { effects } = run(inputs);
    expect(sends(effects)).toEqual([command]);
    expect(alarms(effects)).toEqual(expectedAlarms);
    const commitIdx = effects.findIndex((e) => e.type === 'commit' && e.decision.action !== 'RELEASE');
    expect(commitIdx).toBeGreaterThanOrEqual(0);
    expect(commitIdx).toBeLessThan(effects.findIndex((e) => e.type === 'send'));
  });

  it('holds a parcel awaiting review at once when the station stops, and leaves the others to finish', () => {
    const review = run([{ type: 'decided', decision: lowConfidence, review: true, now: 100 }]).state;
    const stopped = run([{ type: 'stopping', now: 200 }], review);
    expect(sends(stopped.effects)).toEqual(['HOLD']);
    expect(alarms(stopped.effects)).toEqual([]);
    expect(stopped.effects[0]).toMatchObject({ type: 'commit', decision: { action: 'HOLD', reasons: ['S03'], by: 'FAILSAFE', note: 'station stopped before an operator decided' } });
    // Still inspecting, committing or signalled: its own deadline or ack timeout ends it.
    expect(run([{ type: 'stopping', now: 200 }])).toEqual({ state: initialState(DEADLINE), effects: [] });
    const committing = run([{ type: 'decided', decision: release, review: false, now: 100 }]).state;
    expect(run([{ type: 'stopping', now: 200 }], committing).state).toBe(committing);
  });

  it('caps the review window at the parcel deadline', () => {
    const { state } = run([{ type: 'decided', decision: lowConfidence, review: true, now: 9000 }]);
    expect(state).toMatchObject({ kind: 'review', reviewUntil: DEADLINE });
  });

  it('lets an operator release a low-confidence parcel with a reason, attributed and marked S05', () => {
    const { state, effects } = run([
      { type: 'decided', decision: lowConfidence, review: true, now: 100 },
      { type: 'operator', action: 'RELEASE', operatorId: 'op7', reason: 'image shows shoes as declared', supervisor: false, now: 900 },
      { type: 'committed', now: 910 },
    ]);
    expect(sends(effects)).toEqual(['RELEASE']);
    expect(state.kind).toBe('signalled');
    const committed = effects.find((e) => e.type === 'commit');
    expect(committed).toMatchObject({ decision: { action: 'RELEASE', by: 'OPERATOR', operatorId: 'op7', reasons: ['S05', 'S03'] } });
  });

  it.each([
    ['releasing against the model without a reason', lowConfidence, { action: 'RELEASE', supervisor: false }],
    ['HOLD_LOCK by a non-supervisor', lowConfidence, { action: 'HOLD_LOCK', supervisor: false }],
  ] as const)('refuses %s and keeps waiting', (_n, proposed, op) => {
    const { state, effects } = run([
      { type: 'decided', decision: proposed, review: true, now: 100 },
      { type: 'operator', operatorId: 'op1', now: 200, ...op },
    ]);
    expect(state.kind).toBe('review');
    expect(alarms(effects)).toEqual(['OPERATOR_REFUSED']);
    expect(sends(effects)).toEqual([]);
  });

  it('never sends a HOLD_LOCK verdict to review, and an operator cannot release it', () => {
    const { state, effects } = run([{ type: 'decided', decision: lock, review: true, now: 100 }]);
    expect(state.kind).toBe('signalled');
    expect(sends(effects)).toEqual(['HOLD']);
  });

  it('refuses an operator release before the inspection result exists, but accepts a hold', () => {
    const a = run([{ type: 'operator', action: 'RELEASE', operatorId: 'op1', reason: 'looks fine', supervisor: true, now: 50 }]);
    expect(a.state.kind).toBe('inspecting');
    expect(alarms(a.effects)).toEqual(['OPERATOR_REFUSED']);
    const b = run([{ type: 'operator', action: 'HOLD', operatorId: 'op1', supervisor: false, now: 50 }]);
    expect(sends(b.effects)).toEqual(['HOLD']);
  });

  it('raises an alarm when the conveyor does not acknowledge, or acknowledges the wrong command', () => {
    const sent = run([{ type: 'decided', decision: release, review: false, now: 0 }, { type: 'committed', now: 1 }]).state;
    expect(alarms(run([{ type: 'ack', command: 'HOLD', ok: true, now: 10 }], sent).effects)).toEqual(['ACK_MISMATCH']);
    const timeout = run([{ type: 'tick', now: 501 }], sent);
    expect(timeout.state).toMatchObject({ kind: 'done', ack: 'timeout' });
    expect(alarms(timeout.effects)).toEqual(['ACK_TIMEOUT']);
    const nak = run([{ type: 'ack', command: 'RELEASE', ok: false, now: 10 }], sent);
    expect(nak.state).toMatchObject({ kind: 'done', ack: 'nak' });
    expect(alarms(nak.effects)).toEqual(['CONVEYOR_NAK']);
  });

  it('resolves every in-flight parcel to HOLD after a restart, and leaves signalled ones alone', () => {
    expect(recoverAfterRestart(initialState(5))).toMatchObject({ action: 'HOLD', reasons: ['S04'], by: 'FAILSAFE' });
    expect(recoverAfterRestart({ kind: 'committing', deadlineAt: 5, decision: release })).toMatchObject({ action: 'HOLD' });
    expect(recoverAfterRestart({ kind: 'signalled', deadlineAt: 5, decision: release, command: 'RELEASE', ackBy: 9 })).toBeUndefined();
  });
});

describe('the parcel state machine, for any sequence of inputs', () => {
  const decision = fc.constantFrom(release, hold, lock, lowConfidence);
  const input: fc.Arbitrary<Omit<ParcelInput, 'now'> & { dt: number }> = fc.oneof(
    fc.record({ type: fc.constant('decided' as const), decision, review: fc.boolean(), dt: fc.nat(4000) }),
    fc.record({
      type: fc.constant('operator' as const),
      action: fc.constantFrom('RELEASE' as const, 'HOLD' as const, 'HOLD_LOCK' as const),
      operatorId: fc.constant('op'),
      reason: fc.option(fc.constantFrom('', 'checked'), { nil: undefined }),
      supervisor: fc.boolean(),
      dt: fc.nat(4000),
    }),
    fc.record({ type: fc.constant('committed' as const), dt: fc.nat(4000) }),
    fc.record({ type: fc.constant('commitFailed' as const), error: fc.constant('io'), dt: fc.nat(4000) }),
    fc.record({ type: fc.constant('ack' as const), command: fc.constantFrom('RELEASE' as const, 'HOLD' as const), ok: fc.boolean(), dt: fc.nat(4000) }),
    fc.record({ type: fc.constant('tick' as const), dt: fc.nat(4000) }),
    fc.record({ type: fc.constant('stopping' as const), dt: fc.nat(4000) }),
  );

  it('sends at most one command, and RELEASE only right after its commit succeeded before the deadline', () => {
    fc.assert(
      fc.property(fc.array(input, { maxLength: 12 }), (steps) => {
        let state: ParcelState = initialState(DEADLINE);
        let now = 0;
        let sent = 0;
        for (const { dt, ...rest } of steps) {
          now += dt;
          const i = { ...rest, now } as ParcelInput;
          const before = state;
          const step = transition(state, i, T);
          for (const e of step.effects) {
            if (e.type !== 'send') continue;
            sent++;
            if (e.command === 'RELEASE') {
              expect(i.type).toBe('committed');
              expect(before.kind).toBe('committing');
              expect(before.kind === 'committing' && before.decision.action).toBe('RELEASE');
              expect(now).toBeLessThan(DEADLINE);
            }
          }
          state = step.state;
        }
        expect(sent).toBeLessThanOrEqual(1);
      }),
      { numRuns: 3000 },
    );
  });

  it('always reaches a final state once time passes the deadline and the ack window', () => {
    fc.assert(
      fc.property(fc.array(input, { maxLength: 8 }), (steps) => {
        let state: ParcelState = initialState(DEADLINE);
        let now = 0;
        for (const { dt, ...rest } of steps) {
          now += dt;
          state = transition(state, { ...rest, now } as ParcelInput, T).state;
        }
        const late = Math.max(now, DEADLINE) + T.operatorReviewMs + T.ackTimeoutMs + 1;
        state = transition(state, { type: 'tick', now: late }, T).state;
        state = transition(state, { type: 'tick', now: late + T.ackTimeoutMs + 1 }, T).state;
        expect(state.kind).toBe('done');
      }),
      { numRuns: 2000 },
    );
  });
});
