// Starts simulators (one kind, or the whole line) over real transports and says how to connect.
// Used by `station sim …` and by a demonstration station whose devices are configured `simulated`.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '../log.ts';
import { StationMqtt } from '../mqtt/client.ts';
import { serialTransport } from '../transport/serial.ts';
import { tcpTransport } from '../transport/tcp.ts';
import type { TransportFactory } from '../transport/types.ts';
import type { SimulatedTransports } from '../index.ts';
import type { ModbusMap } from '../conveyor/modbus.ts';
import { BarcodeSim, type BarcodeSimOptions } from './barcode-sim.ts';
import { ConveyorBrain, ModbusConveyorSim, MqttConveyorSim, SerialConveyorSim, type ConveyorSimOptions } from './conveyor-sim.ts';
import { PtyEndpoint, TcpEndpoint, type SimEndpoint } from './endpoint.ts';
import { placeholderImageSource, xrayImageSource, type ImageSourceOptions } from './images.ts';
import { ScaleSim, type ScaleSimOptions } from './scale-sim.ts';
import { ScannerSim, type ScannerSimOptions } from './scanner-sim.ts';

export const SIM_KINDS = ['barcode', 'scanner', 'scale', 'conveyor', 'line'] as const;
export type SimKind = (typeof SIM_KINDS)[number];

export interface LineSimOptions {
  kind: SimKind;
  dir?: string;
  /** Serve byte devices on TCP ports from this one upward instead of ptys. */
  tcpPort?: number;
  mqtt?: { url: string; prefix: string; stationId: string };
  modbusTcpPort?: number;
  modbusMap?: ModbusMap;
  imageDelivery: 'folder' | 'json' | 'binary';
  image: ImageSourceOptions & { placeholder: boolean };
  barcode: Partial<BarcodeSimOptions>;
  scale: Partial<ScaleSimOptions>;
  scanner: Partial<ScannerSimOptions>;
  conveyor: Partial<ConveyorSimOptions>;
  /** Fault: pull every serial cable (kill socat; TCP: drop clients) after this many ms, for replugMs. */
  unplug?: { afterMs: number; replugMs: number };
  say: (line: string) => void;
  log?: Logger;
}

export interface RunningSim {
  /** Station-side connection hints, one line per device. */
  connect: string[];
  /** Byte transports the station can use directly (createDevices' `simulated`). */
  transports: SimulatedTransports;
  conveyor?: ConveyorBrain;
  stop(): Promise<void>;
}

const stationSerial = (path: string): TransportFactory => serialTransport({ path, baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1 });

export async function startSim(o: LineSimOptions): Promise<RunningSim> {
  const dir = o.dir ?? mkdtempSync(join(tmpdir(), 'station-sim-'));
  mkdirSync(dir, { recursive: true });
  const stops: (() => Promise<void> | void)[] = [];
  if (o.dir === undefined) stops.push(() => rmSync(dir, { recursive: true, force: true })); // runs last
  const connect: string[] = [];
  const transports: SimulatedTransports = {};
  const all = o.kind === 'line';
  let nextTcp = o.tcpPort;
  let mqtt: StationMqtt | undefined;
  const getMqtt = async (): Promise<StationMqtt> => {
    if (!mqtt) {
      if (!o.mqtt) throw new Error('this simulator needs --mqtt URL');
      mqtt = new StationMqtt({ ...o.mqtt, role: `sim-${o.kind}`, availability: false, ...(o.log ? { log: o.log } : {}) });
      mqtt.start();
      await mqtt.waitConnected(10_000);
      stops.push(() => mqtt!.stop());
    }
    return mqtt;
  };
  const endpoint = async (name: string): Promise<{ ep: SimEndpoint; transport: TransportFactory }> => {
    let made: { ep: SimEndpoint; transport: TransportFactory };
    if (nextTcp !== undefined) {
      const ep = await new TcpEndpoint().listen(nextTcp === 0 ? 0 : nextTcp++);
      made = { ep, transport: tcpTransport('127.0.0.1', ep.boundPort) };
    } else {
      const ep = await new PtyEndpoint(dir, name).open();
      made = { ep, transport: stationSerial(ep.connectTo) };
    }
    stops.push(() => made.ep.close());
    const u = o.unplug;
    if (u && u.afterMs > 0) {
      const t = setTimeout(() => {
        o.say(`${name}: unplugging for ${u.replugMs} ms`);
        made.ep.unplug(u.replugMs).then(
          () => o.say(`${name}: replugged`),
          (e: Error) => o.say(`${name}: replug failed: ${e.message}`),
        );
      }, u.afterMs);
      stops.push(() => clearTimeout(t));
    }
    return made;
  };
  let brain: ConveyorBrain | undefined;

  try {
    if (all || o.kind === 'barcode') {
      const { ep, transport } = await endpoint('barcode');
      const sim = new BarcodeSim({ endpoint: ep, ...(o.mqtt && o.kind === 'barcode' ? { mqtt: await getMqtt() } : {}) }, o.barcode, (l) => o.say(`barcode: ${l}`));
      sim.start();
      stops.push(() => sim.stop());
      transports.barcode = transport;
      connect.push(`barcode  ${ep.connectTo}  (suffix ${o.barcode.suffix ?? 'CRLF'}${o.barcode.aim === false ? '' : ', AIM ids'})`);
    }
    if (all || o.kind === 'scale') {
      const { ep, transport } = await endpoint('scale');
      const sim = new ScaleSim(ep, o.scale);
      sim.start();
      stops.push(() => sim.stop());
      transports.scale = transport;
      connect.push(`scale    ${ep.connectTo}  (protocol ${o.scale.protocol ?? 'continuous'})`);
    }
    if (all || o.kind === 'scanner') {
      const { ep, transport } = await endpoint('scanner-status');
      const images = (o.image.placeholder ? placeholderImageSource : xrayImageSource)(o.image);
      let folder: string | undefined;
      if (o.imageDelivery === 'folder') {
        folder = join(dir, 'xray-export');
        mkdirSync(folder, { recursive: true });
        transports.imageFolder = folder;
      }
      const sim = new ScannerSim({ status: ep, ...(folder ? { folder } : { mqtt: await getMqtt() }) }, images, { ...o.scanner, imageMode: o.imageDelivery === 'binary' ? 'binary' : 'json' }, (l) => o.say(`scanner: ${l}`));
      sim.start();
      stops.push(() => sim.stop());
      transports.scannerStatus = transport;
      connect.push(`scanner  status ${ep.connectTo}; images ${folder ? `folder ${folder}` : `MQTT ${o.imageDelivery} on ${o.mqtt!.prefix}/${o.mqtt!.stationId}/scanner/image…`}`);
    }
    if (all || o.kind === 'conveyor') {
      brain = new ConveyorBrain(o.conveyor, (l) => o.say(`conveyor: ${l}`));
      if (o.modbusTcpPort !== undefined) {
        const plc = new ModbusConveyorSim(o.modbusMap ?? { unitId: 1, releaseCoil: 0, holdCoil: 1, parcelIdRegister: 0, ackRegister: 2, heartbeatRegister: 5, conveyorHeartbeatRegister: 6 }, brain);
        await plc.listen(o.modbusTcpPort);
        stops.push(() => plc.close());
        connect.push(`conveyor Modbus TCP 127.0.0.1:${o.modbusTcpPort}`);
      } else if (o.mqtt && o.kind === 'conveyor') {
        const sim = new MqttConveyorSim(await getMqtt(), brain);
        sim.start();
        stops.push(() => sim.stop());
        connect.push(`conveyor MQTT ${o.mqtt.url} topics ${o.mqtt.prefix}/${o.mqtt.stationId}/conveyor/…`);
      } else {
        const { ep, transport } = await endpoint('conveyor');
        const sim = new SerialConveyorSim(ep, brain);
        sim.start();
        stops.push(() => sim.stop());
        transports.conveyor = transport;
        connect.push(`conveyor ${ep.connectTo}  (REL/HLD line protocol, heartbeat ${brain.o.heartbeatMs} ms)`);
      }
    }
  } catch (e) {
    for (const s of stops.reverse()) await s();
    throw e;
  }
  return {
    connect,
    transports,
    ...(brain ? { conveyor: brain } : {}),
    async stop() {
      for (const s of stops.reverse()) {
        try {
          await s();
        } catch {
          /* keep stopping */
        }
      }
    },
  };
}

