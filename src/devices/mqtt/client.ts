// The station's MQTT client (style-anchors convention 10 and §7 "MQTT reconnection"):
// - unique client id `<prefix>-<stationId>-<role>-<random>` (duplicate ids make brokers kick sessions);
// - availability: LWT retained `offline`, `online` retained on EVERY (re)connect, `stopped` on clean stop;
// - reconnects driven here with capped exponential backoff + jitter (MQTT.js only has a fixed period),
//   a fresh MQTT.js client per attempt so no internal reconnect state can loop;
// - subscriptions and retained state re-sent on every connect (a restarted broker has forgotten them);
// - inbound payloads validated against src/shared/mqtt-topics.ts; oversized or malformed ones are
//   dropped with a logged reason and a `dropped` event;
// - publishing while offline fails fast (DEVICE_MQTT_OFFLINE): the in-memory queue is never durability.
import { randomBytes } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import { StationError } from '../../shared/errors.ts';
import { DeviceErrorCodes } from '../../shared/devices.ts';
import { decodePayload, filterFor, topicFor, topicMatches, TOPICS, type QoS, type TopicName } from '../../shared/mqtt-topics.ts';
import { backoffDelay, type BackoffOptions } from '../backoff.ts';
import { SafeEmitter } from '../events.ts';
import { silentLogger, type Logger } from '../log.ts';

export interface MqttOptions {
  url: string;
  prefix: string;
  stationId: string;
  /** Part of the client id: "station", "sim-conveyor", … */
  role: string;
  username?: string | undefined;
  password?: string | undefined;
  /** Own `<prefix>/<stationId>/status` (LWT + online/stopped). Only the station itself does. */
  availability: boolean;
  backoff?: BackoffOptions;
  keepaliveS?: number;
  log?: Logger;
}

type RawHandler = (topic: string, payload: Buffer) => void;

interface Sub {
  filter: string;
  qos: QoS;
  handler: RawHandler;
}

export interface DroppedMessage {
  topic: string;
  reason: string;
  bytes: number;
}

export class StationMqtt {
  readonly clientId: string;
  readonly events: SafeEmitter<{ connected: { clientId: string }; disconnected: { reason: string }; dropped: DroppedMessage }>;
  private readonly o: MqttOptions;
  private readonly log: Logger;
  private readonly subs: Sub[] = [];
  private readonly retained = new Map<string, { payload: string | Buffer; qos: QoS }>();
  private client: MqttClient | undefined;
  private running = false;
  private loopDone: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private dropCount = 0;
  /** True once the post-connect setup (availability, subscriptions, retained state) is done. */
  private ready = false;

  constructor(o: MqttOptions) {
    this.o = o;
    this.log = o.log ?? silentLogger;
    this.events = new SafeEmitter(this.log);
    this.clientId = `${o.prefix.replace(/\//g, '_')}-${o.stationId}-${o.role}-${randomBytes(4).toString('hex')}`;
  }

  get connected(): boolean {
    return this.ready && this.client?.connected === true;
  }

  get dropped(): number {
    return this.dropCount;
  }

  topic(name: TopicName, params?: Record<string, string>): string {
    return topicFor(this.o.prefix, this.o.stationId, name, params);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loopDone = this.loop();
  }

  /** Announces `stopped` (when it owns availability) and disconnects. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    const c = this.client;
    if (c?.connected && this.o.availability) {
      await c.publishAsync(this.topic('status'), 'stopped', { qos: 1, retain: true }).catch(() => undefined);
    }
    this.wake?.();
    if (c) await c.endAsync(false).catch(() => c.end(true));
    await this.loopDone;
  }

  /** Resolves once connected (or rejects after timeoutMs). */
  waitConnected(timeoutMs: number): Promise<void> {
    if (this.connected) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        off();
        reject(new StationError(DeviceErrorCodes.DEVICE_MQTT_OFFLINE, `MQTT ${redact(this.o.url)}: not connected within ${timeoutMs} ms`, { url: redact(this.o.url) }));
      }, timeoutMs);
      const off = this.events.on('connected', () => {
        clearTimeout(t);
        off();
        resolve();
      });
    });
  }

  /** Subscribes to a contract topic; handlers get validated payloads only. */
  on(name: TopicName, handler: (value: unknown, topic: string) => void): void {
    const spec = TOPICS[name];
    this.onRaw(filterFor(this.o.prefix, this.o.stationId, name), spec.qos, (topic, payload) => {
      const r = decodePayload(name, payload);
      if (!r.ok) {
        this.drop(topic, r.reason, payload.byteLength);
        return;
      }
      handler(r.value, topic);
    });
  }

  /** Subscribes to any filter without validation (simulators, diagnostics). */
  onRaw(filter: string, qos: QoS, handler: RawHandler): void {
    const sub = { filter, qos, handler };
    this.subs.push(sub);
    if (this.client?.connected) this.client.subscribe(filter, { qos }, (err) => err && this.log.warn('subscribe failed', { filter, error: err.message }));
  }

  /** Publishes a contract topic (JSON or text); rejects when offline. */
  publish(name: TopicName, value: unknown, params?: Record<string, string>): Promise<void> {
    const spec = TOPICS[name];
    const payload = typeof value === 'string' ? value : JSON.stringify(value);
    return this.publishRaw(this.topic(name, params), payload, { qos: spec.qos, retain: spec.retain });
  }

  async publishRaw(topic: string, payload: string | Buffer, o: { qos: QoS; retain: boolean }): Promise<void> {
    if (o.retain) this.retained.set(topic, { payload, qos: o.qos });
    const c = this.client;
    if (!c?.connected) {
      throw new StationError(DeviceErrorCodes.DEVICE_MQTT_OFFLINE, `MQTT offline: not published to ${topic}`, { topic });
    }
    await c.publishAsync(topic, payload, { qos: o.qos, retain: o.retain });
  }

  private drop(topic: string, reason: string, bytes: number): void {
    this.dropCount++;
    this.log.warn('MQTT message dropped', { topic, reason, bytes });
    this.events.emit('dropped', { topic, reason, bytes });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((r) => {
      const t = setTimeout(r, ms);
      this.wake = () => {
        clearTimeout(t);
        r();
      };
    });
  }

  private async loop(): Promise<void> {
    let attempt = 0;
    while (this.running) {
      const client = mqtt.connect(this.o.url, {
        clientId: this.clientId,
        protocolVersion: 4, // MQTT 3.1.1: every broker (aedes too) speaks it, and we need nothing from v5
        clean: true,
        reconnectPeriod: 0,
        resubscribe: false,
        queueQoSZero: false,
        connectTimeout: 5000,
        keepalive: this.o.keepaliveS ?? 10,
        ...(this.o.username !== undefined ? { username: this.o.username } : {}),
        ...(this.o.password !== undefined ? { password: this.o.password } : {}),
        ...(this.o.availability ? { will: { topic: this.topic('status'), payload: Buffer.from('offline'), qos: 1 as const, retain: true } } : {}),
      });
      const closed = new Promise<string>((resolve) => {
        client.once('close', () => resolve('connection closed'));
      });
      const outcome = await new Promise<'ok' | string>((resolve) => {
        client.once('connect', () => resolve('ok'));
        client.once('error', (e) => resolve(e.message));
        void closed.then(resolve);
      });
      client.on('error', (e) => this.log.debug('mqtt error', { error: e.message }));
      if (outcome === 'ok' && this.running) {
        attempt = 0;
        this.client = client;
        client.on('message', (topic, payload) => this.dispatch(topic, payload));
        await this.onConnect(client);
        const reason = await closed;
        this.ready = false;
        if (this.client === client) this.client = undefined;
        if (this.running) {
          this.log.warn('MQTT disconnected', { url: redact(this.o.url), reason });
          this.events.emit('disconnected', { reason });
        }
      } else {
        client.end(true);
        if (!this.running) break;
        attempt++;
        if (attempt === 1 || attempt % 10 === 0) this.log.warn('MQTT connect failed', { url: redact(this.o.url), attempt, reason: outcome });
      }
      if (!this.running) break;
      await this.sleep(backoffDelay(attempt, this.o.backoff ?? { baseMs: 250, maxMs: 30_000, jitter: 0.5 }));
    }
  }

  private async onConnect(c: MqttClient): Promise<void> {
    try {
      if (this.o.availability) await c.publishAsync(this.topic('status'), 'online', { qos: 1, retain: true });
      if (this.subs.length > 0) {
        const byFilter = new Map<string, QoS>();
        for (const s of this.subs) byFilter.set(s.filter, Math.max(byFilter.get(s.filter) ?? 0, s.qos) as QoS);
        await c.subscribeAsync(Object.fromEntries([...byFilter].map(([f, qos]) => [f, { qos }])));
      }
      for (const [topic, r] of this.retained) await c.publishAsync(topic, r.payload, { qos: r.qos, retain: true });
    } catch (e) {
      this.log.warn('MQTT setup after connect failed', { error: e instanceof Error ? e.message : String(e) });
    }
    this.ready = c.connected;
    this.log.info('MQTT connected', { url: redact(this.o.url), clientId: this.clientId });
    this.events.emit('connected', { clientId: this.clientId });
  }

  private dispatch(topic: string, payload: Buffer): void {
    for (const s of this.subs) {
      if (!topicMatches(s.filter, topic)) continue;
      try {
        s.handler(topic, payload);
      } catch (e) {
        this.log.error('MQTT handler failed', { topic, error: e instanceof Error ? e.message : String(e) });
      }
    }
  }
}

/** URL without credentials, for logs. */
export function redact(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}

/** Client options from the station configuration (`mqtt` and `station` sections). */
export function mqttOptionsFromConfig(
  cfg: { mqtt: { url?: string | undefined; embeddedPort: number; prefix: string; username?: string | undefined; password?: string | undefined; maxBackoffMs: number }; station: { id: string } },
  role: string,
  log?: Logger,
): MqttOptions {
  return {
    url: cfg.mqtt.url ?? `mqtt://127.0.0.1:${cfg.mqtt.embeddedPort}`,
    prefix: cfg.mqtt.prefix,
    stationId: cfg.station.id,
    role,
    username: cfg.mqtt.username,
    password: cfg.mqtt.password,
    availability: role === 'station',
    backoff: { baseMs: 250, maxMs: cfg.mqtt.maxBackoffMs, jitter: 0.5 },
    ...(log ? { log } : {}),
  };
}
