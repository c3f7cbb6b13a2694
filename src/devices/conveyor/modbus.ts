// Conveyor over Modbus TCP or RTU (modbus-serial). Register/coil map from config (docs/serial-protocols.md):
//   holding parcelIdRegister, +1   parcel id (high word, low word) written by the station
//   coil releaseCoil / holdCoil    set by the station after the parcel id; the PLC clears it when done
//   holding ackRegister, +1, +2    parcel id acknowledged (high, low) and result: 1 REL, 2 HLD, +0x8000 = refused
//   holding heartbeatRegister      station counter, +1 every heartbeatMs; the PLC holds all if it stalls
//   holding conveyorHeartbeatRegister  PLC counter; the station declares the link lost if it stalls
// Modbus is strictly request/response, so every transaction goes through one queue.
import modbusSerial from 'modbus-serial';
import type { ModbusRTU } from 'modbus-serial/ModbusRTU.js';
import { StationError } from '../../shared/errors.ts';
import { DeviceErrorCodes, type ConveyorAck, type ConveyorCommand } from '../../shared/devices.ts';
import { SafeEmitter } from '../events.ts';
import type { Logger } from '../log.ts';
import type { Session } from '../supervisor.ts';
import { SerialQueue } from '../waiter.ts';
import { listSerialPorts, resolveSerialPath, type SerialMatch } from '../discovery.ts';
import type { ConveyorEvents, ConveyorLink, ConveyorTiming } from './acks.ts';
import { HeartbeatMonitor } from './heartbeat.ts';

export interface ModbusMap {
  unitId: number;
  releaseCoil: number;
  holdCoil: number;
  parcelIdRegister: number;
  ackRegister: number;
  heartbeatRegister: number;
  conveyorHeartbeatRegister: number;
}

export type ModbusEndpoint =
  | { kind: 'modbus-tcp'; host: string; port: number }
  | { kind: 'modbus-rtu'; path?: string | undefined; match?: SerialMatch | undefined; baudRate: number; dataBits: 5 | 6 | 7 | 8; parity: 'none' | 'even' | 'odd' | 'mark' | 'space'; stopBits: 1 | 1.5 | 2 };

// modbus-serial is CommonJS with `module.exports = ModbusRTU` plus `.default`; take the class either way.
const ModbusClient = ((modbusSerial as unknown as { default?: unknown }).default ?? modbusSerial) as new () => ModbusRTU;

export const ACK_RELEASE = 1;
export const ACK_HOLD = 2;
export const ACK_REFUSED = 0x8000;

export class ModbusConveyor implements ConveyorLink {
  readonly id: string;
  readonly kind = 'conveyor' as const;
  readonly events: SafeEmitter<ConveyorEvents>;
  private readonly ep: ModbusEndpoint;
  private readonly map: ModbusMap;
  private readonly timing: ConveyorTiming & { pollMs: number };
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly queue = new SerialQueue();
  private client: ModbusRTU | undefined;
  private seen: number | null = null;
  private fail: ((e: Error) => void) | undefined;

  constructor(id: string, ep: ModbusEndpoint, map: ModbusMap, timing: ConveyorTiming & { pollMs?: number }, log: Logger, now: () => number = Date.now) {
    this.id = id;
    this.ep = ep;
    this.map = map;
    this.timing = { ...timing, pollMs: timing.pollMs ?? 20 };
    this.log = log;
    this.now = now;
    this.events = new SafeEmitter(log);
  }

  lastSeen(): number | null {
    return this.seen;
  }

  async connect(): Promise<Session> {
    const c = new ModbusClient();
    try {
      if (this.ep.kind === 'modbus-tcp') await c.connectTCP(this.ep.host, { port: this.ep.port });
      else await c.connectRTUBuffered(await resolveSerialPath(this.ep, listSerialPorts), { baudRate: this.ep.baudRate, dataBits: this.ep.dataBits, parity: this.ep.parity, stopBits: this.ep.stopBits });
    } catch (e) {
      c.close(() => undefined);
      const where = this.ep.kind === 'modbus-tcp' ? `${this.ep.host}:${this.ep.port}` : (this.ep.path ?? JSON.stringify(this.ep.match));
      throw new StationError(DeviceErrorCodes.DEVICE_OPEN_FAILED, `${this.id}: Modbus ${where}: ${(e as Error).message}`, { deviceId: this.id }, { cause: e });
    }
    c.setID(this.map.unitId);
    c.setTimeout(Math.max(100, Math.min(this.timing.ackTimeoutMs, 1000)));
    this.client = c;
    let settle!: (e: Error | undefined) => void;
    const closed = new Promise<Error | undefined>((r) => (settle = r));
    let done = false;
    const monitor = new HeartbeatMonitor(this.timing.heartbeatMs, this.timing.heartbeatMissLimit, performance.now());
    let lastPeer = -1;
    let seq = 0;
    const end = (e: Error | undefined): void => {
      if (done) return;
      done = true;
      clearInterval(timer);
      this.client = undefined;
      this.fail = undefined;
      c.close(() => undefined);
      settle(e);
    };
    this.fail = (e) => end(e);
    const timer = setInterval(() => {
      this.tx(async (cl) => {
        await cl.writeRegister(this.map.heartbeatRegister, seq++ & 0xffff);
        const r = await cl.readHoldingRegisters(this.map.conveyorHeartbeatRegister, 1);
        const now = this.now();
        const peer = r.data[0] ?? -1;
        if (peer !== lastPeer) {
          lastPeer = peer;
          monitor.beat(performance.now());
          this.events.emit('heartbeat', { deviceId: this.id, seq: peer, failsafe: false, at: now });
        } else if (monitor.lost(performance.now())) {
          this.events.emit('heartbeatLost', { deviceId: this.id, missed: monitor.missed(performance.now()), at: now });
          end(new StationError(DeviceErrorCodes.DEVICE_DISCONNECTED, `${this.id}: PLC heartbeat register stalled`, { deviceId: this.id }));
        }
      }).catch(() => undefined);
    }, this.timing.heartbeatMs);
    return { closed, close: () => end(undefined) };
  }

  /** One Modbus transaction at a time; a transport error ends the session. */
  private tx<T>(fn: (c: ModbusRTU) => Promise<T>): Promise<T> {
    return this.queue.run(async () => {
      const c = this.client;
      if (!c) throw new StationError(DeviceErrorCodes.DEVICE_DISCONNECTED, `${this.id}: not connected`, { deviceId: this.id });
      try {
        const r = await fn(c);
        this.seen = this.now();
        return r;
      } catch (e) {
        if (e instanceof StationError) throw e;
        const err = e as Error & { modbusCode?: number };
        // An exception response means the PLC is alive and refused; anything else is a dead link.
        // Either way the caller gets a coded StationError (the ConveyorLink contract), never the library's Error.
        if (err.modbusCode === undefined) {
          const lost = new StationError(DeviceErrorCodes.DEVICE_DISCONNECTED, `${this.id}: Modbus ${err.message}`, { deviceId: this.id }, { cause: err });
          this.fail?.(lost);
          throw lost;
        }
        throw new StationError(DeviceErrorCodes.DEVICE_PROTOCOL, `${this.id}: Modbus exception ${err.modbusCode}: ${err.message}`, { deviceId: this.id, modbusCode: err.modbusCode }, { cause: err });
      }
    });
  }

  async send(cmd: ConveyorCommand): Promise<ConveyorAck> {
    const deadline = performance.now() + this.timing.ackTimeoutMs; // monotonic: a clock step must not stretch the wait
    const want = cmd.command === 'RELEASE' ? ACK_RELEASE : ACK_HOLD;
    await this.tx(async (c) => {
      await c.writeRegisters(this.map.parcelIdRegister, [Math.floor(cmd.parcelId / 0x10000), cmd.parcelId & 0xffff]);
      await c.writeCoil(cmd.command === 'RELEASE' ? this.map.releaseCoil : this.map.holdCoil, true);
    });
    while (performance.now() < deadline) {
      const r: { data: number[] } = await this.tx((c) => c.readHoldingRegisters(this.map.ackRegister, 3));
      const [hi = 0, lo = 0, result = 0] = r.data;
      if (hi * 0x10000 + lo === cmd.parcelId && (result & 0x7fff) === want) {
        const ack: ConveyorAck = { type: 'conveyor.ack', deviceId: this.id, parcelId: cmd.parcelId, command: cmd.command, ok: (result & ACK_REFUSED) === 0, at: this.now() };
        this.events.emit('event', ack);
        if (!ack.ok) throw new StationError(DeviceErrorCodes.DEVICE_NAK, `${this.id}: PLC refused ${cmd.command} for parcel ${cmd.parcelId}`, { deviceId: this.id, ...cmd });
        return ack;
      }
      await new Promise((r) => setTimeout(r, this.timing.pollMs));
    }
    throw new StationError(DeviceErrorCodes.DEVICE_ACK_TIMEOUT, `${this.id}: no acknowledgement of ${cmd.command} for parcel ${cmd.parcelId} within ${this.timing.ackTimeoutMs} ms`, { deviceId: this.id, ...cmd });
  }
}
