// The bench's figures held against the line's goals (issue #6), as lines a person reads at the end of
// a run. Pure: the JSON result in, text out; stdout keeps the JSON object itself.

export interface BenchFigures {
  parcels: number;
  throughputPerSec: number;
  rateRequested: number;
  latencyMs: { p50: number; p99: number; max: number };
  inferenceMs: { p50: number; p99: number };
  peakRssMb: number;
  lost: number;
  deadlineMisses: number;
  stagesMs: Record<string, { p50: number; p99: number }>;
  tail?: { parcels: number; meanMs: Partial<Record<string, number>> } | undefined;
}

/** The latency goal: p99 ≤ 1.3 × the inference p99 measured in the same run + 20 ms. */
export function latencyGoalMs(inferenceP99: number): number {
  return Math.round(1.3 * inferenceP99 + 20);
}

const mark = (ok: boolean): string => (ok ? 'met' : 'NOT met');

export function benchSummary(r: BenchFigures): string[] {
  const goal = latencyGoalMs(r.inferenceMs.p99);
  // Throughput counts from the first parcel's barcode read, ~2 s before its image: a short run reads
  // low without falling behind, so only judge runs of 20 s of play or more.
  const judged = r.parcels / r.rateRequested >= 20;
  const keptUp = r.throughputPerSec >= 0.9 * r.rateRequested;
  const lines = [
    `bench: ${r.parcels} parcels at ${r.rateRequested}/s requested`,
    `  throughput      ${r.throughputPerSec}/s${judged ? ` (${keptUp ? 'kept up' : 'FELL BEHIND'}: within 10 % of the requested rate)` : ' (run too short to judge the rate)'}`,
    `  latency         p50 ${r.latencyMs.p50} / p99 ${r.latencyMs.p99} / max ${r.latencyMs.max} ms (goal p99 ≤ ${goal} = 1.3 × inference p99 + 20: ${mark(r.latencyMs.p99 <= goal)})`,
    `  inference       p50 ${r.inferenceMs.p50} / p99 ${r.inferenceMs.p99} ms`,
    `  lost            ${r.lost} (${mark(r.lost === 0)})   deadline misses ${r.deadlineMisses} (${mark(r.deadlineMisses === 0)})   peak RSS ${r.peakRssMb} MB`,
  ];
  const wait = r.stagesMs.wait;
  if (wait) lines.push(`  wait for a worker p50 ${wait.p50} / p99 ${wait.p99} ms`);
  if (r.tail) {
    const parts = Object.entries(r.tail.meanMs)
      .filter(([k, v]) => k !== 'latencyMs' && v !== undefined && v >= 0.5)
      .map(([k, v]) => `${k.replace(/Ms$/, '')} ${v}`);
    lines.push(`  slowest 1 % (${r.tail.parcels} parcels, mean ${r.tail.meanMs.latencyMs ?? '?'} ms): ${parts.join(' + ')}`);
  }
  if (judged && !keptUp) lines.push('  the station fell behind: try a lower --rate to find the highest sustained one');
  if (r.latencyMs.p99 > goal && wait && wait.p99 > r.inferenceMs.p99) lines.push('  the tail is queueing for a worker: see `tail`, and --trace FILE for every parcel');
  return lines;
}
