// Soak: the whole station (embedded broker, simulated devices over real transports, the model,
// rules, SQLite, sync to the in-process reference clearance service, retention) at a steady rate for a
// long time, sampling what must stay flat: RSS, heap, open file descriptors, active handles, the
// database and the image store. Every parcel's image is a distinct file, so retention has real work.
//
//   node bench/soak.ts --minutes 60 --rate 10 --out docs/soak
//     [--image-minutes 3] [--record-minutes 10] [--image-store-mb 400] [--retention-every-s 30] [--sample-s 30]
//     [--log-level error|warn|info] (the station's log, JSON lines on stderr)
//
// Prints a progress line per sample to stderr and one JSON summary to stdout; with --out, writes
// soak.json (all samples) and soak.svg (the curves). Exits 1 if a parcel was lost.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createLogger, jsonLineSink, type LogLevel } from '../src/shared/log.ts';
import { parseConfig } from '../src/main/config/load.ts';
import { startStation } from '../src/main/station.ts';
import { benchStationConfig } from '../src/main/cli/commands/bench.ts';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '60' },
    rate: { type: 'string', default: '10' },
    'image-minutes': { type: 'string', default: '3' },
    'record-minutes': { type: 'string', default: '10' },
    'image-store-mb': { type: 'string', default: '400' },
    'retention-every-s': { type: 'string', default: '30' },
    'sample-s': { type: 'string', default: '30' },
    'log-level': { type: 'string', default: 'error' },
    out: { type: 'string' },
  },
});
const num = (k: keyof typeof values): number => {
  const v = Number(values[k]);
  if (!(Number.isFinite(v) && v > 0)) {
    process.stderr.write(`soak: --${k} must be a positive number\n`);
    process.exit(2);
  }
  return v;
};
const minutes = num('minutes');
const rate = num('rate');
const sampleMs = num('sample-s') * 1000;
const count = Math.round(minutes * 60 * rate);
const MIN_PER_DAY = 1440;

const dataDir = mkdtempSync(join(tmpdir(), 'station-soak-'));
const base = parseConfig({}, process.env);
const config = {
  ...benchStationConfig(base),
  retention: {
    imageDays: num('image-minutes') / MIN_PER_DAY,
    recordDays: num('record-minutes') / MIN_PER_DAY,
    maxImageStoreMb: num('image-store-mb'),
    intervalMinutes: num('retention-every-s') / 60,
  },
};
const say = (l: string): void => void process.stderr.write(`soak: ${l}\n`);

function dirBytes(dir: string): { bytes: number; files: number } {
  let bytes = 0;
  let files = 0;
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return { bytes, files };
  }
  for (const e of entries) {
    const p = join(dir, e);
    const st = statSync(p, { throwIfNoEntry: false });
    if (!st) continue;
    if (st.isDirectory()) {
      const sub = dirBytes(p);
      bytes += sub.bytes;
      files += sub.files;
    } else {
      bytes += st.size;
      files++;
    }
  }
  return { bytes, files };
}

const fileBytes = (p: string): number => statSync(p, { throwIfNoEntry: false })?.size ?? 0;
const mb = (b: number): number => Math.round((b / 1e6) * 10) / 10;

interface Sample {
  t: number;
  played: number;
  decided: number;
  rssMb: number;
  heapMb: number;
  fds: number;
  handles: number;
  dbMb: number;
  walMb: number;
  imageStoreMb: number;
  imageFiles: number;
  parcelRows: number;
  auditRows: number;
  outboxPending: number;
  latencyP99: number;
  deadlineMisses: number;
  /** Conveyor link trouble so far (ACK_TIMEOUT + CONVEYOR_SEND_FAILED + DEVICE_DISCONNECTED alarms). */
  linkAlarms: number;
  /** The longest the event loop was blocked since the previous sample: a stall past the conveyor's heartbeat limit drops the link. */
  loopMaxMs: number;
}

const LEVELS = ['error', 'warn', 'info', 'debug'] as const satisfies readonly LogLevel[];
const logLevel = LEVELS.find((l) => l === values['log-level']);
if (!logLevel) {
  process.stderr.write('soak: --log-level must be error, warn, info or debug\n');
  process.exit(2);
}
const loop = monitorEventLoopDelay({ resolution: 10 });
loop.enable();

const station = await startStation({
  config,
  dataDir,
  port: 0,
  demo: { rate, count, poolSize: 24, taggedReads: true, imageMode: 'binary', manual: true, uniqueImages: true, seed: 4242 },
  log: say,
  logger: createLogger('station', jsonLineSink((l) => process.stderr.write(l)), { '': logLevel }),
});
const samples: Sample[] = [];
const m = station.line.metrics;
const driver = station.demo!;
const t0 = Date.now();
const sample = (): Sample => {
  const count1 = (sql: string): number => (station.db.prepare(sql).get() as { n: number }).n;
  const img = dirBytes(join(dataDir, 'images'));
  const s: Sample = {
    t: Math.round((Date.now() - t0) / 1000),
    played: driver.sent,
    decided: m.commands.RELEASE + m.commands.HOLD,
    rssMb: mb(process.memoryUsage().rss),
    heapMb: mb(process.memoryUsage().heapUsed),
    fds: readdirSync('/proc/self/fd').length,
    handles: process.getActiveResourcesInfo().length,
    dbMb: mb(fileBytes(join(dataDir, 'station.db'))),
    walMb: mb(fileBytes(join(dataDir, 'station.db-wal'))),
    imageStoreMb: mb(img.bytes),
    imageFiles: img.files,
    parcelRows: count1('SELECT COUNT(*) AS n FROM parcel'),
    auditRows: count1('SELECT COUNT(*) AS n FROM audit_log'),
    outboxPending: count1('SELECT COUNT(*) AS n FROM outbox WHERE acked_at IS NULL AND rejected_at IS NULL'),
    latencyP99: m.latencyMs.summary().p99,
    deadlineMisses: m.deadlineMisses,
    linkAlarms: (m.alarms.ACK_TIMEOUT ?? 0) + (m.alarms.CONVEYOR_SEND_FAILED ?? 0) + (m.alarms.DEVICE_DISCONNECTED ?? 0),
    loopMaxMs: Math.round(loop.max / 1e6),
  };
  loop.reset();
  samples.push(s);
  say(
    `${Math.round(s.t / 60)} min: ${s.decided}/${count} decided, rss ${s.rssMb} MB, heap ${s.heapMb} MB, fds ${s.fds}, handles ${s.handles}, ` +
      `db ${s.dbMb}+${s.walMb} MB, images ${s.imageStoreMb} MB (${s.imageFiles} files), parcels ${s.parcelRows}, audit ${s.auditRows}, outbox ${s.outboxPending}, loop max ${s.loopMaxMs} ms, link alarms ${s.linkAlarms}`,
  );
  return s;
};

say(`${count} parcels at ${rate}/s for ${minutes} min, data in ${dataDir}`);
// Render the pool up front (rendering is not what is measured); declarations then follow the line.
await driver.prepare(Math.min(24, count));
await new Promise((r) => setTimeout(r, 1500));
await driver.start();
sample();
const timer = setInterval(sample, sampleMs);
for (;;) {
  await new Promise((r) => setTimeout(r, 500));
  const decided = m.commands.RELEASE + m.commands.HOLD;
  if (driver.sent >= count && decided >= driver.sent && station.line.activeParcels().length === 0) break;
  if (Date.now() - t0 > (count / rate) * 1000 + 120_000) {
    say('gave up waiting for the last parcels (counted as lost)');
    break;
  }
}
clearInterval(timer);
await driver.drain();
await station.retention.runNow();
const last = sample();

// Flatness over the second half: least-squares slope per hour, and the range.
const half = samples.filter((s) => s.t >= samples[samples.length - 1]!.t / 2);
const slope = (k: keyof Sample): number => {
  const xs = half.map((s) => s.t / 3600);
  const ys = half.map((s) => s[k]);
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  const den = xs.reduce((a, x) => a + (x - mx) ** 2, 0) || 1;
  return Math.round((xs.reduce((a, x, i) => a + (x - mx) * (ys[i]! - my), 0) / den) * 10) / 10;
};
const range = (k: keyof Sample): [number, number] => [Math.min(...half.map((s) => s[k])), Math.max(...half.map((s) => s[k]))];
const lat = m.latencyMs.summary();
const summary = {
  minutes,
  rate,
  parcels: count,
  decided: last.decided,
  lost: Math.max(0, count - last.decided),
  deadlineMisses: m.deadlineMisses,
  latencyMs: { p50: lat.p50, p99: lat.p99, max: lat.max },
  retention: config.retention,
  secondHalf: {
    rssMb: { range: range('rssMb'), slopePerHour: slope('rssMb') },
    heapMb: { range: range('heapMb'), slopePerHour: slope('heapMb') },
    fds: { range: range('fds'), slopePerHour: slope('fds') },
    handles: { range: range('handles'), slopePerHour: slope('handles') },
    dbMb: { range: range('dbMb'), slopePerHour: slope('dbMb') },
    imageStoreMb: { range: range('imageStoreMb'), slopePerHour: slope('imageStoreMb') },
    parcelRows: { range: range('parcelRows') },
  },
  final: last,
  alarms: m.alarms,
};
process.stdout.write(`${JSON.stringify(summary)}\n`);

if (values.out) {
  mkdirSync(values.out, { recursive: true });
  writeFileSync(join(values.out, 'soak.json'), `${JSON.stringify({ summary, samples }, null, 1)}\n`);
  writeFileSync(join(values.out, 'soak.svg'), plot(samples, `Soak: ${count} parcels at ${rate}/s, ${minutes} min`));
  say(`wrote ${join(values.out, 'soak.json')} and soak.svg`);
}
await station.stop();
rmSync(dataDir, { recursive: true, force: true });
process.exit(summary.lost === 0 ? 0 : 1);

/** Small multiples: one panel per measure, shared time axis, each with its own 0-based scale. */
function plot(ss: Sample[], title: string): string {
  const panels: [keyof Sample, string][] = [
    ['rssMb', 'RSS (MB)'],
    ['fds', 'open file descriptors'],
    ['dbMb', 'station.db (MB)'],
    ['imageStoreMb', 'image store (MB)'],
    ['parcelRows', 'parcel rows'],
    ['decided', 'parcels decided'],
  ];
  const W = 360;
  const H = 120;
  const pad = 40;
  const cols = 2;
  const tMax = Math.max(1, ...ss.map((s) => s.t));
  const out: string[] = [];
  const width = cols * (W + pad) + pad;
  const height = Math.ceil(panels.length / cols) * (H + 2 * pad) + 30;
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`);
  out.push(`<rect width="100%" height="100%" fill="white"/><text x="${pad}" y="20" font-size="14">${title}</text>`);
  panels.forEach(([k, label], i) => {
    const x0 = pad + (i % cols) * (W + pad);
    const y0 = 40 + Math.floor(i / cols) * (H + 2 * pad);
    const vMax = Math.max(1, ...ss.map((s) => s[k])) * 1.1;
    const pts = ss.map((s) => `${(x0 + (s.t / tMax) * W).toFixed(1)},${(y0 + H - (s[k] / vMax) * H).toFixed(1)}`).join(' ');
    out.push(`<text x="${x0}" y="${y0 - 6}">${label}</text>`);
    out.push(`<rect x="${x0}" y="${y0}" width="${W}" height="${H}" fill="none" stroke="#ccc"/>`);
    out.push(`<text x="${x0 - 4}" y="${y0 + 10}" text-anchor="end">${Math.round(vMax)}</text><text x="${x0 - 4}" y="${y0 + H}" text-anchor="end">0</text>`);
    out.push(`<text x="${x0 + W}" y="${y0 + H + 14}" text-anchor="end">${Math.round(tMax / 60)} min</text>`);
    out.push(`<polyline points="${pts}" fill="none" stroke="#1f6feb" stroke-width="1.5"/>`);
  });
  out.push('</svg>');
  return out.join('\n');
}
