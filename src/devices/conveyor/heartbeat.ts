// Heartbeat supervision, both directions: the station watches the conveyor's beats and the conveyor
// (its simulator here; the real PLC by contract) watches the station's. After `missLimit` intervals
// without a beat the peer counts as lost; for the conveyor that means fail-safe: HOLD everything.
// Callers pass monotonic time (performance.now()): a wall-clock step must not make a live peer look
// lost (docs/reliability.md, clock jumps).
export class HeartbeatMonitor {
  private last: number;
  private readonly intervalMs: number;
  private readonly missLimit: number;

  constructor(intervalMs: number, missLimit: number, now: number) {
    this.intervalMs = intervalMs;
    this.missLimit = missLimit;
    this.last = now;
  }

  beat(now: number): void {
    this.last = now;
  }

  /** Whole intervals since the last beat. */
  missed(now: number): number {
    return Math.max(0, Math.floor((now - this.last) / this.intervalMs));
  }

  lost(now: number): boolean {
    return this.missed(now) >= this.missLimit;
  }
}
