// A live line for console tests: real SQLite file, real rules engine and default pack, real HTTP
// server with the console attached; the inspector and the conveyor are fakes at their seams, and
// images are synthetic dual-energy renderings (src/shared/xray) encoded as PNG.
import sharp from 'sharp';
import { parseConfig } from '../../../src/main/config/load.ts';
import { attachConsole, type AttachedConsole } from '../../../src/main/console/index.ts';
import { sendJson, startHttp, type Handler, type HttpServer } from '../../../src/main/http/server.ts';
import type { CorrelatorConfig } from '../../../src/main/line/correlator.ts';
import { ParcelRepository } from '../../../src/main/line/repository.ts';
import { LineRuntime, type LineImage } from '../../../src/main/line/runtime.ts';
import { dataPaths } from '../../../src/main/paths.ts';
import { decide, defaultPack } from '../../../src/main/rules/index.ts';
import { openDatabase, type Db } from '../../../src/main/storage/db.ts';
import type { Declaration } from '../../../src/shared/domain/aed.ts';
import type { Detection, DetectionLabel, InspectionOutput } from '../../../src/shared/domain/detection.ts';
import { encodeNetpbm } from '../../../src/shared/netpbm.ts';
import { renderParcel } from '../../../src/shared/xray/index.ts';
import { declaration, line as declLine } from '../../unit/rules/fixtures.ts';

export interface Scenario {
  waybill: string;
  /** Objects placed in the image and detected with high confidence. */
  objects: DetectionLabel[];
  /** One extra detection in the review band (score 0.45): the parcel waits for an operator. */
  uncertain?: DetectionLabel;
  /** Declared lines; default: a smartphone and two T-shirts. */
  declared?: Declaration['lines'];
  seed?: number;
  /** The scanner sends a raw binary netpbm frame (P6) instead of a PNG. */
  frame?: 'pnm';
}

export interface ConsoleHarness {
  url: string;
  db: Db;
  dataDir: string;
  line: LineRuntime;
  console: AttachedConsole;
  sent: { parcelId: number; command: string; verdictAtSend: string | undefined; at: number }[];
  /** Puts one parcel through the tunnel now; resolves when its events are fed. */
  parcel(seq: number, s: Scenario): Promise<void>;
  /** Renders the parcel's image ahead of time; the returned function feeds it (for timed runs). */
  prepare(seq: number, s: Scenario): Promise<() => void>;
  close(): Promise<void>;
}

const corr: CorrelatorConfig = { windowMs: 60, readOffsetMs: -100, weightOffsetMs: -100, toleranceMs: 30, ambiguityMs: 5, maxInTunnelMs: 10_000, tunnelEvents: true, expectWeight: true };

export async function consoleHarness(o: { dataDir: string; deadlineMs?: number; reviewMs?: number; demo?: boolean; width?: number; height?: number }): Promise<ConsoleHarness> {
  const config = parseConfig({ station: { id: 'demo-01', lineId: 'line-1' } }, {});
  const paths = dataPaths(o.dataDir);
  const { db } = openDatabase(paths.db);
  const health: Handler = (req, res) => {
    if (req.url !== '/health') return false;
    sendJson(res, 200, { status: 'ok' });
    return true;
  };
  const handlers: Handler[] = [health];
  const http: HttpServer = await startHttp('127.0.0.1', 0, handlers);
  const declarations = new Map<string, Declaration>();
  const detections = new Map<number, Detection[]>();
  const sent: ConsoleHarness['sent'] = [];
  const pack = defaultPack();
  // The runtime is built before the console it reports to; events before attach are dropped.
  const ref: { console?: AttachedConsole } = {};
  let id = 0;
  const line = new LineRuntime({
    stationId: config.station.id,
    lineId: config.station.lineId,
    repo: new ParcelRepository(db),
    imagesDir: paths.images,
    inspect: async (img: LineImage & { seq?: number }): Promise<InspectionOutput> => ({ model: 'xray-det@0.1.0', detections: detections.get(img.seq ?? -1) ?? [], inferenceMs: 12, imageWidth: img.width, imageHeight: img.height }),
    lookup: (n) => {
      const d = declarations.get(n);
      return d ? [d] : [];
    },
    decide: (input) => decide(input, pack, config.rules),
    conveyor: {
      async send(cmd) {
        const row = db.prepare('SELECT v.action FROM verdict v JOIN parcel p ON p.scan_id = v.scan_id WHERE p.tunnel_seq = ? ORDER BY v.decided_at DESC LIMIT 1').get(cmd.parcelId) as { action: string } | undefined;
        sent.push({ parcelId: cmd.parcelId, command: cmd.command, verdictAtSend: row?.action, at: Date.now() });
        await new Promise((r) => setTimeout(r, 15));
        return { command: cmd.command, ok: true };
      },
    },
    online: () => true,
    now: Date.now,
    newId: () => `01DEMO${String(Date.now()).slice(-8)}${String(++id).padStart(12, '0')}`,
    correlator: corr,
    deadlineMs: o.deadlineMs ?? 30_000,
    timing: { operatorReviewMs: o.reviewMs ?? 25_000, ackTimeoutMs: 2000 },
    onEvent: (e) => ref.console?.onLineEvent(e),
  });
  const attached = await attachConsole({ http: { server: http.server, handlers }, db, line, config, dataDir: o.dataDir, demo: o.demo ?? true, lookup: (n) => (declarations.get(n) ? [declarations.get(n)!] : []), pack });
  ref.console = attached;
  const now = Date.now();
  for (const [deviceId, kind] of [
    ['scanner-1', 'scanner'],
    ['barcode-1', 'barcode'],
    ['scale-1', 'scale'],
    ['conveyor-1', 'conveyor'],
  ] as const) {
    attached.onDeviceHealth({ type: 'device.health', deviceId, kind, connected: true, lastSeen: now, lastError: null, attempts: 0, at: now });
  }
  const ticker = setInterval(() => line.tick(), 20);

  const harness: ConsoleHarness = {
    url: http.url,
    db,
    dataDir: o.dataDir,
    line,
    console: attached,
    sent,
    async parcel(seq, s) {
      (await harness.prepare(seq, s))();
    },
    async prepare(seq, s) {
      const W = o.width ?? 960;
      const H = o.height ?? 600;
      const p = renderParcel(s.seed ?? seq * 7 + 3, { width: W, height: H, objects: s.objects });
      const encoded =
        s.frame === 'pnm'
          ? Buffer.from(encodeNetpbm(p.width, p.height, 3, 255, p.colour))
          : await sharp(Buffer.from(p.colour), { raw: { width: p.width, height: p.height, channels: 3 } }).png({ compressionLevel: 3 }).toBuffer();
      const dets: Detection[] = p.objects.map((x, i) => ({ label: x.label, score: 0.82 + ((i * 7) % 15) / 100, box: x.box }));
      if (s.uncertain) dets.push({ label: s.uncertain, score: 0.45, box: [Math.round(W * 0.62), Math.round(H * 0.2), Math.round(W * 0.8), Math.round(H * 0.45)] });
      detections.set(seq, dets);
      declarations.set(
        s.waybill,
        declaration({ logisticsNo: s.waybill, dataAsOf: new Date().toISOString(), grossWeightKg: p.weightKg, waybill: { weightKg: p.weightKg }, ...(s.declared ? { lines: s.declared } : {}) }),
      );
      const img: LineImage & { seq: number } = { encoded, format: s.frame ?? 'png', width: p.width, height: p.height, seq };
      return () => {
        const t = Date.now();
        line.feed({ type: 'read', code: s.waybill, valid: true, at: t - 150 });
        line.feed({ type: 'weight', kg: p.weightKg, stable: true, at: t - 150 });
        line.feed({ type: 'tunnel', kind: 'in', seq, at: t - 50 });
        line.feed({ type: 'tunnel', kind: 'out', seq, at: t - 10 });
        line.feed({ type: 'image', seq, at: t, image: img });
      };
    },
    async close() {
      clearInterval(ticker);
      await line.settle();
      await attached.close();
      await http.close();
      db.close();
    },
  };
  return harness;
}

export { declLine };
