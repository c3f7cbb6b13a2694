import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createLogger, jsonLineSink } from '../../../shared/log.ts';
import { parseConfig } from '../../config/load.ts';
import type { StationConfig } from '../../../shared/config/schema.ts';
import { findMosquitto, startMosquittoChild, type MosquittoChild } from '../../bench/mosquitto-child.ts';
import type { ParcelTiming } from '../../line/runtime.ts';
import { startStation } from '../../station.ts';
import { lowerThreadPriority } from '../../helper-threads.ts';
import { writeJson, writeLine, type Command } from '../command.ts';
import { benchSummary } from './bench-summary.ts';

export const benchCommand: Command = {
  name: 'bench',
  summary: 'drive the real pipeline with simulated devices over the real broker and print figures',
  usage: '[--parcels N] [--rate R] [--pool K] [--format png|pnm] [--central child|in-process] [--broker mosquitto|embedded] [--trace FILE] [--json] [--data-dir DIR]',
  details:
    'Runs a whole station in this process (embedded broker, devices, model, rules, SQLite with\n' +
    'synchronous=FULL, conveyor over MQTT) and plays N parcels at R parcels/s through the simulated\n' +
    'line: barcode reads tagged with the tunnel sequence over MQTT, tunnel events over TCP, PNG images\n' +
    '(--format pnm: raw binary netpbm frames, nothing to decode) over MQTT (binary). Latency is image\n' +
    'received → conveyor command published. K distinct synthetic renders are reused under new\n' +
    'waybills (rendering is not what is measured). Without --data-dir a\n' +
    'temporary folder is used and removed. The reference clearance service runs as its own process by\n' +
    'default (--central child), as the central service is remote on a real line; --central in-process\n' +
    'shares the station\'s event loop with it (the demonstration\'s arrangement). The MQTT broker is a\n' +
    'private Mosquitto process where mosquitto is installed (--broker mosquitto, the default then), as on\n' +
    'a site; --broker embedded uses the in-process aedes broker of `npm start`.\n' +
    '`tail` in the result splits the slowest 1 % of parcels by stage (mean ms); --trace FILE also\n' +
    'writes every parcel\'s split as a JSON line (scanId, seq, command, latencyMs, correlateMs,\n' +
    'inspectMs, waitMs, preprocessMs, inferenceMs, decideMs, commitMs, sendMs).\n' +
    'Without --json the object is pretty-printed, and a summary held against the line\'s goals (latency\n' +
    'p99 ≤ 1.3 × inference p99 + 20 ms, nothing lost, no deadline missed) follows on stderr.',
  options: { parcels: { type: 'string' }, rate: { type: 'string' }, pool: { type: 'string' }, format: { type: 'string' }, central: { type: 'string' }, broker: { type: 'string' }, trace: { type: 'string' } },
  async run(ctx) {
    const parcels = Number(ctx.values.parcels ?? 1500);
    const rate = Number(ctx.values.rate ?? 25);
    const pool = Number(ctx.values.pool ?? 24);
    for (const [name, v] of [['--parcels', parcels], ['--rate', rate], ['--pool', pool]] as const) {
      if (!(Number.isFinite(v) && v > 0)) {
        writeLine(ctx.stderr, `station bench: ${name} must be a positive number`);
        return 2;
      }
    }
    const frame = ctx.values.format ?? 'png';
    if (frame !== 'png' && frame !== 'pnm') {
      writeLine(ctx.stderr, 'station bench: --format must be png or pnm');
      return 2;
    }
    const central = ctx.values.central ?? 'child';
    if (central !== 'child' && central !== 'in-process') {
      writeLine(ctx.stderr, 'station bench: --central must be child or in-process');
      return 2;
    }
    const mosquittoBin = findMosquitto(ctx.env);
    const brokerKind = ctx.values.broker ?? (mosquittoBin ? 'mosquitto' : 'embedded');
    if (brokerKind !== 'mosquitto' && brokerKind !== 'embedded') {
      writeLine(ctx.stderr, 'station bench: --broker must be mosquitto or embedded');
      return 2;
    }
    if (brokerKind === 'mosquitto' && !mosquittoBin) {
      writeLine(ctx.stderr, 'station bench: --broker mosquitto, but no mosquitto binary was found (apt-get install mosquitto, or use --broker embedded)');
      return 2;
    }
    const tempData = typeof ctx.values['data-dir'] === 'string' ? undefined : mkdtempSync(join(tmpdir(), 'station-bench-'));
    const dataDir = tempData ?? ctx.dataDir;
    const progress = (l: string) => writeLine(ctx.stderr, l);
    const base = ctx.configFile ? ctx.config() : parseConfig({}, ctx.env);
    if (brokerKind === 'embedded' && !ctx.values.broker) progress('bench: mosquitto is not installed: the in-process broker carries the images (slower; apt-get install mosquitto for site-like figures)');
    let mosquitto: MosquittoChild | undefined;
    let centralProc: Awaited<ReturnType<typeof startCentralChild>> | undefined;
    try {
      mosquitto = brokerKind === 'mosquitto' ? await startMosquittoChild(mosquittoBin!) : undefined;
      centralProc = central === 'child' ? await startCentralChild(join(dataDir, 'central')) : undefined;
    } catch (e) {
      await mosquitto?.stop();
      throw e;
    }
    const withCentral = centralProc ? { ...base, central: { ...base.central, url: centralProc.url, publicKey: centralProc.publicKey } } : base;
    const withBroker = mosquitto ? { ...withCentral, mqtt: { ...withCentral.mqtt, url: mosquitto.url } } : withCentral;
    const config = benchStationConfig(withBroker);
    let lastCommandAt = 0;
    let peakRss = process.memoryUsage().rss;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 200);
    const timings: ParcelTiming[] = [];
    let playing = false;
    const trace = typeof ctx.values.trace === 'string' ? createWriteStream(ctx.values.trace) : undefined;
    let station: Awaited<ReturnType<typeof startStation>>;
    try {
      station = await startStation({
        config,
        dataDir,
        port: 0,
        demo: { rate, count: parcels, poolSize: Math.min(pool, parcels), taggedReads: true, imageMode: 'binary', frame, manual: true, seed: 4242 },
        log: (l) => progress(`bench: ${l}`),
        // Per-parcel alarms (review timeouts) would drown the progress lines; errors still show.
        logger: createLogger('station', jsonLineSink((l) => ctx.stderr.write(l)), { '': 'error' }),
        onLineEvent: (e) => {
          if (e.type === 'parcel' && e.parcel.stage === 'signalled') lastCommandAt = e.at;
        },
        onParcelTiming: (t) => {
          if (!playing) return;
          if (timings.length < MAX_TIMINGS) timings.push(t);
          trace?.write(JSON.stringify(t) + '\n');
        },
      });
    } catch (e) {
      clearInterval(sampler);
      centralProc?.stop();
      await mosquitto?.stop();
      throw e;
    }
    try {
      const driver = station.demo!;
      const t0 = Date.now();
      progress(`bench: preparing ${parcels} declarations (${Math.min(pool, parcels)} distinct renders)…`);
      const step = Math.max(50, Math.round(parcels / 10));
      for (let n = step; n < parcels + step; n += step) {
        await driver.prepare(Math.min(n, parcels));
        progress(`bench: declared ${Math.min(n, parcels)}/${parcels} (${Math.round((Date.now() - t0) / 1000)} s)`);
      }
      // Warm the model and the first-parcel paths before measuring.
      await new Promise((r) => setTimeout(r, 1500));
      const m = station.line.metrics;
      const base0 = { closed: m.closed, commands: m.commands.RELEASE + m.commands.HOLD };
      // Preparing thousands of declarations blocks the event loop for seconds (the conveyor link's
      // heartbeat then lapses once): alarms raised before play are reported apart from the run's.
      const alarmsBeforePlay = { ...m.alarms };
      const start = Date.now();
      // How long the station's event loop kept callbacks waiting (worker replies, MQTT, timers).
      const loopDelay = monitorEventLoopDelay({ resolution: 5 });
      loopDelay.enable();
      playing = true;
      await driver.start();
      let lastReport = start;
      const expectedMs = (parcels / rate) * 1000;
      for (;;) {
        await new Promise((r) => setTimeout(r, 100));
        const commanded = m.commands.RELEASE + m.commands.HOLD - base0.commands;
        if (Date.now() - lastReport > 2000) {
          lastReport = Date.now();
          // The JS heap beside the RSS: a growing RSS over a flat heap is native memory (allocator, caches), not our objects.
          const mem = process.memoryUsage();
          progress(`bench: ${driver.sent}/${parcels} played, ${commanded} decided, p99 ${m.latencyMs.summary().p99} ms, rss ${Math.round(mem.rss / 1e6)} MB (JS heap ${Math.round(mem.heapUsed / 1e6)} MB, buffers ${Math.round(mem.arrayBuffers / 1e6)} MB)`);
        }
        if (driver.sent >= parcels && commanded >= driver.sent && station.line.activeParcels().length === 0) break;
        if (Date.now() - start > expectedMs + 60_000) {
          progress('bench: gave up waiting for the last parcels (counted as lost)');
          break;
        }
      }
      loopDelay.disable();
      const elapsedS = (Math.max(lastCommandAt, start + 1) - start) / 1000;
      await driver.drain();
      const commanded = m.commands.RELEASE + m.commands.HOLD - base0.commands;
      const lat = m.latencyMs.summary();
      const inf = m.inferenceMs.summary();
      const result = {
        parcels,
        throughputPerSec: Math.round((commanded / elapsedS) * 100) / 100,
        latencyMs: { p50: lat.p50, p99: lat.p99, max: lat.max },
        inferenceMs: { p50: inf.p50, p99: inf.p99 },
        stagesMs: Object.fromEntries(Object.entries(m.stagesMs).map(([k, v]) => [k, { p50: v.summary().p50, p99: v.summary().p99 }])),
        eventLoopDelayMs: { p50: Math.round(loopDelay.percentile(50) / 1e5) / 10, p99: Math.round(loopDelay.percentile(99) / 1e5) / 10, max: Math.round(loopDelay.max / 1e5) / 10 },
        peakRssMb: Math.round(peakRss / 1e6),
        lost: Math.max(0, parcels - commanded),
        deadlineMisses: m.deadlineMisses,
        rateRequested: rate,
        broker: brokerKind,
        format: frame,
        central,
        released: m.commands.RELEASE,
        held: m.commands.HOLD,
        elapsedS: Math.round(elapsedS * 10) / 10,
        tail: tailSplit(timings, 0.99),
        holdsByReason: m.holdsByReason,
        alarms: Object.fromEntries(Object.entries(m.alarms).map(([k, n]) => [k, n - (alarmsBeforePlay[k] ?? 0)]).filter(([, n]) => (n as number) > 0)),
        ...(Object.keys(alarmsBeforePlay).length > 0 ? { alarmsBeforePlay } : {}),
      };
      if (ctx.json) writeJson(ctx, result);
      else {
        writeLine(ctx.stdout, JSON.stringify(result, null, 2));
        for (const l of benchSummary(result)) progress(l);
      }
      return result.lost === 0 ? 0 : 1;
    } finally {
      clearInterval(sampler);
      await station.stop();
      if (trace) await new Promise<void>((r) => trace.end(r));
      centralProc?.stop();
      await mosquitto?.stop();
      if (tempData) rmSync(tempData, { recursive: true, force: true });
    }
  },
};

/**
 * A station for measuring (also bench/soak.ts): any free ports, and no operator at the bench — parcels
 * the rules send to review are held at once instead of waiting out the review window.
 */
export function benchStationConfig(base: StationConfig): StationConfig {
  return { ...base, mqtt: { ...base.mqtt, embeddedPort: 0 }, console: { ...base.console, port: 0 }, timing: { ...base.timing, operatorReviewMs: 1 } };
}

const STATION_BIN = fileURLToPath(new URL('../../../../bin/station.js', import.meta.url));

/** `station clearance-server` in a child process; resolves once it listens. */
async function startCentralChild(dataDir: string): Promise<{ url: string; publicKey: string; stop(): void }> {
  const child = spawn(process.execPath, [STATION_BIN, 'clearance-server', '--port', '0', '--data-dir', dataDir, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
  const info = await new Promise<{ url: string; publicKey: string }>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve(JSON.parse(out.slice(0, nl)) as { url: string; publicKey: string });
    });
    child.once('exit', (code) => reject(new Error(`clearance service exited ${code}: ${err}`)));
  });
  // It stands in for a remote service: on the station PC it takes only the time the line leaves idle.
  if (child.pid !== undefined) lowerThreadPriority(19, child.pid, 'all');
  return { ...info, stop: () => void child.kill('SIGTERM') };
}

/** Timings kept for `tail` (a parcel's split is ~200 bytes). */
const MAX_TIMINGS = 200_000;
const SPLIT_KEYS = ['correlateMs', 'waitMs', 'preprocessMs', 'inferenceMs', 'decideMs', 'commitMs', 'sendMs'] as const;

/**
 * Pure: the parcels at or above the `q` latency quantile, and the mean of each stage over them — where
 * the slow parcels' time went (the p99 itself hides whether it was queueing, decoding or the model).
 */
export function tailSplit(timings: readonly ParcelTiming[], q: number): { parcels: number; fromMs: number; meanMs: Partial<Record<(typeof SPLIT_KEYS)[number] | 'latencyMs', number>> } | undefined {
  if (timings.length === 0) return undefined;
  const sorted = [...timings].sort((a, b) => a.latencyMs - b.latencyMs);
  const slow = sorted.slice(Math.min(sorted.length - 1, Math.floor(q * sorted.length)));
  const mean = (k: (typeof SPLIT_KEYS)[number] | 'latencyMs') => {
    const xs = slow.map((t) => t[k]).filter((x): x is number => x !== undefined);
    return xs.length ? Math.round((xs.reduce((a, b) => a + b, 0) / xs.length) * 10) / 10 : undefined;
  };
  const meanMs: Partial<Record<(typeof SPLIT_KEYS)[number] | 'latencyMs', number>> = {};
  for (const k of ['latencyMs', ...SPLIT_KEYS] as const) {
    const m = mean(k);
    if (m !== undefined) meanMs[k] = m;
  }
  return { parcels: slow.length, fromMs: slow[0]!.latencyMs, meanMs };
}
