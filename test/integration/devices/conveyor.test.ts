import { afterEach, describe, expect, it } from 'vitest';
import { isStationError } from '../../../src/shared/errors.ts';
import { SerialConveyor } from '../../../src/devices/conveyor/serial.ts';
import { MqttConveyor } from '../../../src/devices/conveyor/mqtt.ts';
import { ModbusConveyor, type ModbusMap } from '../../../src/devices/conveyor/modbus.ts';
import type { ConveyorLink } from '../../../src/devices/conveyor/acks.ts';
import { StationMqtt } from '../../../src/devices/mqtt/client.ts';
import { memoryLogger } from '../../../src/devices/log.ts';
import { Supervisor } from '../../../src/devices/supervisor.ts';
import { serialTransport } from '../../../src/devices/transport/serial.ts';
import { PtyEndpoint } from '../../../src/devices/sim/endpoint.ts';
import { ConveyorBrain, ModbusConveyorSim, MqttConveyorSim, SerialConveyorSim } from '../../../src/devices/sim/conveyor-sim.ts';
import { aedesBroker, cleanup, freePort, onCleanup, ptyPair, tmp, waitFor } from './helpers.ts';

afterEach(cleanup);

// Generous against a loaded CI machine: 600 ms of silence before either side calls the other lost.
const TIMING = { ackTimeoutMs: 1000, heartbeatMs: 200, heartbeatMissLimit: 3 };
const MAP: ModbusMap = { unitId: 1, releaseCoil: 0, holdCoil: 1, parcelIdRegister: 0, ackRegister: 2, heartbeatRegister: 5, conveyorHeartbeatRegister: 6 };

function supervise(link: ConveyorLink): Supervisor {
  const sup = new Supervisor({ backoff: { baseMs: 50, maxMs: 300, jitter: 0.2 } });
  sup.add(link);
  sup.start();
  onCleanup(() => sup.stop());
  return sup;
}

async function expectCode(p: Promise<unknown>, code: string): Promise<void> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(isStationError(e) ? e.code : e).toBe(code);
}

describe('conveyor over the serial line protocol on a real pty', () => {
  it('acknowledges RELEASE and HOLD, times out without an ack, and the simulator fails safe when the station goes silent', async () => {
    const ep = await new PtyEndpoint(tmp(), 'conv').open();
    onCleanup(() => ep.close());
    const brain = new ConveyorBrain({ heartbeatMs: 200, missLimit: 3, ackDelayMs: 5 });
    const sim = new SerialConveyorSim(ep, brain);
    sim.start();
    onCleanup(() => sim.stop());
    const link = new SerialConveyor('conv', serialTransport({ path: ep.connectTo, baudRate: 115200, dataBits: 8, parity: 'none', stopBits: 1 }), TIMING, memoryLogger());
    const beats: boolean[] = [];
    link.events.on('heartbeat', (h) => void beats.push(h.failsafe));
    const sup = supervise(link);
    await waitFor('connected', () => link.connected);

    await expect(link.send({ parcelId: 123, command: 'RELEASE', seq: 1 })).resolves.toMatchObject({ type: 'conveyor.ack', parcelId: 123, command: 'RELEASE', ok: true });
    await expect(link.send({ parcelId: 124, command: 'HOLD', seq: 2 })).resolves.toMatchObject({ parcelId: 124, command: 'HOLD', ok: true });
    await waitFor('conveyor heartbeats', () => beats.length >= 2);
    expect(brain.failsafe).toBe(false);

    brain.o.noAck = true;
    await expectCode(link.send({ parcelId: 125, command: 'RELEASE', seq: 3 }), 'DEVICE_ACK_TIMEOUT');
    brain.o.noAck = false;

    // The station stops (its heartbeats stop): the conveyor must hold everything.
    await sup.stop();
    await waitFor('fail-safe', () => brain.failsafe, 3000);
    expect(brain.outcomes.map((o) => `${o.parcelId}:${o.outcome}`)).toEqual(['123:released', '124:held', '125:released']);
  });
});

describe('conveyor over MQTT (aedes)', () => {
  it('sends commands, gets acks, and gets NAK for RELEASE while the conveyor is in fail-safe', async () => {
    const broker = await aedesBroker();
    const mk = (role: string, availability: boolean) => {
      const m = new StationMqtt({ url: broker.url, prefix: 'station', stationId: 'c-01', role, availability, backoff: { baseMs: 50, maxMs: 300, jitter: 0.2 } });
      onCleanup(() => m.stop());
      m.start();
      return m;
    };
    const stationMqtt = mk('station', true);
    const simMqtt = mk('sim-conveyor', false);
    const brain = new ConveyorBrain({ heartbeatMs: 200, missLimit: 3, ackDelayMs: 20 });
    const sim = new MqttConveyorSim(simMqtt, brain);
    sim.start();
    onCleanup(() => sim.stop());
    await simMqtt.waitConnected(3000);
    const link = new MqttConveyor('conv-mqtt', stationMqtt, TIMING, memoryLogger());
    const session = await link.connect();
    onCleanup(() => session.close());

    await expect(link.send({ parcelId: 1, command: 'RELEASE', seq: 1 })).resolves.toMatchObject({ parcelId: 1, command: 'RELEASE', ok: true });
    brain.o.ackDelayMs = 1500; // slower than the 1000 ms ack timeout
    await expectCode(link.send({ parcelId: 2, command: 'HOLD', seq: 2 }), 'DEVICE_ACK_TIMEOUT');
    brain.o.ackDelayMs = 20;

    session.close(); // station heartbeats stop
    await waitFor('fail-safe', () => brain.failsafe, 3000);
    const again = await link.connect(); // beats resume…
    onCleanup(() => again.close());
    await waitFor('fail-safe cleared', () => !brain.failsafe, 3000);
    await expect(link.send({ parcelId: 3, command: 'RELEASE', seq: 3 })).resolves.toMatchObject({ ok: true });
    again.close();
    // A station whose heartbeats come too slowly (one per 10 s) is silent to the conveyor.
    const slow = new MqttConveyor('conv-slow', stationMqtt, { ...TIMING, heartbeatMs: 10_000 }, memoryLogger());
    const third = await slow.connect();
    onCleanup(() => third.close());
    await waitFor('fail-safe again', () => brain.failsafe, 3000);
    await expectCode(slow.send({ parcelId: 4, command: 'RELEASE', seq: 4 }), 'DEVICE_NAK');
    await expect(slow.send({ parcelId: 5, command: 'HOLD', seq: 5 })).resolves.toMatchObject({ ok: true });
    expect(brain.outcomes.find((o) => o.parcelId === 4)).toMatchObject({ requested: 'RELEASE', outcome: 'held', failsafe: true });
  });
});

describe('conveyor over Modbus TCP', () => {
  it('writes the parcel id and coil from the register map and reads the acknowledgement back', async () => {
    const port = await freePort();
    const brain = new ConveyorBrain({ heartbeatMs: 200, missLimit: 3, ackDelayMs: 10 });
    const plc = new ModbusConveyorSim(MAP, brain);
    await plc.listen(port);
    onCleanup(() => plc.close());
    const link = new ModbusConveyor('conv-mb', { kind: 'modbus-tcp', host: '127.0.0.1', port }, MAP, TIMING, memoryLogger());
    const sup = supervise(link);
    await waitFor('connected', () => sup.health('conv-mb')[0]?.connected);
    await expect(link.send({ parcelId: 70_001, command: 'RELEASE', seq: 1 })).resolves.toMatchObject({ parcelId: 70_001, command: 'RELEASE', ok: true });
    await expect(link.send({ parcelId: 70_002, command: 'HOLD', seq: 2 })).resolves.toMatchObject({ parcelId: 70_002, command: 'HOLD', ok: true });
    expect(plc.registers.slice(0, 5)).toEqual([1, 70_002 - 65_536, 1, 70_002 - 65_536, 2]);
    await waitFor('station heartbeat register moving', () => plc.registers[5]! > 2);
    brain.o.noAck = true;
    await expectCode(link.send({ parcelId: 9, command: 'RELEASE', seq: 3 }), 'DEVICE_ACK_TIMEOUT');
    brain.o.noAck = false;

    // The PLC goes away (power cycle) and comes back on the same port: the link recovers by itself.
    await plc.close();
    await waitFor('disconnect noticed', () => sup.health('conv-mb')[0]?.connected === false, 3000);
    const plc2 = new ModbusConveyorSim(MAP, brain);
    await plc2.listen(port);
    onCleanup(() => plc2.close());
    await waitFor('reconnected', () => sup.health('conv-mb')[0]?.connected, 5000);
    await expect(link.send({ parcelId: 10, command: 'HOLD', seq: 4 })).resolves.toMatchObject({ parcelId: 10, ok: true });
    await sup.stop();
    await waitFor('PLC fail-safe after the station stops', () => brain.failsafe, 3000);
  });
});

describe('conveyor over Modbus RTU on a real pty', () => {
  it('sends RELEASE through an RTU slave on the other end of the pty and reads the acknowledgement', async () => {
    const pty = await ptyPair('rtu');
    const brain = new ConveyorBrain({ heartbeatMs: 200, missLimit: 3, ackDelayMs: 10 });
    const plc = new ModbusConveyorSim(MAP, brain);
    await plc.listenRtu(pty.devicePath, 19200);
    onCleanup(() => plc.close());
    const link = new ModbusConveyor('conv-rtu', { kind: 'modbus-rtu', path: pty.stationPath, baudRate: 19200, dataBits: 8, parity: 'none', stopBits: 1 }, MAP, TIMING, memoryLogger());
    const sup = supervise(link);
    await waitFor('connected', () => sup.health('conv-rtu')[0]?.connected);
    await expect(link.send({ parcelId: 321, command: 'RELEASE', seq: 1 })).resolves.toMatchObject({ parcelId: 321, command: 'RELEASE', ok: true });
    expect(brain.outcomes).toMatchObject([{ parcelId: 321, outcome: 'released' }]);
  });
});
