// Fuzzing the parcel path (src/main/line): the correlator with arbitrary event streams (duplicate and
// missing sequence numbers, time running backwards, no tunnel events), the parcel state machine with
// faults at any point and a jumping clock, and the runtime itself with faults injected into every
// dependency (inspection, declaration lookup, rules, storage, conveyor). test/unit/line already
// checks well-formed streams and "RELEASE only right after its commit"; the properties here are the
// fault side of the one rule: no path releases a parcel after a fault, and every parcel ends in
// exactly one command.
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { chosenWaybill, correlate, emptyCorrelator, type CorrelatedParcel, type CorrelatorConfig, type CorrelatorEvent, type CorrelatorOutput } from '../../src/main/line/correlator.ts';
import { initialState, recoverAfterRestart, transition, type Decision, type ParcelInput, type ParcelState } from '../../src/main/line/parcel-machine.ts';
import { ParcelRepository } from '../../src/main/line/repository.ts';
import { LineRuntime, type ConveyorPort, type LineEvent, type LineImage } from '../../src/main/line/runtime.ts';
import { decide, defaultPack } from '../../src/main/rules/index.ts';
import { openDatabase, type Db } from '../../src/main/storage/db.ts';
import type { InspectionOutput } from '../../src/shared/domain/detection.ts';
import type { ReasonCode } from '../../src/shared/domain/reasons.ts';
import { declaration, det, inspection, rulesConfig } from '../unit/rules/fixtures.ts';
import { tempDir } from '../helpers/tmp.ts';
import { fuzzTarget, fuzzTimeout } from './harness.ts';

const fuzz = fuzzTarget('line (correlator, parcel machine, runtime with injected faults)');

// ---- the correlator ----

describe('the correlator, for arbitrary event streams', () => {
  const at = fc.integer({ min: 0, max: 60_000 });
  const seq = fc.integer({ min: 0, max: 6 });
  const ev: fc.Arbitrary<CorrelatorEvent<string>> = fc.oneof(
    fc.record({ type: fc.constant('tunnel' as const), kind: fc.constantFrom('in' as const, 'out' as const), seq, at }),
    fc.record({ type: fc.constant('image' as const), seq: fc.option(seq, { nil: undefined }), at, image: fc.constantFrom('a', 'b', 'c') }).map((e) => (e.seq === undefined ? { type: e.type, at: e.at, image: e.image } : e)),
    fc.record({ type: fc.constant('read' as const), code: fc.constantFrom('SF1', 'SF2', 'SF3', 'X'), valid: fc.boolean(), at, seq: fc.option(seq, { nil: undefined }) }).map(({ seq: s, ...e }) => (s === undefined ? e : { ...e, seq: s })),
    fc.record({ type: fc.constant('noread' as const), at }),
    fc.record({ type: fc.constant('weight' as const), kg: fc.double({ min: 0, max: 50, noNaN: true }), stable: fc.boolean(), at }),
    fc.record({ type: fc.constant('tick' as const), now: at }),
  );
  const cfg: fc.Arbitrary<CorrelatorConfig> = fc.record({
    windowMs: fc.integer({ min: 0, max: 3000 }),
    readOffsetMs: fc.integer({ min: -3000, max: 3000 }),
    weightOffsetMs: fc.integer({ min: -3000, max: 3000 }),
    toleranceMs: fc.integer({ min: 0, max: 2000 }),
    ambiguityMs: fc.integer({ min: 0, max: 500 }),
    maxInTunnelMs: fc.integer({ min: 1, max: 20_000 }),
    tunnelEvents: fc.boolean(),
    expectWeight: fc.boolean(),
  });

  it(
    'never throws, closes every parcel once, flags every parcel it cannot vouch for, and loses no read or image',
    () => {
      fuzz.check(
        'correlator: arbitrary streams',
        fc.property(fc.array(ev, { maxLength: 40 }), cfg, (events, c) => {
          let s = emptyCorrelator<string>();
          const out: CorrelatorOutput<string>[] = [];
          for (const e of [...events, { type: 'tick' as const, now: 10_000_000 }]) {
            const r = correlate(s, e, c);
            s = r.state;
            out.push(...r.out);
            expect(s.closedSeqs.length).toBeLessThanOrEqual(512);
          }
          expect(s.open).toHaveLength(0);
          expect(s.pending).toHaveLength(0);
          const closed = out.flatMap((o) => (o.type === 'closed' ? [o.parcel] : []));
          expect(new Set(closed.map((p) => p.id)).size).toBe(closed.length);
          for (const p of closed) {
            if (p.image === undefined) expect(p.issues).toContain('NO_IMAGE');
            // A parcel the rules could release must have exactly one valid waybill; otherwise it is flagged (S01).
            if (chosenWaybill(p) === undefined) expect(p.issues.some((i) => i === 'NO_READ' || i === 'MULTI_READ')).toBe(true);
          }
          const orphans = out.flatMap((o) => (o.type === 'orphan' ? [o.event] : []));
          const imaged = out.filter((o) => o.type === 'image').length;
          for (const e of events) {
            if (e.type === 'read') expect(orphans.includes(e) || closed.some((p: CorrelatedParcel<string>) => p.reads.some((r) => r.code === e.code)), `read ${e.code}@${e.at} lost`).toBe(true);
          }
          expect(imaged + orphans.filter((e) => e.type === 'image').length).toBe(events.filter((e) => e.type === 'image').length);
        }),
      );
    },
    fuzzTimeout(5),
  );
});

// ---- the parcel state machine ----

describe('the parcel state machine, with faults and a jumping clock', () => {
  const DEADLINE = 10_000;
  const T = { operatorReviewMs: 2000, ackTimeoutMs: 500 };
  const codes: ReasonCode[] = ['D01', 'W01', 'P01', 'S01', 'S03', 'S04', 'M01'] as ReasonCode[];
  // What the runtime hands the machine: the rules' verdict (AUTO, any action) or its own fail-safe HOLD.
  const decision: fc.Arbitrary<Decision> = fc.oneof(
    fc.record({ action: fc.constantFrom('RELEASE' as const, 'HOLD' as const, 'HOLD_LOCK' as const), reasons: fc.subarray(codes), by: fc.constant('AUTO' as const) }),
    fc.record({ action: fc.constant('HOLD' as const), reasons: fc.constant(['S04'] as ReasonCode[]), by: fc.constant('FAILSAFE' as const), note: fc.string({ maxLength: 10 }) }),
  );
  const input: fc.Arbitrary<Omit<ParcelInput, 'now'> & { dt: number }> = fc.oneof(
    fc.record({ type: fc.constant('decided' as const), decision, review: fc.boolean(), dt: fc.integer({ min: -3000, max: 6000 }) }),
    fc.record({
      type: fc.constant('operator' as const),
      action: fc.constantFrom('RELEASE' as const, 'HOLD' as const, 'HOLD_LOCK' as const),
      operatorId: fc.string({ maxLength: 8 }),
      reason: fc.option(fc.string({ maxLength: 12 }), { nil: undefined }),
      supervisor: fc.boolean(),
      dt: fc.integer({ min: -3000, max: 6000 }),
    }),
    fc.record({ type: fc.constant('committed' as const), dt: fc.integer({ min: -3000, max: 6000 }) }),
    fc.record({ type: fc.constant('commitFailed' as const), error: fc.string({ maxLength: 10 }), dt: fc.integer({ min: -3000, max: 6000 }) }),
    fc.record({ type: fc.constant('ack' as const), command: fc.constantFrom('RELEASE' as const, 'HOLD' as const), ok: fc.boolean(), dt: fc.integer({ min: -3000, max: 6000 }) }),
    fc.record({ type: fc.constant('tick' as const), dt: fc.integer({ min: -3000, max: 6000 }) }),
  );
  const FAULTS = new Set(['DEADLINE_MISSED', 'REVIEW_TIMEOUT', 'COMMIT_FAILED']);

  it(
    'after any fault no RELEASE leaves; a fail-safe decision is always HOLD; every command follows its commit; restart recovery only holds',
    () => {
      fuzz.check(
        'parcel machine: faults end in HOLD',
        fc.property(fc.array(input, { maxLength: 14 }), (steps) => {
          let state: ParcelState = initialState(DEADLINE);
          let now = 0;
          let faulted = false;
          let committed: Decision | undefined;
          for (const { dt, ...rest } of steps) {
            now += dt;
            const i = { ...rest, now } as ParcelInput;
            const step = transition(state, i, T);
            for (const e of step.effects) {
              if (e.type === 'alarm' && FAULTS.has(e.code)) faulted = true;
              if (e.type === 'commit') {
                committed = e.decision;
                if (e.decision.by === 'FAILSAFE') expect(e.decision.action).toBe('HOLD');
              }
              if (e.type === 'send') {
                expect(committed, 'a command left before its decision was handed to storage').toBeDefined();
                if (e.command === 'RELEASE') {
                  expect(faulted, 'RELEASE after a fault').toBe(false);
                  expect(committed!.action).toBe('RELEASE');
                  expect(committed!.by).not.toBe('FAILSAFE');
                }
              }
            }
            if (i.type === 'commitFailed' && state.kind === 'committing') expect(step.effects.some((e) => e.type === 'send' && e.command === 'HOLD')).toBe(true);
            state = step.state;
            if (state.kind === 'done' && state.command === 'RELEASE') expect(state.decision.action).toBe('RELEASE');
            const rec = recoverAfterRestart(state);
            if (rec) expect(rec.action).toBe('HOLD');
          }
        }),
      );
    },
    fuzzTimeout(2),
  );
});

// ---- the runtime, with a fault plan per parcel ----

type Plan = {
  inspect: 'ok' | 'throw' | 'reject-string' | 'late';
  lookup: 'ok' | 'throw' | 'empty';
  decide: 'rules' | 'throw';
  create: 'ok' | 'throw';
  commit: 'ok' | 'throw' | 'throw-release';
  recordCommand: 'ok' | 'throw';
  conveyor: 'ack' | 'nak' | 'wrong' | 'reject' | 'hang';
  read: 'one' | 'none' | 'two';
  image: boolean;
  detections: 'clean' | 'knife' | 'low';
};
const planArb: fc.Arbitrary<Plan> = fc.record({
  inspect: fc.constantFrom('ok', 'ok', 'throw', 'reject-string', 'late'),
  lookup: fc.constantFrom('ok', 'ok', 'throw', 'empty'),
  decide: fc.constantFrom('rules', 'rules', 'throw'),
  create: fc.constantFrom('ok', 'ok', 'throw'),
  commit: fc.constantFrom('ok', 'ok', 'throw', 'throw-release'),
  recordCommand: fc.constantFrom('ok', 'throw'),
  conveyor: fc.constantFrom('ack', 'ack', 'nak', 'wrong', 'reject', 'hang'),
  read: fc.constantFrom('one', 'one', 'none', 'two'),
  image: fc.constantFrom(true, true, true, false),
  detections: fc.constantFrom('clean', 'clean', 'knife', 'low'),
});
/** Faults on the parcel's own path: with any of these, the parcel must not be released. */
const clean = (p: Plan): boolean => p.inspect === 'ok' && p.lookup === 'ok' && p.decide === 'rules' && p.create === 'ok' && p.commit === 'ok' && p.read === 'one' && p.image;

describe('the line runtime with injected faults', () => {
  const dbs: Db[] = [];
  afterAll(() => {
    for (const d of dbs) d.close();
  });

  it(
    'every parcel gets exactly one command; RELEASE only with no fault on its path and its RELEASE verdict already on disk',
    async () => {
      const dir = tempDir();
      const { db } = openDatabase(join(dir, 'station.db'));
      dbs.push(db);
      const pack = defaultPack();
      const rules = rulesConfig();
      const cfg: CorrelatorConfig = { windowMs: 500, readOffsetMs: -1000, weightOffsetMs: -1000, toleranceMs: 500, ambiguityMs: 50, maxInTunnelMs: 10_000, tunnelEvents: true, expectWeight: true };
      let nextSeq = 1;
      let ids = 0;
      let releases = 0;
      const waybill = (seq: number) => `SF${String(seq).padStart(13, '0')}`;

      await fuzz.checkAsync(
        'runtime: fault plans per parcel',
        fc.asyncProperty(fc.array(planArb, { minLength: 1, maxLength: 3 }), async (plans) => {
          const bySeq = new Map<number, Plan>();
          const seqOfScan = new Map<string, number>();
          const late: (() => void)[] = [];
          const sent: { seq: number; command: string; verdictOnDisk: string | undefined }[] = [];
          const events: LineEvent[] = [];
          const clock = { t: Date.parse('2026-11-27T08:00:00.000Z') + nextSeq * 100_000 };
          const planOf = (seq: number | undefined): Plan | undefined => (seq === undefined ? undefined : bySeq.get(seq));

          class FaultyRepo extends ParcelRepository {
            override createParcel(...a: Parameters<ParcelRepository['createParcel']>): void {
              if (a[0].tunnelSeq !== undefined) seqOfScan.set(a[0].scanId, a[0].tunnelSeq);
              if (planOf(a[0].tunnelSeq)?.create === 'throw') throw new Error('disk I/O error');
              super.createParcel(...a);
            }
            override commitVerdict(...a: Parameters<ParcelRepository['commitVerdict']>): void {
              const p = planOf(seqOfScan.get(a[0].scanId));
              if (p?.commit === 'throw' || (p?.commit === 'throw-release' && a[0].action === 'RELEASE')) throw new Error('database or disk is full');
              super.commitVerdict(...a);
            }
            override recordCommand(...a: Parameters<ParcelRepository['recordCommand']>): void {
              const scan = (db.prepare('SELECT scan_id FROM verdict WHERE verdict_id = ?').get(a[0]) as { scan_id: string } | undefined)?.scan_id;
              if (scan && planOf(seqOfScan.get(scan))?.recordCommand === 'throw') throw new Error('SQLITE_BUSY');
              super.recordCommand(...a);
            }
          }
          const conveyor: ConveyorPort = {
            send(cmd) {
              const row = db.prepare('SELECT v.action FROM verdict v JOIN parcel p ON p.scan_id = v.scan_id WHERE p.tunnel_seq = ? ORDER BY v.decided_at DESC, v.rowid DESC LIMIT 1').get(cmd.parcelId) as { action: string } | undefined;
              sent.push({ seq: cmd.parcelId, command: cmd.command, verdictOnDisk: row?.action });
              const c = planOf(cmd.parcelId)?.conveyor ?? 'ack';
              if (c === 'hang') return new Promise(() => {});
              if (c === 'reject') return Promise.reject(new Error('ECONNRESET'));
              return Promise.resolve({ command: c === 'wrong' ? (cmd.command === 'RELEASE' ? 'HOLD' : 'RELEASE') : cmd.command, ok: c !== 'nak' });
            },
          };
          const line = new LineRuntime({
            stationId: 'fuzz-01',
            lineId: 'line-1',
            repo: new FaultyRepo(db),
            imagesDir: join(dir, 'images'),
            inspect: (img: LineImage) => {
              const p = planOf(img.width);
              const out = inspection(p?.detections === 'knife' ? [det('phone'), det('knife', 0.95)] : p?.detections === 'low' ? [det('phone'), det('knife', 0.45)] : [det('phone'), det('shirt', 0.1)]);
              if (p?.inspect === 'throw') return Promise.reject(new Error('worker crashed'));
              if (p?.inspect === 'reject-string') return Promise.reject('not an Error');
              if (p?.inspect === 'late') return new Promise<InspectionOutput>((r) => late.push(() => r(out)));
              return Promise.resolve(out);
            },
            lookup: (n) => {
              const p = planOf(Number(n.slice(2)));
              if (p?.lookup === 'throw') throw new Error('SQLITE_CORRUPT');
              if (p?.lookup === 'empty') return [];
              return [declaration({ logisticsNo: n, dataAsOf: new Date(clock.t).toISOString() })];
            },
            decide: (input) => {
              if (planOf(seqOfScan.get(input.scanId))?.decide === 'throw') throw new TypeError("Cannot read properties of undefined (reading 'gcode')");
              return decide(input, pack, rules);
            },
            conveyor,
            online: () => true,
            now: () => clock.t,
            newId: () => `01FUZZ${String(++ids).padStart(20, '0')}`,
            correlator: cfg,
            deadlineMs: 3000,
            timing: { operatorReviewMs: 1500, ackTimeoutMs: 300 },
            onEvent: (e) => events.push(e),
          });

          const seqs: number[] = [];
          for (const p of plans) {
            const seq = nextSeq++;
            seqs.push(seq);
            bySeq.set(seq, p);
            const t = clock.t;
            if (p.read !== 'none') line.feed({ type: 'read', code: waybill(seq), valid: true, at: t });
            if (p.read === 'two') line.feed({ type: 'read', code: waybill(seq + 500_000), valid: true, at: t });
            line.feed({ type: 'weight', kg: 1.2, stable: true, at: t });
            clock.t = t + 1000;
            line.feed({ type: 'tunnel', kind: 'in', seq, at: clock.t });
            clock.t += 800;
            line.feed({ type: 'tunnel', kind: 'out', seq, at: clock.t });
            clock.t += 50;
            if (p.image) line.feed({ type: 'image', seq, at: clock.t, image: { encoded: Uint8Array.of(137, 80, 78, 71, seq & 0xff, (seq >> 8) & 0xff, (seq >> 16) & 0xff), format: 'png', width: seq, height: 480 } });
            clock.t += 700;
          }
          const turns = async () => {
            for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
          };
          await turns(); // inspections resolve, verdicts commit, commands leave
          // Deadlines pass (a late inspection is still running), then its result arrives, then ack windows close.
          clock.t += 10_000;
          line.tick();
          await turns();
          for (const f of late) f();
          await line.settle();
          for (let round = 0; round < 2; round++) {
            clock.t += 10_000;
            line.tick();
            await line.settle();
            await turns();
          }

          expect(line.activeParcels()).toEqual([]);
          for (const seq of seqs) {
            const mine = sent.filter((s) => s.seq === seq);
            expect(mine, `parcel ${seq}: ${JSON.stringify(bySeq.get(seq))}`).toHaveLength(1);
            if (mine[0]!.command === 'RELEASE') {
              releases++;
              expect(clean(bySeq.get(seq)!), `released despite a fault: ${JSON.stringify(bySeq.get(seq))}`).toBe(true);
              expect(mine[0]!.verdictOnDisk).toBe('RELEASE');
            }
          }
        }),
        {
          fraction: 0.3,
          examples: [[[{ inspect: 'ok', lookup: 'ok', decide: 'rules', create: 'ok', commit: 'ok', recordCommand: 'ok', conveyor: 'ack', read: 'one', image: true, detections: 'clean' }]]],
        },
      );
      // Not vacuous: the clean example (at least) went all the way to a RELEASE.
      expect(releases).toBeGreaterThan(0);
    },
    fuzzTimeout(40, 0.3),
  );
});
