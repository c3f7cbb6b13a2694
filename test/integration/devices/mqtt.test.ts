import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { StationMqtt } from '../../../src/devices/mqtt/client.ts';
import { startEmbeddedBroker } from '../../../src/devices/mqtt/broker.ts';
import { memoryLogger } from '../../../src/devices/log.ts';
import { MqttConveyor } from '../../../src/devices/conveyor/mqtt.ts';
import { Supervisor } from '../../../src/devices/supervisor.ts';
import { ConveyorBrain, MqttConveyorSim } from '../../../src/devices/sim/conveyor-sim.ts';
import { aedesBroker, cleanup, mosquittoBroker, onCleanup, waitFor } from './helpers.ts';

afterEach(cleanup);

/** A plain MQTT.js client as a test observer (what mosquitto_sub would see). */
async function observer(url: string, filter: string): Promise<{ seen: { topic: string; payload: string; retain: boolean }[]; client: mqtt.MqttClient }> {
  const client = await mqtt.connectAsync(url, { reconnectPeriod: 100, clientId: `obs-${Math.random().toString(16).slice(2)}` });
  onCleanup(() => client.endAsync(true));
  const seen: { topic: string; payload: string; retain: boolean }[] = [];
  client.on('message', (topic, payload, packet) => seen.push({ topic, payload: payload.toString(), retain: packet.retain }));
  await client.subscribeAsync(filter, { qos: 1 });
  return { seen, client };
}

function station(url: string, o: Partial<ConstructorParameters<typeof StationMqtt>[0]> = {}): StationMqtt {
  const m = new StationMqtt({ url, prefix: 'station', stationId: 'test-01', role: 'station', availability: true, backoff: { baseMs: 50, maxMs: 300, jitter: 0.3 }, ...o });
  onCleanup(() => m.stop());
  return m;
}

describe('station MQTT client against aedes', () => {
  it('runs against the embedded broker, and a taken port is a clear error', async () => {
    const broker = await startEmbeddedBroker(0);
    onCleanup(() => broker.stop());
    const m = station(broker.url);
    m.start();
    await m.waitConnected(3000);
    const obs = await observer(broker.url, 'station/test-01/status');
    await waitFor('retained online', () => obs.seen.find((x) => x.payload === 'online' && x.retain));
    await expect(startEmbeddedBroker(broker.port)).rejects.toMatchObject({ code: 'DEVICE_OPEN_FAILED', message: expect.stringMatching(/EADDRINUSE.*mqtt.embeddedPort/) });
  });

  it('publishes retained online on connect and stopped on clean stop, with a unique client id', async () => {
    const broker = await aedesBroker();
    const a = station(broker.url);
    const b = station(broker.url, { role: 'station', availability: false });
    expect(a.clientId).toMatch(/^station-test-01-station-[0-9a-f]{8}$/);
    expect(a.clientId).not.toBe(b.clientId);
    a.start();
    await a.waitConnected(3000);
    const obs = await observer(broker.url, 'station/test-01/status');
    await waitFor('retained online', () => obs.seen.find((m) => m.payload === 'online' && m.retain));
    await a.stop();
    await waitFor('stopped', () => obs.seen.find((m) => m.payload === 'stopped'));
  });

  it('drops malformed and oversized inbound payloads with a logged reason and delivers valid ones', async () => {
    const broker = await aedesBroker();
    const log = memoryLogger();
    const m = station(broker.url, { log });
    const got: unknown[] = [];
    m.on('barcodeScan', (v) => void got.push(v));
    m.start();
    await m.waitConnected(3000);
    const pub = await mqtt.connectAsync(broker.url);
    onCleanup(() => pub.endAsync(true));
    const t = 'station/test-01/barcode/scan';
    await pub.publishAsync(t, 'not json', { qos: 1 });
    await pub.publishAsync(t, JSON.stringify({ code: '' }), { qos: 1 });
    await pub.publishAsync(t, JSON.stringify({ code: 'A'.repeat(2000) }), { qos: 1 });
    await pub.publishAsync(t, Buffer.from([0xff, 0xfe, 0x00]), { qos: 1 });
    await pub.publishAsync(t, JSON.stringify({ code: 'SIM0000000001', symbology: ']C1' }), { qos: 1 });
    await waitFor('valid scan', () => got.length === 1);
    await waitFor('four drops', () => m.dropped === 4);
    expect(got[0]).toEqual({ code: 'SIM0000000001', symbology: ']C1' });
    const reasons = log.entries.filter((e) => e.msg === 'MQTT message dropped').map((e) => e.ctx?.reason);
    expect(reasons).toEqual(['payload is not JSON', expect.stringMatching(/^schema: /), expect.stringMatching(/exceeds the 1024-byte limit/), 'payload is not UTF-8']);
  });

  it('leaves a retained offline last will when the station process dies', async () => {
    const broker = await aedesBroker();
    const child = spawn(process.execPath, [fileURLToPath(new URL('./fixtures/mqtt-station.ts', import.meta.url)), broker.url], { stdio: ['ignore', 'pipe', 'inherit'] });
    onCleanup(() => void child.kill('SIGKILL'));
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    await waitFor('child connected', () => out.includes('connected'), 10_000);
    const obs = await observer(broker.url, 'station/lwt-01/status');
    await waitFor('online', () => obs.seen.find((m) => m.payload === 'online'));
    child.kill('SIGKILL');
    await waitFor('offline will', () => obs.seen.find((m) => m.payload === 'offline'), 5000);
  });
});

describe('station MQTT client against a real Mosquitto', () => {
  it('restores availability and subscriptions after the broker is killed and restarted', async () => {
    const broker = await mosquittoBroker();
    const m = station(broker.url);
    const got: unknown[] = [];
    m.on('conveyorAck', (v) => void got.push(v));
    let connects = 0;
    m.events.on('connected', () => void connects++);
    m.start();
    await m.waitConnected(3000);

    await broker.stop(); // SIGKILL: no clean disconnect, retained state is gone with it (persistence false)
    await waitFor('client noticed', () => !m.connected, 5000);
    await broker.start();
    await waitFor('reconnected', () => connects === 2, 10_000);

    // A fresh broker knows nothing: seeing retained `online` proves it was republished.
    const obs = await observer(broker.url, 'station/test-01/status');
    await waitFor('retained online after restart', () => obs.seen.find((x) => x.payload === 'online' && x.retain));
    await obs.client.publishAsync('station/test-01/conveyor/ack', JSON.stringify({ parcelId: 7, command: 'HOLD', ok: true }), { qos: 1 });
    await waitFor('subscription restored', () => got.length === 1);
    expect(got[0]).toMatchObject({ parcelId: 7, command: 'HOLD', ok: true });
  });

  it('a conveyor link over MQTT recovers by itself when the broker is killed and restarted', async () => {
    const broker = await mosquittoBroker();
    const stationMqtt = station(broker.url);
    const simMqtt = station(broker.url, { role: 'sim-conveyor', availability: false });
    const brain = new ConveyorBrain({ heartbeatMs: 200, missLimit: 3 });
    const sim = new MqttConveyorSim(simMqtt, brain);
    sim.start();
    onCleanup(() => sim.stop());
    const link = new MqttConveyor('conveyor', stationMqtt, { ackTimeoutMs: 1000, heartbeatMs: 200, heartbeatMissLimit: 3 }, memoryLogger());
    const sup = new Supervisor({ backoff: { baseMs: 50, maxMs: 500, jitter: 0.2 } });
    sup.add(link);
    stationMqtt.start();
    simMqtt.start();
    sup.start();
    onCleanup(() => sup.stop());
    await waitFor('link up', () => sup.health('conveyor')[0]?.connected, 5000);
    await simMqtt.waitConnected(5000); // the simulated conveyor must be subscribed before the first command
    await expect(link.send({ parcelId: 1, command: 'RELEASE', seq: 1 })).resolves.toMatchObject({ ok: true });

    await broker.stop();
    await waitFor('link down', () => sup.health('conveyor')[0]?.connected === false, 5000);
    await expect(link.send({ parcelId: 2, command: 'RELEASE', seq: 2 })).rejects.toMatchObject({ code: 'DEVICE_DISCONNECTED' });
    await broker.start();
    await waitFor('link up again', () => sup.health('conveyor')[0]?.connected, 10_000);
    await waitFor('simulated conveyor resubscribed', () => simMqtt.connected, 10_000);
    await waitFor('conveyor out of fail-safe', () => !brain.failsafe, 5000);
    await expect(link.send({ parcelId: 3, command: 'RELEASE', seq: 3 })).resolves.toMatchObject({ parcelId: 3, ok: true });
  });
});
