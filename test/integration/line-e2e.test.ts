// The whole line as separate real processes: a Mosquitto broker, socat ptys for the barcode reader
// and the scanner's status channel, `station start --headless` as a child process, and in this
// process the parts of the line around it (the reader and photo-eye writing to their ptys, the
// scanner publishing images, the conveyor controller acking over MQTT). The station is also killed
// with SIGKILL mid-run and restarted on the same data directory.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { StationMqtt } from '../../src/devices/mqtt/client.ts';
import { formatSeq } from '../../src/devices/scanner/status-parser.ts';
import { ConveyorBrain, MqttConveyorSim } from '../../src/devices/sim/conveyor-sim.ts';
import { PtyEndpoint } from '../../src/devices/sim/endpoint.ts';
import { demoParcel, renameParcel, type DemoParcel } from '../../src/main/demo/parcels.ts';
import { ROOT, STATION_BIN, stationSync } from '../helpers/cli.ts';
import { cleanup, mosquittoBroker, onCleanup, tmp, waitFor, type Broker } from './devices/helpers.ts';

afterEach(cleanup);

const STATION_ID = 'e2e-01';
const SEED = 77;
/** Belt 0.5 m/s, reader 0.25 m before the tunnel: reads come 500 ms before the photo-eye. */
const LEAD_MS = 500;
const TRANSIT_MS = 100;

interface Line {
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
  /** The last line/metrics snapshot. */
  metrics: { value?: { parcelsClosed: number; commands: Record<string, number> } };
}

const dbg = (m: string): void => void (process.env.E2E_DEBUG && process.stderr.write(`[e2e ${new Date().toISOString()}] ${m}\n`));

async function line(): Promise<Line> {
  const broker = await mosquittoBroker();
  dbg('broker up');
  const dataDir = tmp('station-e2e-data-');
  const ptys = tmp('station-e2e-pty-');
  const barcode = await new PtyEndpoint(ptys, 'barcode').open();
  onCleanup(() => barcode.close());
  const status = await new PtyEndpoint(ptys, 'status').open();
  onCleanup(() => status.close());
  const config = {
    station: { id: STATION_ID, lineId: 'e2e-line' },
    mqtt: { url: broker.url },
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

  const mqtt = new StationMqtt({ url: broker.url, prefix: 'station', stationId: STATION_ID, role: 'e2e-line', availability: false });
  mqtt.start();
  onCleanup(() => mqtt.stop());
  await mqtt.waitConnected(5000);
  const conveyor = new ConveyorBrain({ heartbeatMs: 250, missLimit: 4, ackDelayMs: 5 });
  const conveyorMqtt = new StationMqtt({ url: broker.url, prefix: 'station', stationId: STATION_ID, role: 'conveyor', availability: false });
  const sim = new MqttConveyorSim(conveyorMqtt, conveyor);
  conveyorMqtt.start();
  onCleanup(() => conveyorMqtt.stop());
  await conveyorMqtt.waitConnected(5000);
  sim.start();
  onCleanup(() => sim.stop());
  dbg('conveyor sim up');
  const verdictEvents: Line['verdictEvents'] = [];
  mqtt.onRaw(`station/${STATION_ID}/line/verdict`, 1, (_t, payload) => void verdictEvents.push(JSON.parse(payload.toString()) as Line['verdictEvents'][number]));
  const metrics: Line['metrics'] = {};
  mqtt.onRaw(`station/${STATION_ID}/line/metrics`, 0, (_t, payload) => void (metrics.value = JSON.parse(payload.toString()) as Line['metrics']['value']));
  return { broker, dataDir, configFile, barcode, status, mqtt, conveyor, verdictEvents, metrics };
}

/** Synthetic parcels: a few renders reused under distinct waybills, declarations imported up front. */
async function declareParcels(l: Line, count: number): Promise<DemoParcel[]> {
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

interface Running {
  child: ChildProcess;
  url: string;
  stderr(): string;
}

async function startStation(l: Line): Promise<Running> {
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
  await waitFor(
    `every device connected (${err.slice(-1500)})`,
    async () => {
      const h = (await (await fetch(info.health)).json()) as { devices: { kind: string; connected: boolean }[] };
      return h.devices.length >= 3 && h.devices.every((d) => d.connected);
    },
    20_000,
    100,
  );
  dbg('devices connected');
  return { child, url: info.url, stderr: () => err };
}

/** Ctrl-C, and the exit code (-1 when it did not exit within 15 s). */
async function stopStation(s: Running): Promise<number> {
  if (s.child.exitCode !== null) return s.child.exitCode;
  const exited = new Promise<number>((r) => s.child.once('exit', (c) => r(c ?? -1)));
  s.child.kill('SIGINT');
  return Promise.race([exited, sleep(15_000).then(() => -1)]);
}

/** One parcel down the belt: the read, the photo-eye in and out, then the image over MQTT. */
async function play(l: Line, p: DemoParcel, seq: number): Promise<void> {
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

interface Row {
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
function rows(dataDir: string): Row[] {
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

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('the inspection line with Mosquitto, ptys and the station as a process', () => {
  it('takes a barcode through a pty and an image over MQTT to a committed verdict, a conveyor command and a recorded ack', async () => {
    const l = await line();
    const [parcel] = await declareParcels(l, 1);
    const station = await startStation(l);
    await play(l, parcel!, 1);
    dbg('played');

    const row = await waitFor(`the verdict with its ack (${station.stderr().slice(-1500)})`, () => rows(l.dataDir).find((r) => r.seq === 1 && r.result?.startsWith('ok:')), 20_000, 50);
    dbg(`verdict ${row.action} ${row.result} ${row.reasons}`);
    expect(row.waybill).toBe(parcel!.waybill);
    expect(row.verdicts).toBe(1);
    expect(row.state).toBe('done');
    expect(row.result).toBe(`ok:${row.action === 'RELEASE' ? 'RELEASE' : 'HOLD'}`);
    // The conveyor got exactly that command for the parcel's tunnel number, once.
    const got = l.conveyor.outcomes.filter((o) => o.parcelId === 1);
    expect(got).toHaveLength(1);
    expect(got[0]!.requested).toBe(row.action === 'RELEASE' ? 'RELEASE' : 'HOLD');
    expect(got[0]!.failsafe).toBe(false);
    // …and the verdict went out on line/verdict for dashboards.
    await waitFor('the verdict on MQTT', () => l.verdictEvents.find((v) => v.scanId === row.scanId), 5000);
    expect(l.verdictEvents.find((v) => v.scanId === row.scanId)).toMatchObject({ action: row.action, command: got[0]!.requested });
    // The periodic metrics snapshot (every 5 s) counts it.
    await waitFor('line/metrics counting the parcel', () => (l.metrics.value?.parcelsClosed ?? 0) >= 1, 8000, 50);
    expect(l.metrics.value!.commands[got[0]!.requested]).toBe(1);

    dbg('stopping the station');
    expect(await stopStation(station), station.stderr().slice(-3000)).toBe(0);
    const v = stationSync(['verify', '--data-dir', l.dataDir, '--json']);
    expect(v.code, v.stdout + v.stderr).toBe(0);
  }, 90_000);

  it('accounts for every parcel after a SIGKILL mid-run: in-flight ones HOLD on restart, none released twice', async () => {
    const l = await line();
    const COUNT = 24;
    const parcels = await declareParcels(l, COUNT);
    const first = await startStation(l);

    // Play parcels every 250 ms; kill the station the moment one is being inspected.
    const played: number[] = [];
    const flights: Promise<void>[] = [];
    let seq = 0;
    let killed = false;
    const player = setInterval(() => {
      if (killed || seq >= 12) return;
      const s = ++seq;
      flights.push(play(l, parcels[s - 1]!, s).then(() => void played.push(s)));
    }, 250);
    onCleanup(() => clearInterval(player));
    await waitFor('a parcel in flight after a few decided ones', () => {
      const rs = rows(l.dataDir);
      return rs.filter((r) => r.state === 'done').length >= 3 && rs.some((r) => r.state === 'inspecting');
    }, 30_000, 5);
    first.child.kill('SIGKILL');
    killed = true;
    clearInterval(player);
    await new Promise<void>((r) => (first.child.exitCode !== null || first.child.signalCode !== null ? r() : first.child.once('exit', () => r())));
    await Promise.allSettled(flights);
    const inFlightAtKill = rows(l.dataDir).filter((r) => r.action === null).map((r) => r.scanId);
    dbg(`killed after ${played.length} played; ${rows(l.dataDir).length} recorded, ${inFlightAtKill.length} in flight`);
    expect(inFlightAtKill.length).toBeGreaterThan(0);

    const second = await startStation(l);
    expect(second.stderr()).toMatch(/recovered \d+ parcel\(s\) that were in flight at the last stop: all HOLD/);
    // The line runs on: the rest of the parcels after the restart.
    for (let s = seq + 1; s <= COUNT; s++) {
      await play(l, parcels[s - 1]!, s);
      played.push(s);
      await sleep(150);
    }
    const afterRestart = played.filter((s) => s > seq);
    await waitFor('every parcel after the restart decided and acked', () => {
      const rs = rows(l.dataDir);
      return afterRestart.every((s) => rs.some((r) => r.seq === s && r.result?.startsWith('ok:')));
    }, 30_000, 50);

    const rs = rows(l.dataDir);
    dbg(`${rs.length} recorded: ${rs.map((r) => `${r.seq}:${r.action}:${r.result}`).join(' ')}; conveyor got ${l.conveyor.outcomes.length}`);
    // Every parcel the station recorded has exactly one verdict.
    for (const r of rs) expect(r.verdicts, `parcel ${r.seq} (${r.scanId})`).toBe(1);
    // The ones caught in flight were resolved to HOLD by recovery, with the reason recorded.
    for (const id of inFlightAtKill) {
      const r = rs.find((x) => x.scanId === id)!;
      expect(r.action).toBe('HOLD');
      expect(r.state).toBe('done');
      expect(r.reasons).toContain('S04');
      expect(r.reasons).toContain('station restarted');
    }
    // Every parcel played was either decided, or never reached the station's records and so was
    // never released (the conveyor's default is to divert).
    for (const s of played) {
      if (!rs.some((r) => r.seq === s)) expect(l.conveyor.outcomes.filter((o) => o.parcelId === s && o.outcome === 'released'), `parcel ${s}`).toEqual([]);
    }
    // Nothing released twice: not in the records, not at the conveyor.
    const releasedWaybills = rs.filter((r) => r.action === 'RELEASE').map((r) => r.waybill);
    expect(new Set(releasedWaybills).size).toBe(releasedWaybills.length);
    const releaseIds = l.conveyor.outcomes.filter((o) => o.requested === 'RELEASE').map((o) => o.parcelId);
    expect(new Set(releaseIds).size).toBe(releaseIds.length);
    // Every RELEASE the conveyor got has a committed RELEASE verdict behind it.
    for (const id of releaseIds) expect(rs.some((r) => r.seq === id && r.action === 'RELEASE'), `parcel ${id}`).toBe(true);
    expect(afterRestart.length).toBeGreaterThan(0);

    expect(await stopStation(second), second.stderr().slice(-3000)).toBe(0);
    const v = stationSync(['verify', '--data-dir', l.dataDir, '--json']);
    expect(v.code, v.stdout + v.stderr).toBe(0);
  }, 120_000);
});
