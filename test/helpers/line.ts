// The whole line as separate real processes, for end-to-end and fault tests: a Mosquitto broker,
// socat ptys for the barcode reader and the scanner's status channel, `station start --headless` as
// a child process, and in the test process the parts of the line around it (the reader and
// photo-eye writing to their ptys, the scanner publishing images, the conveyor controller acking
// over MQTT). Used by test/integration/line-e2e.test.ts and test/faults/*.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'vitest';
import { StationMqtt } from '../../src/devices/mqtt/client.ts';
import { formatSeq } from '../../src/devices/scanner/status-parser.ts';
import { ConveyorBrain, MqttConveyorSim } from '../../src/devices/sim/conveyor-sim.ts';
import { PtyEndpoint } from '../../src/devices/sim/endpoint.ts';
import { demoParcel, renameParcel, type DemoParcel } from '../../src/main/demo/parcels.ts';
import { mosquittoBroker, onCleanup, tmp, waitFor, type Broker } from '../integration/devices/helpers.ts';
import { ROOT, STATION_BIN, stationSync } from './cli.ts';

export const LINE_STATION_ID = 'e2e-01';
const SEED = 77;
/** Belt 0.5 m/s, reader 0.25 m before the tunnel: reads come 500 ms before the photo-eye. */
export const LEAD_MS = 500;
const TRANSIT_MS = 100;
/** tunnelToDiverterM 5 m at 0.5 m/s − 500 ms margin. */
export const LINE_DEADLINE_MS = 9500;

export interface Line {
  broker: Broker;
  dataDir: string;
  configFile: string;
  barcode: PtyEndpoint;
  status: PtyEndpoint;
  /** The test's own MQTT client: scanner images out, line events in. */
  mqtt: StationMqtt;
  conveyor: ConveyorBrain;
  /** What the station published on line/verdict. */
  verdictEvents: { scanId: string; action: string; command: string }[];
  /** What the station published on line/alarm. */
  alarms: { code: string; detail: string; scanId?: string }[];
  /** The last line/metrics snapshot. */
  metrics: { value?: { parcelsClosed: number; commands: Record<string, number> } };
}

export const dbg = (m: string): void => void (process.env.E2E_DEBUG && process.stderr.write(`[e2e ${new Date().toISOString()}] ${m}\n`));
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function line(): Promise<Line> {
  const broker = await mosquittoBroker();
  dbg('broker up');
  const dataDir = tmp('station-e2e-data-');
  const ptys = tmp('station-e2e-pty-');
  const barcode = await new PtyEndpoint(ptys, 'barcode').open();
  onCleanup(() => barcode.close());
  const status = await new PtyEndpoint(ptys, 'status').open();
  onCleanup(() => status.close());
  const config = {
    station: { id: LINE_STATION_ID, lineId: 'e2e-line' },
    mqtt: { url: broker.url, maxBackoffMs: 1000 },
    devices: {
      barcode: { transport: { kind: 'serial', path: barcode.connectTo } },
      scanner: { images: { kind: 'mqtt' }, status: { kind: 'serial', path: status.connectTo } },
      scale: { enabled: false },
      conveyor: { transport: { kind: 'mqtt' }, ackTimeoutMs: 1500, heartbeatMs: 250, heartbeatMissLimit: 4 },
      supervision: { backoffBaseMs: 50, backoffMaxMs: 500 },
    },
    timing: { beltSpeedMps: 0.5, barcodeToTunnelM: 0.25, tunnelToDiverterM: 5, decisionMarginMs: 500, correlationWindowMs: 800, operatorReviewMs: 1000 },
    rules: { weightRequired: false },
  };
  // JSON is YAML: the station reads this file like any site configuration.
  const configFile = join(tmp('station-e2e-config-'), 'station.yaml');
  writeFileSync(configFile, JSON.stringify(config, null, 2));

  const mqtt = new StationMqtt({ url: broker.url, prefix: 'station', stationId: LINE_STATION_ID, role: 'e2e-line', availability: false, backoff: { baseMs: 100, maxMs: 500, jitter: 0.5 } });
  mqtt.start();
  onCleanup(() => mqtt.stop());
  await mqtt.waitConnected(5000);
  const conveyor = new ConveyorBrain({ heartbeatMs: 250, missLimit: 4, ackDelayMs: 5 });
  const conveyorMqtt = new StationMqtt({ url: broker.url, prefix: 'station', stationId: LINE_STATION_ID, role: 'conveyor', availability: false, backoff: { baseMs: 100, maxMs: 500, jitter: 0.5 } });
  const sim = new MqttConveyorSim(conveyorMqtt, conveyor);
  conveyorMqtt.start();
  onCleanup(() => conveyorMqtt.stop());
  await conveyorMqtt.waitConnected(5000);
  sim.start();
  onCleanup(() => sim.stop());
  dbg('conveyor sim up');
  const verdictEvents: Line['verdictEvents'] = [];
  mqtt.onRaw(`station/${LINE_STATION_ID}/line/verdict`, 1, (_t, payload) => void verdictEvents.push(JSON.parse(payload.toString()) as Line['verdictEvents'][number]));
  const alarms: Line['alarms'] = [];
  mqtt.onRaw(`station/${LINE_STATION_ID}/line/alarm`, 1, (_t, payload) => void alarms.push(JSON.parse(payload.toString()) as Line['alarms'][number]));
  const metrics: Line['metrics'] = {};
  mqtt.onRaw(`station/${LINE_STATION_ID}/line/metrics`, 0, (_t, payload) => void (metrics.value = JSON.parse(payload.toString()) as Line['metrics']['value']));
  return { broker, dataDir, configFile, barcode, status, mqtt, conveyor, verdictEvents, alarms, metrics };
}

/** Synthetic parcels: a few renders reused under distinct waybills, declarations imported up front. */
export async function declareParcels(l: Line, count: number): Promise<DemoParcel[]> {
  const renders = await Promise.all([1, 2, 3].map((i) => demoParcel(SEED, i, 320, 240)));
  const parcels = Array.from({ length: count }, (_, i) => renameParcel(renders[i % renders.length]!, `XS${String(SEED).padStart(6, '0')}${String(i + 1).padStart(7, '0')}`));
  const dir = tmp('station-e2e-ceb-');
  const files: string[] = [];
  for (const p of parcels) {
    for (const [name, xml] of Object.entries(p.ceb)) {
      const f = join(dir, `${p.waybill}-${name}`);
      writeFileSync(f, xml);
      files.push(f);
    }
  }
  dbg(`importing ${files.length} files`);
  const r = stationSync(['import', ...files, '--data-dir', l.dataDir, '--json']);
  expect(r.code, r.stderr).toBe(0);
  return parcels;
}

export interface Running {
  child: ChildProcess;
  url: string;
  health: string;
  stderr(): string;
}

export async function startStation(l: Line): Promise<Running> {
  const child = spawn(process.execPath, [STATION_BIN, 'start', '--headless', '--config', l.configFile, '--data-dir', l.dataDir, '--port', '0', '--json'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-20_000)));
  onCleanup(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGKILL');
    await gone;
  });
  const info = await waitFor(
    'the station to listen',
    () => {
      if (child.exitCode !== null) throw new Error(`station exited ${child.exitCode}: ${err.slice(-3000)}`);
      return out.includes('\n') ? (JSON.parse(out.split('\n')[0]!) as { url: string; health: string }) : undefined;
    },
    45_000,
    50,
  );
  dbg(`station listening on ${info.url}`);
  // Ready when the reader, the scanner and the conveyor are all connected.
  await waitFor(`every device connected (${err.slice(-1500)})`, async () => (await devices(info.health)).every((d) => d.connected), 20_000, 100);
  dbg('devices connected');
  return { child, url: info.url, health: info.health, stderr: () => err };
}

/** The station's device health as /health reports it (empty until the devices registered). */
export async function devices(health: string): Promise<{ deviceId: string; kind: string; connected: boolean }[]> {
  const h = (await (await fetch(health)).json()) as { devices: { deviceId: string; kind: string; connected: boolean }[] };
  return h.devices.length >= 3 ? h.devices : [];
}

/** Ctrl-C, and the exit code (-1 when it did not exit within 15 s). */
export async function stopStation(s: Running): Promise<number> {
  if (s.child.exitCode !== null) return s.child.exitCode;
  const exited = new Promise<number>((r) => s.child.once('exit', (c) => r(c ?? -1)));
  s.child.kill('SIGINT');
  return Promise.race([exited, sleep(15_000).then(() => -1)]);
}

/** One parcel down the belt: the read, the photo-eye in and out, then the image over MQTT. */
export async function play(l: Line, p: DemoParcel, seq: number): Promise<void> {
  l.barcode.write(`]C1${p.waybill}\r\n`);
  await sleep(LEAD_MS);
  l.status.write(`PIN ${formatSeq(seq)}\r\n`);
  await sleep(TRANSIT_MS);
  l.status.write(`POUT ${formatSeq(seq)}\r\n`);
  const id = `e2e${seq}`;
  dbg(`parcel ${seq}: photo-eye done, publishing the image`);
  await l.mqtt.publishRaw(l.mqtt.topic('imageMeta'), JSON.stringify({ id, seq, at: Date.now() }), { qos: 1, retain: false });
  await l.mqtt.publishRaw(`${l.mqtt.topic('imageMeta').replace(/meta$/, 'bin')}/${id}`, p.png, { qos: 1, retain: false });
}

export interface Row {
  seq: number;
  scanId: string;
  waybill: string | null;
  state: string;
  action: string | null;
  result: string | null;
  reasons: string | null;
  verdicts: number;
}

const readers = new Map<string, Database.Database>();

/** The station's records, read through a second connection as any SQLite tool would (WAL allows it). */
export function rows(dataDir: string): Row[] {
  let db = readers.get(dataDir);
  if (!db) {
    db = new Database(join(dataDir, 'station.db'), { fileMustExist: true, timeout: 2000 });
    readers.set(dataDir, db);
    onCleanup(() => {
      readers.get(dataDir)?.close();
      readers.delete(dataDir);
    });
  }
  return db
    .prepare(
      `SELECT p.tunnel_seq AS seq, p.scan_id AS scanId, p.logistics_no AS waybill, p.state AS state, v.action AS action, v.divert_result AS result, v.reasons AS reasons,
              (SELECT count(*) FROM verdict v2 WHERE v2.scan_id = p.scan_id) AS verdicts
         FROM parcel p LEFT JOIN verdict v ON v.scan_id = p.scan_id ORDER BY p.created_at`,
    )
    .all() as Row[];
}
