// A typed event emitter whose listeners cannot hurt the emitter: a throwing (or rejecting) listener
// is logged with the event name and the others still run (style-anchors convention 7; no device
// fault or consumer bug may crash the process).
import type { Logger } from './log.ts';

type Listener<T> = (event: T) => void | Promise<void>;

export class SafeEmitter<M extends Record<string, unknown>> {
  private readonly listeners = new Map<keyof M, Set<Listener<never>>>();
  private readonly log: Logger;

  constructor(log: Logger) {
    this.log = log;
  }

  on<K extends keyof M>(name: K, fn: Listener<M[K]>): () => void {
    let set = this.listeners.get(name);
    if (!set) this.listeners.set(name, (set = new Set()));
    set.add(fn as Listener<never>);
    return () => set.delete(fn as Listener<never>);
  }

  emit<K extends keyof M>(name: K, event: M[K]): void {
    for (const fn of this.listeners.get(name) ?? []) {
      try {
        const r = (fn as Listener<M[K]>)(event);
        if (r && typeof (r as Promise<void>).catch === 'function') {
          (r as Promise<void>).catch((e: unknown) => this.log.error('event listener rejected', { event: String(name), error: String(e) }));
        }
      } catch (e) {
        this.log.error('event listener threw', { event: String(name), error: e instanceof Error ? e.message : String(e) });
      }
    }
  }

  clear(): void {
    this.listeners.clear();
  }
}
