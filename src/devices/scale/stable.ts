// Stable-weight detection: a reading counts as stable only when the scale flags it stable AND the
// last N readings agree within a tolerance (indicators flag "stable" too eagerly while a parcel settles).
export class StableDetector {
  private readonly window: number[] = [];
  private readonly n: number;
  private readonly toleranceKg: number;

  constructor(n: number, toleranceKg: number) {
    this.n = Math.max(1, n);
    this.toleranceKg = toleranceKg;
  }

  push(kg: number, flaggedStable: boolean): boolean {
    this.window.push(kg);
    if (this.window.length > this.n) this.window.shift();
    if (!flaggedStable || this.window.length < this.n) return false;
    return Math.max(...this.window) - Math.min(...this.window) <= this.toleranceKg + 1e-9;
  }

  reset(): void {
    this.window.length = 0;
  }
}
