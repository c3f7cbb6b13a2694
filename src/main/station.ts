// Composition root of the station core: configuration → storage → rules and inspection → MQTT and
// devices (or the demonstration line's simulators) → the line → sync → console and HTTP. Electron's
// main process and headless mode both call startStation(); nothing here imports Electron.
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ulid } from 'ulid';
import type { StationConfig } from '../shared/config/schema.ts';
import { decisionDeadlineMs } from '../shared/config/schema.ts';
import { DeviceErrorCodes, type DeviceEvent } from '../shared/devices.ts';
import { pooledCryptoRandom } from '../shared/random.ts';
import type { InspectionOutput } from '../shared/domain/detection.ts';
import { errorMessage, isStationError } from '../shared/errors.ts';
import { createLogger, jsonLineSink, type Logger } from '../shared/log.ts';
import { StationDevices, type SimulatedTransports } from '../devices/index.ts';
import { startEmbeddedBroker, type EmbeddedBroker } from '../devices/mqtt/broker.ts';
import { mqttOptionsFromConfig, redact as redactUrl, StationMqtt } from '../devices/mqtt/client.ts';
import { ConveyorBrain, MqttConveyorSim } from '../devices/sim/conveyor-sim.ts';
import { TcpEndpoint } from '../devices/sim/endpoint.ts';
import { tcpTransport } from '../devices/transport/tcp.ts';
import { declarationLookup } from './aed/lookup.ts';
import { Importer } from './aed/import.ts';
import { loadPiiKey } from './aed/pii.ts';
import { startClearanceServer, type ClearanceServer } from './clearance/server.ts';
import { configSecrets, secretScrubber } from './config/secrets.ts';
import { lowerThreadPriority } from './helper-threads.ts';
import { attachConsole, type AttachedConsole } from './console/index.ts';
import { DemoLineDriver } from './demo/driver.ts';
import type { DemoParcel } from './demo/parcels.ts';
import { formatMetrics } from './http/metrics.ts';
import { sendJson, startHttp, type Handler, type HttpServer } from './http/server.ts';
import { openInspector } from './inspection/index.ts';
import { inspectorAlarm } from './inspection/alarms.ts';
import { lineClock, STEP_MS } from './clock.ts';
import { correlatorConfigFromBelt } from './line/correlator.ts';
import { DeviceFeed } from './line/device-feed.ts';
import { LineMqttEvents, metricsEvent } from './line/mqtt-events.ts';
import { ParcelRepository } from './line/repository.ts';
import { LineRuntime, type ConveyorPort, type LineEvent, type LineImage, type ParcelTiming } from './line/runtime.ts';
import { dataPaths } from './paths.ts';
import { startRetentionJob, type RetentionJob } from './storage/retention-job.ts';
import type { RetentionReport } from './storage/retention.ts';
import { decide, loadRulePack } from './rules/index.ts';
import { appendAudit } from './storage/audit.ts';
import { openDatabase, userVersion, type Db } from './storage/db.ts';
import { assertKeysPrivate, dataDirWarnings } from './storage/owner-only.ts';
import { WalSync } from './storage/wal-sync.ts';
import { backlogStats } from './sync/outbox.ts';
import { createSyncService } from './sync/setup.ts';
import type { SyncService } from './sync/service.ts';

export interface DemoOptions {
  /** Parcels per second the demonstration line plays (default 0.5). */
  rate?: number;
  count?: number;
  /** Distinct renders reused under new waybills (default: every parcel rendered). */
  poolSize?: number;
  /** Every reused render stored as a distinct image file (soak: exercises the image store). */
  uniqueImages?: boolean;
  seed?: number;
  /** Barcode reads over MQTT tagged with the tunnel sequence (fast benches) instead of a TCP reader. */
  taggedReads?: boolean;
  /** Image delivery over MQTT. */
  imageMode?: 'json' | 'binary';
  /** Image encoding: PNG (default) or raw netpbm frames. */
  frame?: 'png' | 'pnm';
  /** Hold off playing parcels until `demo.start()` is called (bench). */
  manual?: boolean;
}

export interface StationOptions {
  config: StationConfig;
  dataDir: string;
  /** Overrides config.console.port (0 = any free port). */
  port?: number;
  /** Demonstration mode: seed console accounts, import demo declarations, play the simulated line. */
  demo?: boolean | DemoOptions;
  /** Human-readable progress lines (start-up, warnings). */
  log?: (line: string) => void;
  /** Structured logs; default JSON lines to stderr at warn and above. */
  logger?: Logger;
  onLineEvent?(e: LineEvent): void;
  /** Each parcel's latency split as its command leaves (the bench's --trace). */
  onParcelTiming?(t: ParcelTiming): void;
}

export interface RunningStation {
  url: string;
  db: Db;
  line: LineRuntime;
  demo?: DemoLineDriver;
  /** The demonstration conveyor's record of what it did with each parcel. */
  conveyorSim?: ConveyorBrain;
  /** The operator console (the Electron shell's IPC bridge calls its core). */
  console?: AttachedConsole;
  retention: RetentionJob;
  stop(): Promise<void>;
}

// Only enabled devices count: a disabled scale keeps its default `simulated` transport.
const anySimulated = (c: StationConfig['devices']): boolean =>
  [
    c.barcode.enabled && c.barcode.transport.kind,
    c.scale.enabled && c.scale.transport.kind,
    c.conveyor.enabled && c.conveyor.transport.kind,
    c.scanner.enabled && c.scanner.images.kind,
    c.scanner.enabled && c.scanner.status?.kind,
  ].includes('simulated');

/**
 * The demonstration line speaks real protocols over real transports: barcode reader, scale and
 * scanner status as TCP byte streams (as fixed-mount readers and ser2net do), images and the
 * conveyor over the MQTT broker. No socat needed, so `npm start` runs on a bare machine.
 */
function demoDevices(c: StationConfig['devices'], taggedReads: boolean): StationConfig['devices'] {
  return {
    ...c,
    barcode: { ...c.barcode, transport: taggedReads ? { kind: 'mqtt' } : c.barcode.transport },
    scale: { ...c.scale, enabled: c.scale.enabled && !taggedReads },
    scanner: { ...c.scanner, images: { kind: 'mqtt' }, status: c.scanner.status ?? { kind: 'simulated' } },
    conveyor: { ...c.conveyor, transport: c.conveyor.transport.kind === 'simulated' ? { kind: 'mqtt' } : c.conveyor.transport },
  };
}

/** A shutdown step; `limitMs` (default 5 s) is how long stopAll waits for it before moving on. */
type StopStep = (() => Promise<void> | void) & { limitMs?: number };
const withStopLimit = (limitMs: number, fn: () => Promise<void>): StopStep => Object.assign(fn, { limitMs });
/** The line's own drain at stop is bounded by its deadlines; this caps it for very slow belts. */
const MAX_DRAIN_MS = 15_000;

/** The demonstration line's first parcel number on this data: one after the last one it played. */
function demoFirstParcel(db: Db): number {
  const last = (db.prepare('SELECT MAX(tunnel_seq) AS n FROM parcel').get() as { n: number | null }).n ?? 0;
  return last + 1 > 900_000 ? 1 : last + 1;
}

function retentionHealth(r: (RetentionReport & { at: string }) | undefined): Record<string, unknown> {
  if (!r) return { lastRunAt: null };
  return { lastRunAt: r.at, imageStoreMb: r.imageStoreMb, overBudgetUnsynced: r.overBudgetUnsynced, lastRun: { imagesPurged: r.imagesPurged, parcelsDeleted: r.parcelsDeleted, auditArchived: r.auditArchived, ms: r.ms } };
}

export async function startStation(opts: StationOptions): Promise<RunningStation> {
  const { dataDir } = opts;
  // Every line the station prints passes the scrubber: no configured secret reaches a log (docs/security.md).
  const scrub = secretScrubber(configSecrets(opts.config));
  const say = opts.log ? (l: string) => opts.log!(scrub(l)) : () => {};
  const logger = opts.logger ?? createLogger('station', jsonLineSink((l) => process.stderr.write(scrub(l))), { '': 'warn' });
  const demoOpts: DemoOptions | undefined = opts.demo === true ? {} : opts.demo || undefined;
  // GC and compiler helpers yield to the parcel path (helper-threads.ts).
  const helpers = lowerThreadPriority();
  if (helpers.error) say(`could not lower the priority of V8's helper threads (${helpers.error}); running without`);
  const simulated = anySimulated(opts.config.devices);
  const taggedReads = demoOpts?.taggedReads ?? false;
  // A demonstration line without its scale would hold every parcel for W01: say so in the rules.
  const config: StationConfig = simulated && taggedReads ? { ...opts.config, rules: { ...opts.config.rules, weightRequired: false } } : opts.config;
  const paths = dataPaths(dataDir);
  const stops: StopStep[] = [];
  // Stops in reverse order of start. A step that hangs (a device that never answers its close) is
  // abandoned after a few seconds so Ctrl-C always ends the station; the conveyor holds by itself.
  const stopAll = async (): Promise<void> => {
    for (const s of stops.reverse()) {
      let timer: NodeJS.Timeout | undefined;
      const limitMs = s.limitMs ?? 5000;
      try {
        const slow = new Promise<'slow'>((r) => (timer = setTimeout(() => r('slow'), limitMs)));
        if ((await Promise.race([Promise.resolve(s()), slow])) === 'slow') say(`stop: a shutdown step did not finish in ${limitMs / 1000} s and was abandoned: ${s.toString().slice(0, 120)}`);
      } catch (e) {
        say(`stop: ${errorMessage(e)}`);
      } finally {
        clearTimeout(timer);
      }
    }
    stops.length = 0;
  };

  // A key file other users can read is refused before anything starts (docs/security.md).
  assertKeysPrivate(paths.keys);
  const { db, migrations } = openDatabase(paths.db, { backupDir: paths.backups, log: say });
  for (const w of dataDirWarnings(dataDir)) say(`warning: ${w}`);
  stops.push(() => {
    db.close();
  });
  try {
    if (migrations.applied.length > 0) say(`database ${paths.db}: schema ${migrations.from} → ${migrations.to}`);
    appendAudit(db, { actor: 'station', kind: 'station.start', subject: config.station.id, payload: { lineId: config.station.lineId, schema: userVersion(db) } });
    stops.push(() => void appendAudit(db, { actor: 'station', kind: 'station.stop', subject: config.station.id, payload: {} }));
    const startedAt = new Date().toISOString();

    // Station-level alarms raised before the line exists (inspection, storage) reach it once it does.
    const lineRef: { line?: LineRuntime } = {};

    // ---- decisions: rules and inspection ----
    const pack = loadRulePack(config.rules.packPath);
    let inspect: (img: LineImage) => Promise<InspectionOutput>;
    let modelName = 'unavailable';
    let inspectionDown: string | undefined;
    try {
      const inspector = await openInspector({
        ...(config.inspection.modelDir ? { modelDir: config.inspection.modelDir } : {}),
        classThresholds: config.inspection.classThresholds,
        timeoutMs: config.inspection.inferenceTimeoutMs,
        workers: config.inspection.workers,
        onEvent: (e) => {
          const alarm = inspectorAlarm(e);
          if (alarm) lineRef.line?.raiseAlarm(alarm.code, alarm.detail);
        },
      });
      stops.push(() => inspector.close());
      modelName = inspector.model;
      inspect = (img) => inspector.inspect(img.encoded);
      say(`model ${inspector.model} loaded`);
    } catch (e) {
      const why = errorMessage(e);
      say(`inspection unavailable, every parcel will be held (S04): ${why}`);
      inspectionDown = why;
      inspect = async () => Promise.reject(e);
    }

    // ---- MQTT broker and client ----
    let broker: EmbeddedBroker | undefined;
    let mqttUrl = config.mqtt.url;
    if (!mqttUrl) {
      try {
        broker = await startEmbeddedBroker(config.mqtt.embeddedPort);
      } catch (e) {
        if (!simulated) throw e;
        broker = await startEmbeddedBroker(0); // demonstration on a machine where 1883 is taken
      }
      mqttUrl = broker.url;
      stops.push(() => broker!.stop());
      say(`embedded MQTT broker on ${broker.url}`);
    }
    const devLog = logger.child('devices');
    const mqtt = new StationMqtt({ ...mqttOptionsFromConfig(config, 'station', devLog), url: mqttUrl });
    mqtt.start();
    stops.push(() => mqtt.stop());
    await mqtt.waitConnected(5000).catch(() => say(`MQTT broker ${redactUrl(mqttUrl)} not reachable yet; retrying in the background`));

    // ---- the demonstration line's simulators ----
    let sims: SimulatedTransports | undefined;
    let driver: DemoLineDriver | undefined;
    let brain: ConveyorBrain | undefined;
    let devicesConfig = config.devices;
    if (simulated) {
      devicesConfig = demoDevices(config.devices, taggedReads);
      const [barcodeEp, scaleEp, statusEp] = await Promise.all([new TcpEndpoint().listen(0), new TcpEndpoint().listen(0), new TcpEndpoint().listen(0)]);
      for (const ep of [barcodeEp, scaleEp, statusEp]) stops.push(() => ep.close());
      sims = { barcode: tcpTransport('127.0.0.1', barcodeEp.boundPort), scale: tcpTransport('127.0.0.1', scaleEp.boundPort), scannerStatus: tcpTransport('127.0.0.1', statusEp.boundPort) };
      // The simulators log in to the broker as the station does (an external broker may require it).
      const simMqtt = new StationMqtt({ url: mqttUrl, username: config.mqtt.username, password: config.mqtt.password, prefix: config.mqtt.prefix, stationId: config.station.id, role: 'sim-line', availability: false, log: devLog });
      simMqtt.start();
      stops.push(() => simMqtt.stop());
      await simMqtt.waitConnected(5000);
      brain = new ConveyorBrain({ heartbeatMs: config.devices.conveyor.heartbeatMs, missLimit: config.devices.conveyor.heartbeatMissLimit });
      const conveyorSim = new MqttConveyorSim(simMqtt, brain);
      conveyorSim.start();
      stops.push(() => conveyorSim.stop());
      const importer = new Importer(db, loadPiiKey(dataDir));
      const t = config.timing;
      driver = new DemoLineDriver({
        seed: demoOpts?.seed ?? 2026,
        // Numbering continues from the last run on this data (else its parcels are D09 duplicates);
        // the tunnel sequence wraps at 10^6, so the numbers start over well before that.
        first: demoFirstParcel(db),
        rate: demoOpts?.rate ?? 0.5,
        ...(demoOpts?.count !== undefined ? { count: demoOpts.count } : {}),
        ...(demoOpts?.poolSize !== undefined ? { poolSize: demoOpts.poolSize } : {}),
        ...(demoOpts?.uniqueImages ? { uniqueImages: true } : {}),
        leadMs: Math.round((t.barcodeToTunnelM / t.beltSpeedMps) * 1000),
        transitMs: 400,
        barcode: barcodeEp,
        scale: scaleEp,
        status: statusEp,
        mqtt: simMqtt,
        imageMode: demoOpts?.imageMode ?? 'json',
        ...(demoOpts?.frame ? { frame: demoOpts.frame } : {}),
        barcodeOverMqtt: taggedReads,
        declare: (parcels: DemoParcel[]) =>
          db.transaction(() => {
            for (const p of parcels) for (const [name, xml] of Object.entries(p.ceb)) importer.importBytes(`${p.waybill}-${name}`, Buffer.from(xml));
          })(),
        say,
      });
      stops.push(() => driver!.stop());
    }

    // ---- devices ----
    // The inspector decodes the encoded image itself: the device layer only checks its header and bounds.
    const devices = new StationDevices(devicesConfig, { log: devLog, mqtt, imagePixels: 'header-only', ...(sims ? { simulated: sims } : {}) });
    stops.push(() => devices.stop());
    const conveyor: ConveyorPort = {
      async send(cmd) {
        if (!devices.conveyor) throw new Error('no conveyor configured');
        try {
          const ack = await devices.conveyor.send({ parcelId: cmd.parcelId, command: cmd.command, seq: cmd.seq, ...(cmd.deadline !== undefined ? { deadline: cmd.deadline } : {}) });
          return { command: ack.command, ok: ack.ok };
        } catch (e) {
          // A refusal is an answer (the machine records it as a NAK); anything else is no answer.
          if (isStationError(e, DeviceErrorCodes.DEVICE_NAK)) return { command: cmd.command, ok: false };
          throw e;
        }
      },
    };

    // ---- sync with the central service (or the local reference one) ----
    let clearance: ClearanceServer | undefined;
    let sync: SyncService | undefined;
    try {
      let syncConfig = config;
      let url = config.central.url;
      if (!url) {
        clearance = await startClearanceServer({ dataDir: join(dataDir, 'clearance'), port: 0 });
        stops.push(() => clearance!.close());
        url = clearance.url;
        syncConfig = { ...config, central: { ...config.central, publicKey: config.central.publicKey ?? clearance.key.publicKeyPem } };
        say(`local reference clearance service on ${url}`);
      }
      sync = createSyncService({ db, config: syncConfig, dataDir, url, log: logger.child('sync') });
      sync.start();
      stops.push(() => sync!.stop());
    } catch (e) {
      say(`sync not started: ${errorMessage(e)}; verdicts stay in the outbox`);
    }

    // ---- the line ----
    // Parcel rows and HOLD verdicts are made durable by a shared fdatasync off the event loop
    // (storage/wal-sync.ts); a RELEASE verdict is on disk before its command leaves, as ever.
    const walSync = new WalSync(paths.db, { onError: (e) => lineRef.line?.raiseAlarm('STORAGE_FAULT', `background sync of the database failed: ${errorMessage(e)}`) });
    stops.push(() => walSync.close());
    const repo = new ParcelRepository(db, { walSync });
    // Deadlines run on the monotonic line clock: a wall-clock step must not release a parcel late.
    const clock = lineClock();
    const idRandom = pooledCryptoRandom();
    const lookup = declarationLookup(db);
    // Set once the HTTP server is up; line and device events before that have no console to reach.
    const ui: { console?: AttachedConsole } = {};
    const events: { mqtt?: LineMqttEvents } = {};
    const line = new LineRuntime({
      stationId: config.station.id,
      lineId: config.station.lineId,
      repo,
      imagesDir: paths.images,
      inspect,
      lookup,
      decide: (input) => decide(input, pack, config.rules),
      conveyor,
      online: () => sync?.snapshot().online ?? false,
      now: clock.now,
      newId: () => ulid(undefined, idRandom),
      correlator: correlatorConfigFromBelt({
        beltSpeedMps: config.timing.beltSpeedMps,
        barcodeToTunnelM: config.timing.barcodeToTunnelM,
        correlationWindowMs: config.timing.correlationWindowMs,
        tunnelEvents: devicesConfig.scanner.status !== undefined,
        expectWeight: devicesConfig.scale.enabled,
      }),
      deadlineMs: decisionDeadlineMs(config.timing),
      timing: { operatorReviewMs: config.timing.operatorReviewMs, ackTimeoutMs: config.devices.conveyor.ackTimeoutMs },
      ...(opts.onParcelTiming ? { onTiming: opts.onParcelTiming } : {}),
      onEvent: (e) => {
        ui.console?.onLineEvent(e);
        events.mqtt?.onLineEvent(e);
        opts.onLineEvent?.(e);
        if (e.type === 'parcel' && e.parcel.stage === 'done') sync?.kick();
        if (e.type === 'alarm') logger.warn(`line alarm ${e.code}: ${e.detail}`, { scanId: e.scanId ?? null });
      },
    });
    lineRef.line = line;
    events.mqtt = new LineMqttEvents({ mqtt, metrics: () => metricsEvent(line.metrics, line.activeParcels().length, backlogStats(db).pending, Date.now()) });
    events.mqtt.start();
    stops.push(() => events.mqtt?.stop());
    // Once at start, on the alarm path (MQTT, metrics, log): /health alone says "degraded" to no one watching.
    if (inspectionDown !== undefined) line.raiseAlarm('INSPECT_UNAVAILABLE', `no model loaded, every parcel is held (S04): ${inspectionDown}`);
    const retention = startRetentionJob({
      db,
      dirs: { images: paths.images, auditArchive: paths.auditArchive },
      policy: config.retention,
      say,
      alarm: (code, detail) => line.raiseAlarm(code, detail),
    });
    stops.push(() => retention.stop());
    const recovered = line.recover();
    if (recovered > 0) say(`recovered ${recovered} parcel(s) that were in flight at the last stop: all HOLD`);
    const feed = new DeviceFeed(undefined, (ms) => clock.fromWall(ms));
    const health = new Map<string, { deviceId: string; kind: string; connected: boolean }>();
    devices.events.on('device', (e: DeviceEvent) => {
      if (e.type === 'device.health') {
        // A device that was up and went away (cable pulled, broker gone) is an alarm, not only a log line.
        if (health.get(e.deviceId)?.connected && !e.connected) line.raiseAlarm('DEVICE_DISCONNECTED', `${e.kind} ${e.deviceId} disconnected${e.lastError ? `: ${e.lastError}` : ''}; its parcels are held until it is back`);
        health.set(e.deviceId, { deviceId: e.deviceId, kind: e.kind, connected: e.connected });
        ui.console?.onDeviceHealth(e);
        return;
      }
      const ev = feed.toLine(e);
      if (ev) line.feed(ev);
    });
    // A wall-clock step moves no deadline (line clock above); it is recorded and raised.
    let skew = clock.skew();
    const stepWatch = setInterval(() => {
      const s = clock.skew();
      if (Math.abs(s - skew) < STEP_MS) return;
      const stepMs = Math.round(s - skew);
      skew = s;
      line.raiseAlarm('CLOCK_STEP', `wall clock stepped by ${stepMs} ms; deadlines run on the monotonic line clock, records keep line time until restart`);
      try {
        appendAudit(db, { actor: 'station', kind: 'clock.step', subject: config.station.id, payload: { stepMs, lineAt: new Date(clock.now()).toISOString() } });
      } catch (e) {
        say(`clock step not recorded: ${errorMessage(e)}`);
      }
    }, 1000);
    stops.push(() => clearInterval(stepWatch));
    const ticker = setInterval(() => line.tick(), 20);
    // The line stops before the devices and the conveyor do: the demonstration stops making parcels,
    // the line takes no new device events and finishes the parcels it began (their deadlines bound
    // it), so none is left half-decided and no command meets a closed conveyor link.
    const drainMs = Math.min(MAX_DRAIN_MS, config.timing.correlationWindowMs + decisionDeadlineMs(config.timing) + config.devices.conveyor.ackTimeoutMs + 500);
    stops.push(
      withStopLimit(drainMs + 5000, async () => {
        driver?.stop();
        await Promise.race([driver?.drain(), sleep(2000, undefined, { ref: false })]);
        const busy = line.activeParcels().length;
        if (busy > 0) say(`stop: finishing ${busy} parcel(s) in flight (at most ${Math.ceil(drainMs / 1000)} s; Ctrl-C again stops at once and the next start holds them)`);
        const left = await line.drain(drainMs);
        clearInterval(ticker);
        await line.settle();
        if (left.closedEarly > 0) say(`stop: ${left.closedEarly} parcel(s) seen only in part were closed and held`);
        if (left.active > 0) say(`stop: ${left.active} parcel(s) still in flight after ${drainMs} ms; the next start records them as HOLD`);
        if (left.ignored > 0) say(`stop: ${left.ignored} device event(s) after the stop began were not taken; the conveyor holds any parcel they belong to`);
      }),
    );

    // ---- HTTP: health, metrics, console ----
    const healthHandler: Handler = (req, res) => {
      if (req.method !== 'GET' || req.url?.split('?')[0] !== '/health') return false;
      const link = sync?.snapshot();
      const devs = [...health.values()];
      const degraded = modelName === 'unavailable' || devs.some((d) => !d.connected);
      sendJson(res, 200, {
        status: degraded ? 'degraded' : 'ok',
        station: config.station.id,
        line: config.station.lineId,
        startedAt,
        uptimeS: Math.round(process.uptime()),
        database: { schemaVersion: userVersion(db) },
        model: modelName,
        ruleSet: pack.version,
        devices: devs,
        sync: link ? { link: link.link, backlog: link.backlog.pending, lastError: link.lastError } : { link: 'not-configured' },
        parcels: { decided: line.metrics.closed, inFlight: line.activeParcels().length },
        retention: retentionHealth(retention.last()),
      });
      return true;
    };
    const metricsHandler: Handler = (req, res) => {
      if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') return false;
      const m = line.metrics;
      const text = formatMetrics({
        stationId: config.station.id,
        parcelsClosed: m.closed,
        commands: m.commands,
        holdsByReason: m.holdsByReason,
        alarms: m.alarms,
        deadlineMisses: m.deadlineMisses,
        latencyMs: m.latencyMs,
        inferenceMs: m.inferenceMs,
        devices: [...health.values()],
        outboxDepth: backlogStats(db).pending,
      });
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'cache-control': 'no-store' });
      res.end(text);
      return true;
    };
    const handlers: Handler[] = [healthHandler, metricsHandler];
    let http: HttpServer;
    try {
      http = await startHttp(config.console.host, opts.port ?? config.console.port, handlers);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.code === 'EADDRINUSE') throw new Error(`port ${opts.port ?? config.console.port} on ${config.console.host} is in use; pass --port N (0 picks a free one)`, { cause: e });
      throw e;
    }
    stops.push(() => http.close());
    ui.console = await attachConsole({
      http: { server: http.server, handlers },
      db,
      line,
      config,
      dataDir,
      demo: demoOpts !== undefined,
      lookup,
      pack,
      ...(sync ? { sync: { link: () => sync!.snapshot().link, lastError: () => sync!.snapshot().lastError } } : {}),
      log: say,
    });
    stops.push(() => ui.console?.close());

    await devices.start();
    if (driver && !demoOpts?.manual) {
      await driver.start();
      say(`demonstration line: ${demoOpts?.rate ?? 0.5} parcel(s)/s with synthetic X-ray images and declarations`);
    }

    let stopped = false;
    return {
      url: http.url,
      db,
      line,
      retention,
      ...(driver ? { demo: driver } : {}),
      ...(brain ? { conveyorSim: brain } : {}),
      ...(ui.console ? { console: ui.console } : {}),
      async stop() {
        if (stopped) return;
        stopped = true;
        await stopAll();
      },
    };
  } catch (e) {
    await stopAll();
    throw e;
  }
}
