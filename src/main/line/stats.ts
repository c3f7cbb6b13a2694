// Bounded latency statistics: a ring of the most recent samples for exact percentiles (bench,
// console) and cumulative buckets for Prometheus. Memory stays flat however long the line runs.

export const DEFAULT_BUCKETS_MS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000] as const;

export class LatencyStats {
  private readonly ring: Float64Array;
  private next = 0;
  private filled = 0;
  count = 0;
  sum = 0;
  max = 0;
  readonly buckets: readonly number[];
  readonly bucketCounts: number[];

  constructor(capacity = 65_536, buckets: readonly number[] = DEFAULT_BUCKETS_MS) {
    this.ring = new Float64Array(capacity);
    this.buckets = buckets;
    this.bucketCounts = buckets.map(() => 0);
  }

  add(ms: number): void {
    this.ring[this.next] = ms;
    this.next = (this.next + 1) % this.ring.length;
    this.filled = Math.min(this.filled + 1, this.ring.length);
    this.count++;
    this.sum += ms;
    if (ms > this.max) this.max = ms;
    for (let i = 0; i < this.buckets.length; i++) if (ms <= this.buckets[i]!) this.bucketCounts[i]!++;
  }

  /** Percentile (0–100) over the recent samples, nearest-rank; NaN when empty. */
  percentile(p: number): number {
    if (this.filled === 0) return Number.NaN;
    const sorted = Array.from(this.ring.subarray(0, this.filled)).sort((a, b) => a - b);
    const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
    return sorted[rank]!;
  }

  summary(): { count: number; p50: number; p99: number; max: number } {
    return { count: this.count, p50: round(this.percentile(50)), p99: round(this.percentile(99)), max: round(this.max) };
  }
}

const round = (x: number): number => (Number.isFinite(x) ? Math.round(x * 100) / 100 : x);
