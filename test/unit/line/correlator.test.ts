import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  chosenWaybill,
  closeAllOpen,
  correlate,
  correlatorConfigFromBelt,
  emptyCorrelator,
  type CorrelatedParcel,
  type CorrelatorConfig,
  type CorrelatorEvent,
  type CorrelatorOutput,
} from '../../../src/main/line/correlator.ts';

// Reader and scale 0.5 m before the tunnel on a 0.3 m/s belt: reads come ~1667 ms before tunnel entry.
const belt = correlatorConfigFromBelt({ beltSpeedMps: 0.3, barcodeToTunnelM: 0.5, correlationWindowMs: 1500, tunnelEvents: true, expectWeight: true });

function feed(events: CorrelatorEvent<string>[], cfg: CorrelatorConfig = belt) {
  let state = emptyCorrelator<string>();
  const out: CorrelatorOutput<string>[] = [];
  for (const e of events) {
    const r = correlate(state, e, cfg);
    state = r.state;
    out.push(...r.out);
  }
  return { state, out, closed: out.filter((o) => o.type === 'closed').map((o) => (o as { parcel: CorrelatedParcel<string> }).parcel) };
}
const read = (code: string, at: number, valid = true): CorrelatorEvent<string> => ({ type: 'read', code, valid, at });
const weight = (kg: number, at: number): CorrelatorEvent<string> => ({ type: 'weight', kg, stable: true, at });
const tin = (seq: number, at: number): CorrelatorEvent<string> => ({ type: 'tunnel', kind: 'in', seq, at });
const tout = (seq: number, at: number): CorrelatorEvent<string> => ({ type: 'tunnel', kind: 'out', seq, at });
const image = (seq: number | undefined, at: number, name = `img${seq}`): CorrelatorEvent<string> => ({ type: 'image', at, image: name, ...(seq !== undefined ? { seq } : {}) });
const tick = (now: number): CorrelatorEvent<string> => ({ type: 'tick', now });

describe('the correlator', () => {
  it('pairs a read, a weight, the tunnel events and the image by sequence number, closing as soon as all are in', () => {
    const r = feed([read('SF1000000000001', 0), weight(1.2, 10), tin(7, 1667), tout(7, 3000), image(7, 3100)]);
    expect(r.closed).toHaveLength(1);
    expect(r.closed[0]).toMatchObject({ seq: 7, image: 'img7', weightKg: 1.2, issues: [], imageAt: 3100 });
    expect(chosenWaybill(r.closed[0]!)).toBe('SF1000000000001');
    expect(r.out[0]).toMatchObject({ type: 'image' });
  });

  it('announces the image before closing so inference can start while evidence is still missing', () => {
    const r = feed([tin(1, 1000), tout(1, 2000), image(1, 2050)]);
    expect(r.out.map((o) => o.type)).toEqual(['image']);
    expect(r.state.open).toHaveLength(1);
  });

  it('waits for a late barcode within the window and then closes', () => {
    const after = { ...belt, readOffsetMs: 2500, weightOffsetMs: 0, expectWeight: false }; // reader after the tunnel
    const r = feed([tin(1, 1000), tout(1, 2000), image(1, 2100), read('SF2', 3400), tick(3700)], after);
    expect(r.closed).toHaveLength(1);
    expect(chosenWaybill(r.closed[0]!)).toBe('SF2');
    expect(r.closed[0]!.issues).toEqual([]);
  });

  it('closes a parcel with no read at the end of its window, flagged NO_READ', () => {
    const r = feed([{ type: 'noread', at: 0 }, weight(1, 0), tin(1, 1667), tout(1, 2500), image(1, 2600), tick(4099)]);
    expect(r.closed).toHaveLength(0);
    const done = feed([{ type: 'noread', at: 0 }, weight(1, 0), tin(1, 1667), tout(1, 2500), image(1, 2600), tick(4100)]);
    expect(done.closed[0]).toMatchObject({ noReads: 1, issues: ['NO_READ'] });
  });

  it('keeps two parcels close together apart, and flags a read that could belong to either', () => {
    const apart = feed([read('A1', 0), weight(1, 0), read('B2', 400), weight(2, 400), tin(1, 1667), tin(2, 2067), tout(1, 2600), tout(2, 3000), image(1, 2700), image(2, 3100), tick(6000)]);
    const bySeq = Object.fromEntries(apart.closed.map((p) => [p.seq, p]));
    expect(chosenWaybill(bySeq[1]!)).toBe('A1');
    expect(chosenWaybill(bySeq[2]!)).toBe('B2');
    expect(bySeq[1]!.weightKg).toBe(1);
    expect(bySeq[2]!.weightKg).toBe(2);
    expect(apart.closed.flatMap((p) => p.issues)).toEqual([]);

    const between = feed([read('X9', 1000), tin(1, 2620), tin(2, 2720), tick(20_000)]);
    expect(between.closed.some((p) => p.issues.includes('AMBIGUOUS'))).toBe(true);
  });

  it('flags a parcel whose image never came (NO_IMAGE) and an image that had no tunnel entry (SEQ_GAP)', () => {
    const r = feed([read('SF3', 0), weight(1, 0), tin(1, 1667), tout(1, 2500), tick(4000)]);
    expect(r.closed[0]!.issues).toContain('NO_IMAGE');
    const gap = feed([image(9, 5000), tick(7000)]);
    expect(gap.closed[0]!.issues).toEqual(expect.arrayContaining(['SEQ_GAP', 'NO_READ']));
  });

  it('reports an image that arrives after its parcel closed as an orphan instead of opening a second parcel', () => {
    const r = feed([read('SF7', 0), weight(1, 0), tin(3, 1667), tout(3, 2500), tick(4001), image(3, 4500), tick(9000)]);
    expect(r.closed).toHaveLength(1);
    expect(r.closed[0]!.issues).toContain('NO_IMAGE');
    expect(r.out).toContainEqual(expect.objectContaining({ type: 'orphan', why: expect.stringContaining('after its parcel was closed') }));
  });

  it('counts a code read twice once, and flags two different codes as MULTI_READ', () => {
    const dup = feed([read('SF4', 0), read('SF4', 30), weight(1, 0), tin(1, 1667), tout(1, 2500), image(1, 2600), tick(5000)]);
    expect(dup.closed[0]!.reads.map((x) => x.code)).toEqual(['SF4']);
    expect(dup.closed[0]!.issues).toEqual([]);
    const multi = feed([read('SF4', 0), read('SF5', 30), weight(1, 0), tin(1, 1667), tout(1, 2500), image(1, 2600), tick(5000)]);
    expect(multi.closed[0]!.issues).toContain('MULTI_READ');
    expect(chosenWaybill(multi.closed[0]!)).toBeUndefined();
  });

  it('queues images without sequence numbers in photo-eye order', () => {
    const r = feed([tin(1, 1000), tin(2, 1500), tout(1, 2000), tout(2, 2500), image(undefined, 2100, 'first'), image(undefined, 2600, 'second'), tick(9000)]);
    const bySeq = Object.fromEntries(r.closed.map((p) => [p.seq, p.image]));
    expect(bySeq).toEqual({ 1: 'first', 2: 'second' });
  });

  it('opens parcels from images when the scanner sends no tunnel events', () => {
    const cfg = { ...belt, tunnelEvents: false, expectWeight: false, readOffsetMs: -1000 };
    const r = feed([read('SF6', 1000), image(undefined, 2000, 'p'), tick(2200)], cfg);
    expect(r.closed[0]).toMatchObject({ image: 'p', issues: [] });
    expect(chosenWaybill(r.closed[0]!)).toBe('SF6');
  });

  it('pairs reads and weights tagged with the tunnel sequence regardless of time, even at a high rate', () => {
    const events: CorrelatorEvent<string>[] = [];
    for (let i = 1; i <= 50; i++) {
      const t = i * 40; // 25 parcels/s
      events.push({ type: 'read', code: `SF${i}`, valid: true, at: t + 30, seq: i }, { type: 'weight', kg: i / 10, stable: true, at: t + 31, seq: i });
      events.push(tin(i, t), tout(i, t + 20), image(i, t + 25));
    }
    events.sort((a, b) => (a as { at: number }).at - (b as { at: number }).at);
    const r = feed([...events, tick(60_000)]);
    expect(r.closed).toHaveLength(50);
    for (const p of r.closed) {
      expect(p.issues).toEqual([]);
      expect(chosenWaybill(p)).toBe(`SF${p.seq}`);
      expect(p.weightKg).toBe(p.seq! / 10);
    }
  });

  it('reports a read no parcel claims as an orphan instead of dropping it', () => {
    const r = feed([read('LOST', 0), tick(10_000)]);
    expect(r.out).toContainEqual(expect.objectContaining({ type: 'orphan', event: expect.objectContaining({ code: 'LOST' }) }));
  });

  it('closes a parcel stuck in the tunnel', () => {
    const r = feed([tin(1, 0), tick(belt.maxInTunnelMs)]);
    expect(r.closed[0]!.issues).toEqual(expect.arrayContaining(['NO_IMAGE', 'NO_READ']));
  });
});

describe('the correlator, for any stream of line events', () => {
  it('closes every parcel exactly once and accounts for every read: in one parcel or reported as an orphan', () => {
    const parcel = fc.record({
      gap: fc.integer({ min: 50, max: 3000 }),
      code: fc.option(fc.stringMatching(/^SF[0-9]{6}$/), { nil: undefined }),
      jitter: fc.integer({ min: -400, max: 400 }),
      image: fc.boolean(),
      exit: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(parcel, { maxLength: 15 }), (ps) => {
        const events: CorrelatorEvent<string>[] = [];
        let t = 0;
        ps.forEach((p, i) => {
          t += p.gap;
          if (p.code) events.push(read(p.code, t - 1667 + p.jitter));
          events.push(tin(i + 1, t));
          if (p.exit) events.push(tout(i + 1, t + 800));
          if (p.image) events.push(image(i + 1, t + 900));
        });
        events.sort((a, b) => (a.type === 'tick' ? a.now : a.at) - (b.type === 'tick' ? b.now : b.at));
        events.push(tick(t + 60_000));
        const r = feed(events);
        const ids = r.closed.map((p) => p.id);
        expect(new Set(ids).size).toBe(ids.length);
        expect(r.closed).toHaveLength(ps.length);
        expect(r.state.open).toHaveLength(0);
        expect(r.state.pending).toHaveLength(0);
        const readsIn = r.closed.reduce((n, p) => n + p.reads.length, 0);
        const orphans = r.out.filter((o) => o.type === 'orphan' && o.event.type === 'read').length;
        const distinctReads = new Set(events.filter((e) => e.type === 'read').map((e) => `${(e as { code: string }).code}`)).size;
        expect(readsIn + orphans).toBeGreaterThanOrEqual(distinctReads);
        for (const p of r.closed) if (!p.image) expect(p.issues).toContain('NO_IMAGE');
      }),
      { numRuns: 500 },
    );
  });

  it('closes every open parcel at a stop with what it has, and drops readings not yet assigned', () => {
    // Parcel 1 still waits for its weight; parcel 2 entered the tunnel with no image yet; a read waits for a parcel still to come.
    const { state } = feed([read('SF1', 0), tin(1, 1667), tout(1, 2000), image(1, 2010), tin(2, 2500), read('SF3', 2600)]);
    expect(state.open.map((p) => p.seq)).toEqual([1, 2]);
    const r = closeAllOpen(state, belt);
    expect(r.state.open).toEqual([]);
    expect(r.state.pending).toEqual([]);
    const closed = r.out.map((o) => (o as { parcel: CorrelatedParcel<string> }).parcel);
    expect(r.out.map((o) => o.type)).toEqual(['closed', 'closed']);
    expect(closed[0]).toMatchObject({ seq: 1, image: 'img1', reads: [{ code: 'SF1' }], issues: [] });
    expect(closed[1]).toMatchObject({ seq: 2, issues: ['NO_READ', 'NO_IMAGE'] });
    expect(state.open).toHaveLength(2); // pure: the state passed in is untouched
  });
});
