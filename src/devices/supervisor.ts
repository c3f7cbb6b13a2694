// Supervision (style-anchors convention 5): one loop per device that connects, waits for the
// connection to end, and reconnects with capped exponential backoff and jitter. Health (connected,
// last seen, last error) is emitted as events on every change and periodically. A restart budget
// slows down a flapping device instead of spinning. Nothing a device does can throw out of here.
import type { DeviceHealth, DeviceKind } from '../shared/devices.ts';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.ts';
import { SafeEmitter } from './events.ts';
import { silentLogger, type Logger } from './log.ts';

/** One live connection to a device. `closed` settles when it ends (with the reason, if any). */
export interface Session {
  closed: Promise<Error | undefined>;
  close(): void;
}

export interface Supervised {
  id: string;
  kind: DeviceKind;
  connect(): Promise<Session>;
  /** Last time the device said anything (epoch ms), or null. */
  lastSeen(): number | null;
  /** Whether the device looks present (e.g. its /dev node exists); undefined when unknowable. */
  present?(): boolean | undefined;
}

export interface SupervisorOptions {
  backoff?: BackoffOptions;
  /** At most this many reconnects per window; beyond it wait backoff.maxMs. */
  restartBudget?: { max: number; windowMs: number };
  healthIntervalMs?: number;
  /** While an absent device is waited for, check for it this often. */
  presencePollMs?: number;
  log?: Logger;
  /** Wall clock for the health records' timestamps. */
  now?: () => number;
  /** Monotonic clock for the restart window (a wall-clock step must not empty or stretch it). */
  monotonic?: () => number;
}

interface Entry {
  dev: Supervised;
  health: DeviceHealth;
  session?: Session;
  restarts: number[];
  wake?: () => void;
}

export class Supervisor {
  readonly events: SafeEmitter<{ health: DeviceHealth }>;
  private readonly entries = new Map<string, Entry>();
  private readonly opts: Required<Omit<SupervisorOptions, 'log'>>;
  private readonly log: Logger;
  private running = false;
  private timer?: NodeJS.Timeout;
  private loops: Promise<void>[] = [];

  constructor(o: SupervisorOptions = {}) {
    this.log = o.log ?? silentLogger;
    this.events = new SafeEmitter(this.log);
    this.opts = {
      backoff: o.backoff ?? DEFAULT_BACKOFF,
      restartBudget: o.restartBudget ?? { max: 10, windowMs: 60_000 },
      healthIntervalMs: o.healthIntervalMs ?? 5000,
      presencePollMs: o.presencePollMs ?? 100,
      now: o.now ?? Date.now,
      monotonic: o.monotonic ?? (() => performance.now()),
    };
  }

  add(dev: Supervised): void {
    if (this.entries.has(dev.id)) throw new Error(`device ${dev.id} is already supervised`);
    const e: Entry = {
      dev,
      restarts: [],
      health: { type: 'device.health', deviceId: dev.id, kind: dev.kind, connected: false, lastSeen: null, lastError: null, attempts: 0, at: this.opts.now() },
    };
    this.entries.set(dev.id, e);
    if (this.running) this.loops.push(this.loop(e));
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    for (const e of this.entries.values()) this.loops.push(this.loop(e));
    this.timer = setInterval(() => {
      for (const e of this.entries.values()) this.publish(e, {});
    }, this.opts.healthIntervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearInterval(this.timer);
    for (const e of this.entries.values()) {
      e.session?.close();
      e.wake?.();
    }
    await Promise.allSettled(this.loops);
    this.loops = [];
  }

  health(id?: string): DeviceHealth[] {
    const list = [...this.entries.values()].filter((e) => id === undefined || e.dev.id === id);
    return list.map((e) => ({ ...e.health, lastSeen: e.dev.lastSeen() ?? e.health.lastSeen }));
  }

  private publish(e: Entry, patch: Partial<DeviceHealth>): void {
    e.health = { ...e.health, ...patch, lastSeen: e.dev.lastSeen() ?? e.health.lastSeen, at: this.opts.now() };
    this.events.emit('health', e.health);
  }

  /**
   * Waits out the backoff, but wakes early when an absent device reappears (its /dev node comes
   * back on replug): a long outage must not leave a replugged reader waiting for a 30 s backoff.
   */
  private sleep(e: Entry, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wasAbsent = e.dev.present?.() === false;
      const poll = wasAbsent
        ? setInterval(() => {
            if (e.dev.present?.() === true) e.wake?.();
          }, this.opts.presencePollMs)
        : undefined;
      const t = setTimeout(() => e.wake?.(), ms);
      e.wake = () => {
        clearTimeout(t);
        clearInterval(poll);
        e.wake = undefined;
        resolve();
      };
    });
  }

  private async loop(e: Entry): Promise<void> {
    let attempt = 0;
    while (this.running) {
      try {
        const session = await e.dev.connect();
        if (!this.running) {
          session.close();
          break;
        }
        e.session = session;
        attempt = 0;
        this.publish(e, { connected: true, attempts: 0 });
        this.log.info('device connected', { deviceId: e.dev.id });
        const why = await session.closed;
        e.session = undefined;
        if (!this.running) break;
        const msg = why?.message ?? 'connection closed';
        this.log.warn('device disconnected', { deviceId: e.dev.id, reason: msg });
        this.publish(e, { connected: false, lastError: msg });
      } catch (err) {
        attempt++;
        const msg = err instanceof Error ? err.message : String(err);
        if (attempt === 1 || attempt % 10 === 0) this.log.warn('device connect failed', { deviceId: e.dev.id, attempt, reason: msg });
        this.publish(e, { connected: false, lastError: msg, attempts: attempt });
      }
      if (!this.running) break;
      const now = this.opts.monotonic();
      e.restarts = e.restarts.filter((t) => now - t < this.opts.restartBudget.windowMs);
      e.restarts.push(now);
      const overBudget = e.restarts.length > this.opts.restartBudget.max;
      const delay = overBudget ? this.opts.backoff.maxMs : backoffDelay(attempt, this.opts.backoff);
      if (overBudget) this.log.warn('restart budget spent; cooling down', { deviceId: e.dev.id, delayMs: delay });
      await this.sleep(e, delay);
    }
  }
}
