// Conveyor over MQTT (topics in src/shared/mqtt-topics.ts): commands on conveyor/command, acks on
// conveyor/ack, station heartbeat on heartbeat, conveyor heartbeat on conveyor/heartbeat.
// The session lasts while the broker connection is up and the conveyor keeps beating.
import { StationError } from '../../shared/errors.ts';
import { DeviceErrorCodes, type ConveyorAck, type ConveyorCommand } from '../../shared/devices.ts';
import type { z } from 'zod';
import type { ConveyorAckSchema, HeartbeatSchema } from '../../shared/mqtt-topics.ts';
import { SafeEmitter } from '../events.ts';
import type { Logger } from '../log.ts';
import type { StationMqtt } from '../mqtt/client.ts';
import type { Session } from '../supervisor.ts';
import { AckTracker, type ConveyorEvents, type ConveyorLink, type ConveyorTiming } from './acks.ts';
import { HeartbeatMonitor } from './heartbeat.ts';

export class MqttConveyor implements ConveyorLink {
  readonly id: string;
  readonly kind = 'conveyor' as const;
  readonly events: SafeEmitter<ConveyorEvents>;
  private readonly mqtt: StationMqtt;
  private readonly timing: ConveyorTiming;
  private readonly acks: AckTracker;
  private readonly log: Logger;
  private readonly now: () => number;
  private seen: number | null = null;
  private monitor: HeartbeatMonitor | undefined;
  private live = false;

  constructor(id: string, mqtt: StationMqtt, timing: ConveyorTiming, log: Logger, now: () => number = Date.now) {
    this.id = id;
    this.mqtt = mqtt;
    this.timing = timing;
    this.log = log;
    this.now = now;
    this.events = new SafeEmitter(log);
    this.acks = new AckTracker(id, timing.ackTimeoutMs);
    mqtt.on('conveyorAck', (v) => {
      const a = v as z.infer<typeof ConveyorAckSchema>;
      const at = this.now();
      this.seen = at;
      const ack: ConveyorAck = { type: 'conveyor.ack', deviceId: this.id, parcelId: a.parcelId, command: a.command, ok: a.ok, at };
      if (!this.acks.offer(ack)) this.log.warn('unexpected conveyor ack', { deviceId: this.id, parcelId: a.parcelId });
      this.events.emit('event', ack);
    });
    mqtt.on('conveyorHeartbeat', (v) => {
      const h = v as z.infer<typeof HeartbeatSchema>;
      const at = this.now();
      this.seen = at;
      this.monitor?.beat(performance.now());
      this.events.emit('heartbeat', { deviceId: this.id, seq: h.seq, failsafe: h.failsafe ?? false, at });
    });
  }

  lastSeen(): number | null {
    return this.seen;
  }

  async connect(): Promise<Session> {
    await this.mqtt.waitConnected(5000);
    this.live = true;
    this.monitor = new HeartbeatMonitor(this.timing.heartbeatMs, this.timing.heartbeatMissLimit, performance.now());
    let seq = 0;
    let settle!: (e: Error | undefined) => void;
    const closed = new Promise<Error | undefined>((r) => (settle = r));
    const end = (e: Error | undefined): void => {
      if (!this.live) return;
      this.live = false;
      clearInterval(timer);
      offDisc();
      this.acks.failAll(e ?? new StationError(DeviceErrorCodes.DEVICE_DISCONNECTED, `${this.id}: closed`));
      settle(e);
    };
    const timer = setInterval(() => {
      const now = this.now();
      if (this.monitor!.lost(performance.now())) {
        const missed = this.monitor!.missed(performance.now());
        this.events.emit('heartbeatLost', { deviceId: this.id, missed, at: now });
        end(new StationError(DeviceErrorCodes.DEVICE_DISCONNECTED, `${this.id}: conveyor heartbeat lost (${missed} missed)`, { deviceId: this.id }));
        return;
      }
      this.mqtt.publish('stationHeartbeat', { seq: seq++, at: now }).catch(() => undefined);
    }, this.timing.heartbeatMs);
    const offDisc = this.mqtt.events.on('disconnected', ({ reason }) => end(new StationError(DeviceErrorCodes.DEVICE_DISCONNECTED, `${this.id}: broker ${reason}`, { deviceId: this.id })));
    this.mqtt.publish('stationHeartbeat', { seq: seq++, at: this.now() }).catch(() => undefined);
    return { closed, close: () => end(undefined) };
  }

  async send(cmd: ConveyorCommand): Promise<ConveyorAck> {
    if (!this.live) throw new StationError(DeviceErrorCodes.DEVICE_DISCONNECTED, `${this.id}: not connected`, { deviceId: this.id, ...cmd });
    const ack = this.acks.expect(cmd);
    // The caller only attaches its handler once this function returns; a disconnect while the
    // publish is in flight must not surface as an unhandled rejection in between.
    ack.catch(() => undefined);
    try {
      await this.mqtt.publish('conveyorCommand', { parcelId: cmd.parcelId, command: cmd.command, seq: cmd.seq, ...(cmd.deadline !== undefined ? { deadline: cmd.deadline } : {}), at: this.now() });
    } catch (e) {
      this.acks.failAll(e as Error);
    }
    return ack;
  }
}
