import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../../src/devices/backoff.ts';
import { SafeEmitter } from '../../../src/devices/events.ts';
import { memoryLogger } from '../../../src/devices/log.ts';
import { Supervisor, type Session, type Supervised } from '../../../src/devices/supervisor.ts';
import { SerialQueue, Waiter } from '../../../src/devices/waiter.ts';
import { StationError } from '../../../src/shared/errors.ts';
import type { DeviceHealth } from '../../../src/shared/devices.ts';

describe('backoff', () => {
  it('doubles from the base, caps, and jitters downward only', () => {
    const o = { baseMs: 100, maxMs: 1000, jitter: 0.5 };
    expect([0, 1, 2, 3, 4, 10, 100].map((n) => backoffDelay(n, o, () => 0))).toEqual([100, 200, 400, 800, 1000, 1000, 1000]);
    expect(backoffDelay(3, o, () => 1)).toBe(400);
    expect(backoffDelay(3, { ...o, jitter: 0 }, () => 1)).toBe(800);
  });
});

describe('SafeEmitter', () => {
  it('a throwing or rejecting listener is logged and the others still run', async () => {
    const log = memoryLogger();
    const e = new SafeEmitter<{ x: number }>(log);
    const got: number[] = [];
    e.on('x', () => {
      throw new Error('boom');
    });
    e.on('x', async () => {
      throw new Error('later');
    });
    const off = e.on('x', (v) => void got.push(v));
    e.emit('x', 1);
    off();
    e.emit('x', 2);
    await new Promise((r) => setTimeout(r, 0));
    expect(got).toEqual([1]);
    expect(log.entries.map((l) => l.msg)).toEqual(['event listener threw', 'event listener threw', 'event listener rejected', 'event listener rejected']);
  });
});

describe('Waiter and SerialQueue', () => {
  it('resolves the matching waiter, times out with the call-site error, and rejects all on close', async () => {
    const w = new Waiter<number>();
    const a = w.wait((n) => n === 2, 1000, () => new StationError('DEVICE_TIMEOUT', 'a'));
    const b = w.wait((n) => n === 3, 10, () => new StationError('DEVICE_TIMEOUT', 'b timed out'));
    const c = w.wait(() => true, 1000, () => new StationError('DEVICE_TIMEOUT', 'c'));
    expect(w.offer(2)).toBe(true);
    await expect(a).resolves.toBe(2);
    await expect(b).rejects.toThrow('b timed out');
    w.rejectAll(new Error('closed'));
    await expect(c).rejects.toThrow('closed');
    expect(w.size).toBe(0);
  });

  it('runs tasks one at a time, and a failure does not block the next', async () => {
    const q = new SerialQueue();
    const order: string[] = [];
    const slow = q.run(async () => {
      order.push('a-start');
      await new Promise((r) => setTimeout(r, 20));
      order.push('a-end');
      throw new Error('a failed');
    });
    const next = q.run(async () => void order.push('b'));
    await expect(slow).rejects.toThrow('a failed');
    await next;
    expect(order).toEqual(['a-start', 'a-end', 'b']);
  });
});

/** A device whose connections we script: fail N times, then connect; `drop()` ends the session. */
class FakeDevice implements Supervised {
  readonly id = 'fake';
  readonly kind = 'scale' as const;
  failures: number;
  attempts = 0;
  private end: ((e: Error | undefined) => void) | undefined;
  constructor(failures: number) {
    this.failures = failures;
  }
  lastSeen(): number | null {
    return this.attempts > 0 ? 42 : null;
  }
  async connect(): Promise<Session> {
    this.attempts++;
    if (this.failures-- > 0) throw new Error(`attempt ${this.attempts} failed`);
    const closed = new Promise<Error | undefined>((r) => (this.end = r));
    return { closed, close: () => this.end?.(undefined) };
  }
  drop(): void {
    this.end?.(new Error('unplugged'));
  }
}

describe('Supervisor', () => {
  it('retries with backoff until connected, reports health events, and reconnects after a drop', async () => {
    const dev = new FakeDevice(3);
    const sup = new Supervisor({ backoff: { baseMs: 5, maxMs: 20, jitter: 0 } });
    const health: DeviceHealth[] = [];
    sup.events.on('health', (h) => void health.push(h));
    sup.add(dev);
    sup.start();
    const until = async (f: () => boolean) => {
      for (let i = 0; i < 200 && !f(); i++) await new Promise((r) => setTimeout(r, 5));
      expect(f()).toBe(true);
    };
    await until(() => sup.health()[0]!.connected);
    expect(health.map((h) => [h.connected, h.attempts, h.lastError])).toEqual([
      [false, 1, 'attempt 1 failed'],
      [false, 2, 'attempt 2 failed'],
      [false, 3, 'attempt 3 failed'],
      [true, 0, 'attempt 3 failed'],
    ]);
    dev.drop();
    await until(() => dev.attempts === 5 && sup.health()[0]!.connected);
    expect(health.at(-2)).toMatchObject({ connected: false, lastError: 'unplugged' });
    expect(sup.health()[0]).toMatchObject({ deviceId: 'fake', kind: 'scale', lastSeen: 42 });
    await sup.stop();
  });

  it('a device that keeps failing spends its restart budget and cools down instead of spinning', async () => {
    const dev = new FakeDevice(1000);
    const log = memoryLogger();
    const sup = new Supervisor({ backoff: { baseMs: 1, maxMs: 60_000, jitter: 0 }, restartBudget: { max: 3, windowMs: 60_000 }, log });
    sup.add(dev);
    sup.start();
    for (let i = 0; i < 400 && dev.attempts < 4; i++) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 100));
    expect(dev.attempts).toBe(4); // 1 + a budget of 3 restarts, then a 60 s cool-down
    expect(log.entries.some((e) => e.msg === 'restart budget spent; cooling down')).toBe(true);
    await sup.stop(); // wakes the sleeping loop; returns promptly
  });

  it('wakes from a long backoff as soon as an absent device reappears', async () => {
    const dev = new FakeDevice(1) as FakeDevice & { present(): boolean };
    let there = false;
    dev.present = () => there;
    const sup = new Supervisor({ backoff: { baseMs: 60_000, maxMs: 60_000, jitter: 0 }, presencePollMs: 10 });
    sup.add(dev);
    sup.start();
    for (let i = 0; i < 100 && sup.health()[0]!.attempts < 1; i++) await new Promise((r) => setTimeout(r, 5));
    expect(dev.attempts).toBe(1); // failed while absent, now sleeping 60 s
    there = true; // the /dev node is back
    for (let i = 0; i < 200 && !sup.health()[0]!.connected; i++) await new Promise((r) => setTimeout(r, 5));
    expect(sup.health()[0]!.connected).toBe(true);
    await sup.stop();
  });
});
