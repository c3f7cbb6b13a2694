// What every conveyor link shares: commands wait for their acknowledgement with a timeout whose
// error (DEVICE_ACK_TIMEOUT) names the parcel; the caller (the line) decides what to do with it.
import { StationError } from '../../shared/errors.ts';
import { DeviceErrorCodes, type ConveyorAck, type ConveyorCommand } from '../../shared/devices.ts';
import type { SafeEmitter } from '../events.ts';
import type { Supervised } from '../supervisor.ts';
import { Waiter } from '../waiter.ts';

export interface ConveyorHeartbeat {
  deviceId: string;
  seq: number;
  failsafe: boolean;
  at: number;
}

export type ConveyorEvents = { event: ConveyorAck; heartbeat: ConveyorHeartbeat; heartbeatLost: { deviceId: string; missed: number; at: number } };

export interface ConveyorLink extends Supervised {
  readonly events: SafeEmitter<ConveyorEvents>;
  /** Resolves with the acknowledgement, rejects with DEVICE_ACK_TIMEOUT, DEVICE_NAK or DEVICE_DISCONNECTED. */
  send(cmd: ConveyorCommand): Promise<ConveyorAck>;
}

export interface ConveyorTiming {
  ackTimeoutMs: number;
  heartbeatMs: number;
  /** Missed conveyor heartbeats before the link is declared lost. */
  heartbeatMissLimit: number;
}

export class AckTracker {
  private readonly waiter = new Waiter<ConveyorAck>();
  private readonly deviceId: string;
  private readonly timeoutMs: number;

  constructor(deviceId: string, timeoutMs: number) {
    this.deviceId = deviceId;
    this.timeoutMs = timeoutMs;
  }

  /** Registers the wait BEFORE the command is written (an ack can beat the write callback). */
  expect(cmd: ConveyorCommand): Promise<ConveyorAck> {
    return this.waiter
      .wait(
        (a) => a.parcelId === cmd.parcelId && a.command === cmd.command,
        this.timeoutMs,
        () => new StationError(DeviceErrorCodes.DEVICE_ACK_TIMEOUT, `${this.deviceId}: no acknowledgement of ${cmd.command} for parcel ${cmd.parcelId} within ${this.timeoutMs} ms`, { deviceId: this.deviceId, ...cmd }),
      )
      .then((a) => {
        if (!a.ok) throw new StationError(DeviceErrorCodes.DEVICE_NAK, `${this.deviceId}: conveyor refused ${cmd.command} for parcel ${cmd.parcelId}`, { deviceId: this.deviceId, ...cmd });
        return a;
      });
  }

  offer(a: ConveyorAck): boolean {
    return this.waiter.offer(a);
  }

  failAll(e: Error): void {
    this.waiter.rejectAll(e);
  }
}
