// Request/response plumbing for drivers (style-anchors convention 4): a one-at-a-time queue for
// commands, and a waiter on which each request registers its reply matcher BEFORE writing, with a
// timeout whose error is created at the call site (so it names the request, not the timer).
import type { StationError } from '../shared/errors.ts';

interface Pending<T> {
  match: (m: T) => boolean;
  resolve: (m: T) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

export class Waiter<T> {
  private readonly pending = new Set<Pending<T>>();

  /** Registers now; resolves with the first offered message that matches, or rejects with `onTimeout()`. */
  wait(match: (m: T) => boolean, timeoutMs: number, onTimeout: () => StationError): Promise<T> {
    const err = onTimeout(); // built here so its stack points at the caller
    return new Promise<T>((resolve, reject) => {
      const p: Pending<T> = {
        match,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.pending.delete(p);
          reject(err);
        }, timeoutMs),
      };
      this.pending.add(p);
    });
  }

  /** Offers a received message; true when a waiter took it. */
  offer(m: T): boolean {
    for (const p of this.pending) {
      if (p.match(m)) {
        clearTimeout(p.timer);
        this.pending.delete(p);
        p.resolve(m);
        return true;
      }
    }
    return false;
  }

  rejectAll(e: Error): void {
    for (const p of this.pending) {
      clearTimeout(p.timer);
      p.reject(e);
    }
    this.pending.clear();
  }

  get size(): number {
    return this.pending.size;
  }
}

/** Runs async tasks strictly one after another; a failed task does not block the next. */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const r = this.tail.then(task, task);
    this.tail = r.catch(() => undefined);
    return r;
  }
}
