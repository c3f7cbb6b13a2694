import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { openDatabase, type Db } from '../../src/main/storage/db.ts';
import { verifyAuditChain } from '../../src/main/storage/audit.ts';
import { ParcelRepository } from '../../src/main/line/repository.ts';
import { LineRuntime, type ConveyorPort, type LineDeps, type LineEvent, type LineImage } from '../../src/main/line/runtime.ts';
import type { CorrelatorConfig } from '../../src/main/line/correlator.ts';
import { decide, defaultPack } from '../../src/main/rules/index.ts';
import type { InspectionOutput } from '../../src/shared/domain/detection.ts';
import type { Declaration } from '../../src/shared/domain/aed.ts';
import { declaration, det, inspection, rulesConfig, WAYBILL } from '../unit/rules/fixtures.ts';
import { tempDir } from '../helpers/tmp.ts';

const cfg: CorrelatorConfig = { windowMs: 500, readOffsetMs: -1000, weightOffsetMs: -1000, toleranceMs: 500, ambiguityMs: 50, maxInTunnelMs: 10_000, tunnelEvents: true, expectWeight: true };
const img: LineImage = { encoded: new Uint8Array([137, 80, 78, 71, 1, 2, 3]), format: 'png', width: 640, height: 480 };

interface Harness {
  db: Db;
  line: LineRuntime;
  clock: { t: number };
  sent: { parcelId: number; command: string; verdictAtSend: string | undefined }[];
  events: LineEvent[];
}
const open: Db[] = [];
afterEach(() => {
  while (open.length) open.pop()!.close();
});

function harness(over: { inspect?: LineDeps['inspect']; lookup?: (n: string) => Declaration[]; ack?: boolean; dir?: string; repo?: (db: Db) => ParcelRepository } = {}): Harness {
  const dir = over.dir ?? tempDir();
  const { db } = openDatabase(join(dir, 'station.db'));
  open.push(db);
  const clock = { t: 1_000_000 };
  const sent: Harness['sent'] = [];
  const events: LineEvent[] = [];
  let id = 0;
  const repo = over.repo ? over.repo(db) : new ParcelRepository(db);
  const conveyor: ConveyorPort = {
    async send(cmd) {
      // The one rule, checked at the moment the command leaves: the verdict is already on disk.
      const row = db.prepare('SELECT v.action FROM verdict v JOIN parcel p ON p.scan_id = v.scan_id WHERE p.tunnel_seq = ? ORDER BY v.decided_at DESC LIMIT 1').get(cmd.parcelId) as { action: string } | undefined;
      sent.push({ parcelId: cmd.parcelId, command: cmd.command, verdictAtSend: row?.action });
      if (over.ack === false) return new Promise(() => {});
      return { command: cmd.command, ok: true };
    },
  };
  const pack = defaultPack();
  const rules = rulesConfig();
  const line = new LineRuntime({
    stationId: 'test-01',
    lineId: 'line-1',
    repo,
    imagesDir: join(dir, 'images'),
    inspect: over.inspect ?? (async () => inspection([det('phone'), det('shirt', 0.1)])),
    lookup: over.lookup ?? ((n) => (n === WAYBILL ? [declaration({ dataAsOf: new Date(clock.t).toISOString() })] : [])),
    decide: (input) => decide(input, pack, rules),
    conveyor,
    online: () => true,
    now: () => clock.t,
    newId: () => `01TEST${String(++id).padStart(20, '0')}`,
    correlator: cfg,
    deadlineMs: 3000,
    timing: { operatorReviewMs: 1500, ackTimeoutMs: 300 },
    onEvent: (e) => events.push(e),
  });
  return { db, line, clock, sent, events };
}

/** One parcel through the tunnel: read, weight, entry, exit, image. */
function parcel(h: Harness, seq: number, code = WAYBILL): void {
  const t = h.clock.t;
  h.line.feed({ type: 'read', code, valid: true, at: t });
  h.line.feed({ type: 'weight', kg: 1.2, stable: true, at: t });
  h.clock.t = t + 1000;
  h.line.feed({ type: 'tunnel', kind: 'in', seq, at: h.clock.t });
  h.clock.t += 800;
  h.line.feed({ type: 'tunnel', kind: 'out', seq, at: h.clock.t });
  h.clock.t += 50;
  h.line.feed({ type: 'image', seq, at: h.clock.t, image: img });
}

async function flush(h: Harness): Promise<void> {
  await h.line.settle();
  await new Promise((r) => setImmediate(r));
}

describe('the inspection line runtime', () => {
  it('releases a parcel that matches its declaration, with the verdict on disk before the command leaves', async () => {
    const h = harness();
    parcel(h, 1);
    await flush(h);
    expect(h.sent).toEqual([{ parcelId: 1, command: 'RELEASE', verdictAtSend: 'RELEASE' }]);
    const v = h.db.prepare('SELECT action, decided_by, divert_result FROM verdict').all();
    expect(v).toEqual([{ action: 'RELEASE', decided_by: 'AUTO', divert_result: 'ok:RELEASE' }]);
    expect(h.db.prepare("SELECT count(*) AS n FROM outbox WHERE kind = 'verdict'").get()).toEqual({ n: 1 });
    expect(h.db.prepare('SELECT state FROM parcel').get()).toEqual({ state: 'done' });
    expect(verifyAuditChain(h.db).ok).toBe(true);
    expect(h.line.metrics.latencyMs.count).toBe(1);
  });

  it('measures latency from image receipt, not from the scanner\'s own stamp, and records where it went', async () => {
    let finish: (v: InspectionOutput) => void = () => {};
    const h = harness({ inspect: () => new Promise<InspectionOutput>((r) => (finish = r)) });
    const t = h.clock.t;
    h.line.feed({ type: 'read', code: WAYBILL, valid: true, at: t });
    h.line.feed({ type: 'weight', kg: 1.2, stable: true, at: t });
    h.line.feed({ type: 'tunnel', kind: 'in', seq: 1, at: t + 1000 });
    h.line.feed({ type: 'tunnel', kind: 'out', seq: 1, at: t + 1800 });
    // Stamped by the scanner at t+1850, held whole by the station 40 ms later; inspection takes 25 ms.
    h.clock.t = t + 1890;
    h.line.feed({ type: 'image', seq: 1, at: t + 1850, image: { ...img, receivedAt: t + 1890 } });
    h.clock.t += 25;
    finish({ ...inspection([det('phone')]), preprocessMs: 6, waitMs: 1 });
    await flush(h);
    expect(h.sent.map((s) => s.command)).toEqual(['RELEASE']);
    const m = h.line.metrics;
    expect(m.latencyMs.summary().max).toBe(25);
    expect(m.stagesMs.transfer.summary().max).toBe(40);
    expect(m.stagesMs.preprocess.summary().max).toBe(6);
    expect(m.stagesMs.wait.summary().max).toBe(1);
    expect(h.db.prepare('SELECT latency_ms FROM verdict').get()).toEqual({ latency_ms: 25 });
    // The deadline still runs from the belt (tunnel exit), not from receipt.
    expect((h.db.prepare('SELECT deadline_at FROM parcel').get() as { deadline_at: string }).deadline_at).toBe(new Date(t + 1800 + 3000).toISOString());
  });

  it('holds when inspection fails (S04) and when the waybill is unknown (D01)', async () => {
    const failing = harness({ inspect: async () => Promise.reject(new Error('worker crashed')) });
    parcel(failing, 1);
    await flush(failing);
    expect(failing.sent.map((s) => s.command)).toEqual(['HOLD']);
    const reasons = JSON.parse((failing.db.prepare('SELECT reasons FROM verdict').get() as { reasons: string }).reasons) as { code: string }[];
    expect(reasons.map((r) => r.code)).toContain('S04');

    const unknown = harness();
    parcel(unknown, 1, 'SF9999999999999');
    await flush(unknown);
    expect(unknown.sent.map((s) => s.command)).toEqual(['HOLD']);
    const r2 = JSON.parse((unknown.db.prepare('SELECT reasons FROM verdict').get() as { reasons: string }).reasons) as { code: string }[];
    expect(r2.map((r) => r.code)).toContain('D01');
  });

  it('holds a parcel whose inspection outlives the deadline, and ignores the late result', async () => {
    let finish: (v: InspectionOutput) => void = () => {};
    const h = harness({ inspect: () => new Promise<InspectionOutput>((r) => (finish = r)) });
    parcel(h, 1);
    await new Promise((r) => setImmediate(r));
    expect(h.sent).toEqual([]);
    h.clock.t += 3001;
    h.line.tick();
    expect(h.sent.map((s) => s.command)).toEqual(['HOLD']);
    expect(h.line.metrics.deadlineMisses).toBe(1);
    finish(inspection([det('phone')]));
    await flush(h);
    expect(h.sent).toHaveLength(1);
    expect(h.db.prepare('SELECT count(*) AS n FROM verdict').get()).toEqual({ n: 1 });
  });

  it('holds instead of releasing when the verdict cannot be recorded', async () => {
    class BrokenRepo extends ParcelRepository {
      override commitVerdict(...args: Parameters<ParcelRepository['commitVerdict']>): void {
        if (args[0].action === 'RELEASE') throw new Error('database or disk is full');
        super.commitVerdict(...args);
      }
    }
    const h = harness({ repo: (db) => new BrokenRepo(db) });
    parcel(h, 1);
    await flush(h);
    expect(h.sent.map((s) => s.command)).toEqual(['HOLD']);
    expect(h.events.some((e) => e.type === 'alarm' && e.code === 'COMMIT_FAILED')).toBe(true);
  });

  it('writes the detections with the verdict, and holds a review parcel whose detections cannot be written', async () => {
    const ok = harness();
    parcel(ok, 1);
    await flush(ok);
    expect(ok.db.prepare('SELECT COUNT(*) AS n FROM detection').get()).toEqual({ n: 2 });

    class NoDetections extends ParcelRepository {
      override saveDetections(): void {
        throw new Error('database or disk is full');
      }
    }
    // A low-confidence knife sends the parcel to review: its detections are written before it waits.
    const h = harness({ repo: (db) => new NoDetections(db), inspect: async () => inspection([det('phone'), det('knife', 0.45)]) });
    parcel(h, 1);
    await flush(h);
    expect(h.line.activeParcels().filter((p) => p.stage === 'review')).toEqual([]);
    expect(h.sent.map((s) => s.command)).toEqual(['HOLD']);
    expect(h.events.some((e) => e.type === 'alarm' && e.code === 'PIPELINE_FAULT')).toBe(true);
  });

  it('raises an alarm and records the timeout when the conveyor never acknowledges', async () => {
    const h = harness({ ack: false });
    parcel(h, 1);
    await flush(h);
    h.clock.t += 301;
    h.line.tick();
    expect(h.events.some((e) => e.type === 'alarm' && e.code === 'ACK_TIMEOUT')).toBe(true);
    expect(h.db.prepare('SELECT divert_result FROM verdict').get()).toEqual({ divert_result: 'timeout:RELEASE' });
  });

  it('lets an operator release a low-confidence parcel only with a reason, attributed in the record', async () => {
    const h = harness({ inspect: async () => inspection([det('phone'), det('knife', 0.45)]) });
    parcel(h, 1);
    await flush(h);
    const waiting = h.line.activeParcels();
    expect(waiting).toHaveLength(1);
    expect(waiting[0]!.stage).toBe('review');
    // The review window (1.5 s here) closes before the diverter deadline (3 s after tunnel exit).
    expect(waiting[0]!.reviewUntil).toBeLessThan(waiting[0]!.deadlineAt);
    expect(h.line.operator(waiting[0]!.scanId, 'RELEASE', 'op7')).toEqual(['releasing against the model needs a reason']);
    expect(h.line.operator(waiting[0]!.scanId, 'RELEASE', 'op7', { reason: 'blade is a phone edge' })).toEqual([]);
    await flush(h);
    expect(h.sent.map((s) => s.command)).toEqual(['RELEASE']);
    expect(h.db.prepare('SELECT decided_by, operator_id FROM verdict').get()).toEqual({ decided_by: 'OPERATOR', operator_id: 'op7' });
    expect(h.db.prepare('SELECT operator_id, reason FROM operator_decision').get()).toEqual({ operator_id: 'op7', reason: 'blade is a phone edge' });
  });

  it('after a restart resolves every parcel that was in flight to HOLD, once, and never releases it', async () => {
    const dir = tempDir();
    const first = harness({ dir, inspect: () => new Promise<InspectionOutput>(() => {}) });
    parcel(first, 1);
    parcel(first, 2);
    await new Promise((r) => setImmediate(r));
    expect(first.sent).toEqual([]);
    first.db.close();
    open.splice(open.indexOf(first.db), 1);

    const second = harness({ dir });
    expect(second.line.recover()).toBe(2);
    expect(second.line.recover()).toBe(0);
    const rows = second.db.prepare('SELECT action, reasons FROM verdict').all() as { action: string; reasons: string }[];
    expect(rows.map((r) => r.action)).toEqual(['HOLD', 'HOLD']);
    expect(rows.every((r) => r.reasons.includes('S04'))).toBe(true);
    expect(second.sent).toEqual([]);
    expect(verifyAuditChain(second.db).ok).toBe(true);
  });

  it('at a clean stop finishes what it began: holds a review parcel and a parcel seen in part, takes no new events', async () => {
    // Parcel 1 goes to review (a low-confidence knife); parcel 2 has entered the tunnel, no image yet.
    const h = harness({ inspect: async () => inspection([det('phone'), det('knife', 0.45)]) });
    parcel(h, 1);
    await flush(h);
    expect(h.line.activeParcels().map((p) => p.stage)).toEqual(['review']);
    h.line.feed({ type: 'read', code: 'SF2000000000002', valid: true, at: h.clock.t });
    h.line.feed({ type: 'weight', kg: 1, stable: true, at: h.clock.t });
    h.clock.t += 1000;
    h.line.feed({ type: 'tunnel', kind: 'in', seq: 2, at: h.clock.t });

    const left = await h.line.drain(2000, 10);
    expect(left).toEqual({ active: 0, ignored: 0, closedEarly: 1 });
    expect(h.sent.map((s) => [s.parcelId, s.command]).sort()).toEqual([
      [1, 'HOLD'],
      [2, 'HOLD'],
    ]);
    const rows = h.db.prepare('SELECT p.tunnel_seq AS seq, p.state, v.action, v.reasons FROM parcel p JOIN verdict v USING (scan_id) ORDER BY seq').all() as { seq: number; state: string; action: string; reasons: string }[];
    expect(rows.map((r) => [r.seq, r.state, r.action])).toEqual([
      [1, 'done', 'HOLD'],
      [2, 'done', 'HOLD'],
    ]);
    expect(JSON.parse(rows[0]!.reasons).map((r: { code: string }) => r.code)).toEqual(['S03']);
    const notes = h.db.prepare("SELECT json_extract(payload, '$.note') AS note FROM audit_log WHERE kind = 'verdict' ORDER BY seq").all() as { note: string | null }[];
    expect(notes.map((n) => n.note)).toContain('station stopped before an operator decided');

    // Intake is closed: a late image starts nothing, and is counted.
    h.line.feed({ type: 'image', seq: 2, at: h.clock.t, image: img });
    parcel(h, 3);
    await flush(h);
    expect(h.sent).toHaveLength(2);
    expect((await h.line.drain(100, 0)).ignored).toBe(6); // the image and parcel 3's five events
    expect(verifyAuditChain(h.db).ok).toBe(true);
  });
});
