// Conveyor controller simulator. It implements the rule the real PLC must follow by contract:
// after `missLimit` missed station heartbeats it enters fail-safe and HOLDs (diverts) every parcel,
// refusing RELEASE with a NAK until heartbeats resume. Speaks the serial/TCP line protocol, the
// MQTT topics, or Modbus TCP with the configured register map. Faults: slow ack, no ack.
import modbusSerial from 'modbus-serial';
import type { ServerSerial as ServerSerialType, ServerTCP as ServerTCPType } from 'modbus-serial';
import type { ConveyorCommandName } from '../../shared/devices.ts';
import type { z } from 'zod';
import type { ConveyorCommandSchema } from '../../shared/mqtt-topics.ts';
import { HeartbeatMonitor } from '../conveyor/heartbeat.ts';
import { ACK_HOLD, ACK_REFUSED, ACK_RELEASE, type ModbusMap } from '../conveyor/modbus.ts';
import { formatAck, formatHeartbeat, parseConveyorLine } from '../conveyor/protocol.ts';
import { LineFramer } from '../framing.ts';
import type { StationMqtt } from '../mqtt/client.ts';
import type { SimEndpoint } from './endpoint.ts';

export interface ConveyorSimOptions {
  ackDelayMs: number;
  noAck: boolean;
  heartbeatMs: number;
  missLimit: number;
}

export const CONVEYOR_SIM_DEFAULTS: ConveyorSimOptions = { ackDelayMs: 5, noAck: false, heartbeatMs: 1000, missLimit: 3 };

export interface ParcelOutcome {
  parcelId: number;
  requested: ConveyorCommandName;
  outcome: 'released' | 'held';
  failsafe: boolean;
  at: number;
}

/** The controller's decision logic, shared by every transport. */
export class ConveyorBrain {
  readonly o: ConveyorSimOptions;
  readonly outcomes: ParcelOutcome[] = [];
  private readonly monitor: HeartbeatMonitor;
  private failsafeNow = false;
  private readonly say: (line: string) => void;

  constructor(o: Partial<ConveyorSimOptions>, say: (line: string) => void = () => {}) {
    this.o = { ...CONVEYOR_SIM_DEFAULTS, ...o };
    this.monitor = new HeartbeatMonitor(this.o.heartbeatMs, this.o.missLimit, performance.now());
    this.say = say;
  }

  get failsafe(): boolean {
    this.check();
    return this.failsafeNow;
  }

  stationBeat(): void {
    this.monitor.beat(performance.now());
    if (this.failsafeNow) this.say('station heartbeat back: leaving fail-safe');
    this.failsafeNow = false;
  }

  check(): void {
    if (!this.failsafeNow && this.monitor.lost(performance.now())) {
      this.failsafeNow = true;
      this.say(`station silent for ${this.o.missLimit} heartbeats: FAIL-SAFE, holding every parcel`);
    }
  }

  /** Decides a command; calls `reply(ok)` after the ack delay unless acks are switched off. */
  command(parcelId: number, command: ConveyorCommandName, reply: (ok: boolean) => void): void {
    this.check();
    const held = command === 'HOLD' || this.failsafeNow;
    this.outcomes.push({ parcelId, requested: command, outcome: held ? 'held' : 'released', failsafe: this.failsafeNow, at: Date.now() });
    if (this.outcomes.length > 10_000) this.outcomes.shift();
    this.say(`parcel ${parcelId}: ${command} → ${held ? 'held' : 'released'}${this.failsafeNow ? ' (fail-safe)' : ''}`);
    if (this.o.noAck) return;
    const ok = !(command === 'RELEASE' && this.failsafeNow);
    setTimeout(() => reply(ok), this.o.ackDelayMs);
  }
}

export class SerialConveyorSim {
  readonly brain: ConveyorBrain;
  private readonly ep: SimEndpoint;
  private readonly framer = new LineFramer({ suffix: 'CRLF', interByteTimeoutMs: 0, maxLineBytes: 128 });
  private timer: NodeJS.Timeout | undefined;
  private seq = 0;

  constructor(ep: SimEndpoint, brain: ConveyorBrain) {
    this.ep = ep;
    this.brain = brain;
    ep.onData((c) => {
      for (const f of this.framer.push(c, Date.now())) {
        if (f.kind !== 'line') continue;
        const r = parseConveyorLine(f.bytes);
        if (r.kind === 'heartbeat') this.brain.stationBeat();
        else if (r.kind === 'command') this.brain.command(r.parcelId, r.command, (ok) => this.ep.write(formatAck(r.command, r.parcelId, ok, ok ? '' : 'FAILSAFE')));
      }
    });
  }

  start(): void {
    this.timer = setInterval(() => this.ep.write(formatHeartbeat(this.seq++, this.brain.failsafe)), this.brain.o.heartbeatMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

export class MqttConveyorSim {
  readonly brain: ConveyorBrain;
  private readonly mqtt: StationMqtt;
  private timer: NodeJS.Timeout | undefined;
  private seq = 0;

  constructor(mqtt: StationMqtt, brain: ConveyorBrain) {
    this.mqtt = mqtt;
    this.brain = brain;
    mqtt.on('stationHeartbeat', () => this.brain.stationBeat());
    mqtt.on('conveyorCommand', (v) => {
      const c = v as z.infer<typeof ConveyorCommandSchema>;
      this.brain.command(c.parcelId, c.command, (ok) => {
        this.mqtt.publish('conveyorAck', { parcelId: c.parcelId, command: c.command, seq: c.seq, ok, at: Date.now() }).catch(() => undefined);
      });
    });
  }

  start(): void {
    this.timer = setInterval(() => {
      this.mqtt.publish('conveyorHeartbeat', { seq: this.seq++, at: Date.now(), failsafe: this.brain.failsafe }).catch(() => undefined);
    }, this.brain.o.heartbeatMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

// modbus-serial is CommonJS; its server classes hang off the module object.
const servers = ((modbusSerial as unknown as { default?: unknown }).default ?? modbusSerial) as { ServerTCP: typeof ServerTCPType; ServerSerial: typeof ServerSerialType };

export class ModbusConveyorSim {
  readonly brain: ConveyorBrain;
  readonly registers = new Array<number>(64).fill(0);
  readonly coils = new Array<boolean>(64).fill(false);
  private readonly map: ModbusMap;
  private server: ServerTCPType | ServerSerialType | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastStationBeat = -1;

  constructor(map: ModbusMap, brain: ConveyorBrain) {
    this.map = map;
    this.brain = brain;
  }

  /** Modbus TCP server. */
  async listen(port: number, host = '127.0.0.1'): Promise<void> {
    const server = new servers.ServerTCP(this.vector(), { host, port, unitID: this.map.unitId });
    await new Promise<void>((resolve, reject) => {
      server.on('initialized', () => resolve());
      server.on('serverError', (e: Error | null) => reject(e ?? new Error('modbus server error')));
    });
    server.on('socketError', () => undefined);
    this.started(server);
  }

  /** Modbus RTU slave on a serial port (the device end of a pty pair in tests). */
  async listenRtu(path: string, baudRate = 19200): Promise<void> {
    const server = new servers.ServerSerial(this.vector(), { path, baudRate, unitID: this.map.unitId } as ConstructorParameters<typeof ServerSerialType>[1]);
    await new Promise<void>((resolve, reject) => {
      server.on('initialized', () => resolve());
      server.on('error', (e: Error | null) => reject(e ?? new Error('modbus serial server error')));
    });
    server.on('socketError', () => undefined);
    this.started(server);
  }

  private started(server: ServerTCPType | ServerSerialType): void {
    this.server = server;
    this.timer = setInterval(() => {
      this.brain.check();
      this.registers[this.map.conveyorHeartbeatRegister] = ((this.registers[this.map.conveyorHeartbeatRegister] ?? 0) + 1) & 0xffff;
    }, this.brain.o.heartbeatMs);
  }

  private vector() {
    return {
      getCoil: (addr: number) => this.coils[addr] ?? false,
      getHoldingRegister: (addr: number) => this.registers[addr] ?? 0,
      getMultipleHoldingRegisters: (addr: number, length: number) => this.registers.slice(addr, addr + length),
      setRegister: (addr: number, value: number) => {
        this.registers[addr] = value;
        if (addr === this.map.heartbeatRegister && value !== this.lastStationBeat) {
          this.lastStationBeat = value;
          this.brain.stationBeat();
        }
      },
      setCoil: (addr: number, value: boolean) => {
        this.coils[addr] = value;
        if (!value) return;
        const command: ConveyorCommandName | undefined = addr === this.map.releaseCoil ? 'RELEASE' : addr === this.map.holdCoil ? 'HOLD' : undefined;
        if (!command) return;
        const parcelId = (this.registers[this.map.parcelIdRegister] ?? 0) * 0x10000 + (this.registers[this.map.parcelIdRegister + 1] ?? 0);
        this.brain.command(parcelId, command, (ok) => {
          const a = this.map.ackRegister;
          this.registers[a] = Math.floor(parcelId / 0x10000);
          this.registers[a + 1] = parcelId & 0xffff;
          this.registers[a + 2] = (command === 'RELEASE' ? ACK_RELEASE : ACK_HOLD) | (ok ? 0 : ACK_REFUSED);
          this.coils[addr] = false;
        });
      },
    };
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    const s = this.server;
    if (s) await new Promise<void>((r) => s.close(() => r()));
  }
}
