// Builds the station's devices from configuration: one driver per configured device, all under
// one Supervisor, all events on one emitter. The core (src/main) calls createDevices() and
// listens to `events`; it never touches transports. `simulated` devices are wired to a running
// line simulator (sim/line.ts) passed in by the caller.
import type { StationConfig } from '../shared/config/schema.ts';
import type { DeviceEvent, DeviceHealth } from '../shared/devices.ts';
import { BarcodeDriver } from './barcode/driver.ts';
import type { ConveyorLink } from './conveyor/acks.ts';
import { ModbusConveyor } from './conveyor/modbus.ts';
import { MqttConveyor } from './conveyor/mqtt.ts';
import { SerialConveyor } from './conveyor/serial.ts';
import { SafeEmitter } from './events.ts';
import type { Logger } from './log.ts';
import type { StationMqtt } from './mqtt/client.ts';
import { ScaleDriver } from './scale/driver.ts';
import { FolderImageSource, ImageDecoder, MqttImageSource, type ImageRejected } from './scanner/image-ingest.ts';
import { ScannerStatusDriver } from './scanner/status-driver.ts';
import { Supervisor } from './supervisor.ts';
import { serialTransport } from './transport/serial.ts';
import { tcpTransport } from './transport/tcp.ts';
import type { TransportFactory } from './transport/types.ts';

type DevicesConfig = StationConfig['devices'];
type AnyTransport = DevicesConfig['barcode']['transport'] | DevicesConfig['conveyor']['transport'] | NonNullable<DevicesConfig['scanner']['status']>;

/** Byte transports of a running simulator, used for devices configured as `simulated`. */
export interface SimulatedTransports {
  barcode?: TransportFactory;
  scale?: TransportFactory;
  scannerStatus?: TransportFactory;
  conveyor?: TransportFactory;
  imageFolder?: string;
}

export interface DevicesDeps {
  log: Logger;
  /** The station's MQTT client; required for devices configured with kind `mqtt`. */
  mqtt?: StationMqtt;
  simulated?: SimulatedTransports;
  /** 'header-only': images are bounds-checked from their header and not decoded (the consumer decodes the encoded bytes). */
  imagePixels?: 'decode' | 'header-only';
}

export function byteTransport(t: AnyTransport, simulated: TransportFactory | undefined, what: string): TransportFactory | undefined {
  switch (t.kind) {
    case 'serial':
      return serialTransport(t);
    case 'tcp':
      return tcpTransport(t.host, t.port);
    case 'simulated':
      if (!simulated) throw new Error(`devices.${what}: kind "simulated" needs a running line simulator`);
      return simulated;
    default:
      return undefined;
  }
}

export class StationDevices {
  readonly supervisor: Supervisor;
  readonly events: SafeEmitter<{ device: DeviceEvent; imageRejected: ImageRejected }>;
  readonly barcode?: BarcodeDriver;
  readonly scale?: ScaleDriver;
  readonly scannerStatus?: ScannerStatusDriver;
  readonly images: ImageDecoder;
  readonly conveyor?: ConveyorLink;
  private readonly folder?: FolderImageSource;

  constructor(cfg: DevicesConfig, deps: DevicesDeps) {
    const { log } = deps;
    const sim = deps.simulated ?? {};
    const s = cfg.supervision;
    this.supervisor = new Supervisor({ backoff: { baseMs: s.backoffBaseMs, maxMs: s.backoffMaxMs, jitter: s.jitter }, restartBudget: { max: s.restartBudget, windowMs: 60_000 }, log });
    this.events = new SafeEmitter(log);
    const forward = (e: DeviceEvent): void => this.events.emit('device', e);
    this.supervisor.events.on('health', (h: DeviceHealth) => {
      forward(h);
      deps.mqtt?.publish('deviceHealth', { deviceId: h.deviceId, kind: h.kind, connected: h.connected, lastSeen: h.lastSeen, lastError: h.lastError, attempts: h.attempts, at: h.at }, { id: h.deviceId }).catch(() => undefined);
    });
    const needMqtt = (what: string): StationMqtt => {
      if (!deps.mqtt) throw new Error(`devices.${what}: kind "mqtt" needs the station MQTT client`);
      return deps.mqtt;
    };

    const b = cfg.barcode;
    if (b.enabled) {
      this.barcode = new BarcodeDriver('barcode', byteTransport(b.transport, sim.barcode, 'barcode.transport'), b, log);
      this.barcode.events.on('event', forward);
      if (b.transport.kind === 'mqtt') needMqtt('barcode').on('barcodeScan', (v) => this.barcode!.mqttScan(v as ({ code: string } | { noread: true }) & { seq?: number }));
      if (b.transport.kind !== 'mqtt' && b.transport.kind !== 'wedge') this.supervisor.add(this.barcode);
    }

    const sc = cfg.scanner;
    this.images = new ImageDecoder('scanner', { maxImageBytes: sc.maxImageBytes, maxImagePixels: sc.maxImagePixels }, log, { pixels: deps.imagePixels ?? 'decode' });
    this.images.events.on('image', forward);
    this.images.events.on('rejected', (r) => this.events.emit('imageRejected', r));
    if (sc.enabled) {
      if (sc.images.kind === 'mqtt') new MqttImageSource(needMqtt('scanner.images'), this.images, log);
      const folder = sc.images.kind === 'folder' ? sc.images : sc.images.kind === 'simulated' && sim.imageFolder ? { path: sim.imageFolder, settleMs: 200, pairWaitMs: 5000 } : undefined;
      if (folder) this.folder = new FolderImageSource(folder.path, this.images, log, { settleMs: folder.settleMs, pairWaitMs: folder.pairWaitMs });
      if (sc.status) {
        this.scannerStatus = new ScannerStatusDriver('scanner', byteTransport(sc.status, sim.scannerStatus, 'scanner.status'), log);
        this.scannerStatus.events.on('event', forward);
        this.supervisor.add(this.scannerStatus);
      }
    }

    const w = cfg.scale;
    if (w.enabled) {
      this.scale = new ScaleDriver('scale', byteTransport(w.transport, sim.scale, 'scale.transport'), w, log);
      this.scale.events.on('event', forward);
      this.supervisor.add(this.scale);
    }

    const c = cfg.conveyor;
    if (c.enabled) {
      const timing = { ackTimeoutMs: c.ackTimeoutMs, heartbeatMs: c.heartbeatMs, heartbeatMissLimit: c.heartbeatMissLimit };
      const t = c.transport;
      let link: ConveyorLink;
      if (t.kind === 'mqtt') link = new MqttConveyor('conveyor', needMqtt('conveyor'), timing, log);
      else if (t.kind === 'modbus-tcp') link = new ModbusConveyor('conveyor', t, c.modbus, timing, log);
      else if (t.kind === 'modbus-rtu') link = new ModbusConveyor('conveyor', t, c.modbus, timing, log);
      else link = new SerialConveyor('conveyor', byteTransport(t, sim.conveyor, 'conveyor.transport')!, timing, log);
      link.events.on('event', forward);
      this.conveyor = link;
      this.supervisor.add(link);
    }
  }

  /** A line typed by a keyboard-wedge scanner into the console (the console relays it; Enter removed). */
  wedgeInput(line: string): void {
    this.barcode?.wedgeInput(line);
  }

  async start(): Promise<void> {
    this.supervisor.start();
    await this.folder?.start();
  }

  async stop(): Promise<void> {
    this.folder?.stop();
    await this.supervisor.stop();
  }
}
