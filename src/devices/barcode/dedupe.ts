// Drops a code read again within the window (fixed readers re-read a parcel while it is in the field).
// Bounded: at most `maxEntries` codes remembered; the oldest go first.
export class DuplicateFilter {
  private readonly seen = new Map<string, number>();
  private readonly windowMs: number;
  private readonly maxEntries: number;

  constructor(windowMs: number, maxEntries = 1024) {
    this.windowMs = windowMs;
    this.maxEntries = maxEntries;
  }

  /** True when the code should be reported. A duplicate does not extend the window. */
  accept(code: string, now: number): boolean {
    if (this.windowMs <= 0) return true;
    for (const [c, t] of this.seen) {
      if (now - t < this.windowMs) break; // insertion order = time order
      this.seen.delete(c);
    }
    const t = this.seen.get(code);
    if (t !== undefined && now - t < this.windowMs) return false;
    this.seen.delete(code);
    this.seen.set(code, now);
    if (this.seen.size > this.maxEntries) this.seen.delete(this.seen.keys().next().value!);
    return true;
  }
}
