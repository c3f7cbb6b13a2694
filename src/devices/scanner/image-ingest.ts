// Image ingest from the two places scanners put images:
// - MQTT: JSON with base64 on scanner/image, or binary bytes on scanner/image/bin/<id>[/high|/low]
//   announced by JSON metadata on scanner/image/meta (either may arrive first; incomplete sets expire);
// - a watched export folder: a file is read only after its size and mtime have stood still for
//   settleMs (scanners write in place), names ending .part/.tmp or starting with "." are skipped
//   (write-then-rename exporters), `<base>_high.ext` + `<base>_low.ext` make a dual-energy pair,
//   `<base>.json` may carry {seq, at}. Ingested files move to done/, refused ones to rejected/ with
//   a .reason.txt, so nothing is lost and nothing is ingested twice.
// Decoding runs with bounded concurrency and a bounded backlog; excess is refused with a reason.
import { mkdir, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { z } from 'zod';
import type { XrayImage, XrayPlane } from '../../shared/devices.ts';
import type { ImageJsonSchema, ImageMetaSchema } from '../../shared/mqtt-topics.ts';
import { SafeEmitter } from '../events.ts';
import type { Logger } from '../log.ts';
import type { StationMqtt } from '../mqtt/client.ts';
import { decodeDualEnergy, decodeImage, probePlane, type ImageLimits } from './image-decode.ts';

export interface ImageRejected {
  deviceId: string;
  source: string;
  reason: string;
  at: number;
}

export type ImageEvents = { image: XrayImage; rejected: ImageRejected };

interface Job {
  source: string;
  high: Uint8Array;
  low?: Uint8Array | undefined;
  seq?: number | undefined;
  at?: number | undefined;
  /** Set by submit(): the moment the whole image was in hand. */
  receivedAt?: number;
}

/** Decodes jobs with bounded concurrency; emits images or rejections. */
export class ImageDecoder {
  readonly events: SafeEmitter<ImageEvents>;
  private readonly deviceId: string;
  private readonly limits: ImageLimits;
  private readonly concurrency: number;
  private readonly maxBacklog: number;
  private readonly queue: { job: Job; done: (r: string | null) => void }[] = [];
  private active = 0;
  private readonly now: () => number;
  private readonly headerOnly: boolean;

  /** `pixels: 'header-only'`: check bounds from the header and pass the encoded bytes on undecoded (see probePlane). */
  constructor(deviceId: string, limits: ImageLimits, log: Logger, o: { concurrency?: number; maxBacklog?: number; now?: () => number; pixels?: 'decode' | 'header-only' } = {}) {
    this.headerOnly = o.pixels === 'header-only';
    this.deviceId = deviceId;
    this.limits = limits;
    this.events = new SafeEmitter(log);
    this.concurrency = o.concurrency ?? 2;
    this.maxBacklog = o.maxBacklog ?? 16;
    this.now = o.now ?? Date.now;
  }

  /** Resolves with null when the image was accepted, or the reason it was rejected. */
  submit(job: Job): Promise<string | null> {
    job = { ...job, receivedAt: this.now() };
    if (this.queue.length >= this.maxBacklog) {
      const reason = `ingest backlog full (${this.maxBacklog} images waiting)`;
      this.rejected(job.source, reason);
      return Promise.resolve(reason);
    }
    return new Promise((done) => {
      this.queue.push({ job, done });
      this.pump();
    });
  }

  private pump(): void {
    while (this.active < this.concurrency && this.queue.length > 0) {
      const { job, done } = this.queue.shift()!;
      this.active++;
      this.decode(job)
        .then(done, (e: unknown) => done(String(e)))
        .finally(() => {
          this.active--;
          this.pump();
        });
    }
  }

  private async decode(job: Job): Promise<string | null> {
    let high: XrayPlane;
    let low: XrayPlane | undefined;
    try {
      if (this.headerOnly) {
        [high, low] = await Promise.all([probePlane(job.high, this.limits), job.low ? probePlane(job.low, this.limits) : undefined]);
        if (low && (low.width !== high.width || low.height !== high.height)) throw new Error(`dual-energy pair differs in size: high ${high.width}×${high.height}, low ${low.width}×${low.height}`);
      } else if (job.low) ({ high, low } = await decodeDualEnergy(job.high, job.low, this.limits));
      else high = await decodeImage(job.high, this.limits);
    } catch (e) {
      this.rejected(job.source, (e as Error).message);
      return (e as Error).message;
    }
    this.events.emit('image', {
      type: 'scanner.image',
      deviceId: this.deviceId,
      ...(job.seq !== undefined ? { seq: job.seq } : {}),
      at: job.at ?? job.receivedAt ?? this.now(),
      ...(job.receivedAt !== undefined ? { receivedAt: job.receivedAt } : {}),
      source: job.source,
      ...high,
      ...(low ? { dualEnergy: { low } } : {}),
      encoded: job.high,
    });
    return null;
  }

  private rejected(source: string, reason: string): void {
    this.events.emit('rejected', { deviceId: this.deviceId, source, reason, at: this.now() });
  }
}

/** MQTT image source over the topic contract. */
export class MqttImageSource {
  private readonly pending = new Map<string, { meta?: z.infer<typeof ImageMetaSchema>; high?: Buffer; low?: Buffer; since: number }>();
  private readonly decoder: ImageDecoder;
  private readonly expireMs: number;
  private readonly log: Logger;

  constructor(mqtt: StationMqtt, decoder: ImageDecoder, log: Logger, expireMs = 10_000) {
    this.decoder = decoder;
    this.expireMs = expireMs;
    this.log = log;
    mqtt.on('imageJson', (v, topic) => {
      const m = v as z.infer<typeof ImageJsonSchema>;
      void decoder.submit({ source: topic, high: Buffer.from(m.image, 'base64'), low: m.low ? Buffer.from(m.low, 'base64') : undefined, seq: m.seq, at: m.at });
    });
    mqtt.on('imageMeta', (v) => {
      const m = v as z.infer<typeof ImageMetaSchema>;
      this.part(m.id, (p) => (p.meta = m));
    });
    mqtt.on('imageBin', (v, topic) => {
      // …/scanner/image/bin/<id>[/high|/low]
      const rest = topic.slice(topic.indexOf('/scanner/image/bin/') + '/scanner/image/bin/'.length).split('/');
      const [id, energy = 'high'] = rest;
      if (!id || !/^[A-Za-z0-9_-]{1,64}$/.test(id) || rest.length > 2 || (energy !== 'high' && energy !== 'low')) {
        this.log.warn('MQTT message dropped', { topic, reason: 'binary image topic must be scanner/image/bin/<id>[/high|/low]' });
        return;
      }
      const buf = Buffer.isBuffer(v) ? v : Buffer.from(v as Uint8Array); // no copy of a 64 MB payload
      this.part(id, (p) => (energy === 'low' ? (p.low = buf) : (p.high = buf)));
    });
  }

  private part(id: string, set: (p: { meta?: z.infer<typeof ImageMetaSchema>; high?: Buffer; low?: Buffer; since: number }) => void): void {
    const now = performance.now(); // monotonic: a wall-clock step must not expire the parts in flight
    for (const [k, p] of this.pending) {
      if (now - p.since > this.expireMs) {
        this.pending.delete(k);
        this.log.warn('incomplete binary image expired', { id: k, hasMeta: !!p.meta, hasHigh: !!p.high, hasLow: !!p.low });
      }
    }
    if (!this.pending.has(id) && this.pending.size >= 64) {
      this.log.warn('MQTT message dropped', { id, reason: 'too many incomplete binary images' });
      return;
    }
    const p = this.pending.get(id) ?? { since: now };
    set(p);
    this.pending.set(id, p);
    if (p.meta && p.high && (!p.meta.dualEnergy || p.low)) {
      this.pending.delete(id);
      void this.decoder.submit({ source: `mqtt:scanner/image/bin/${id}`, high: p.high, low: p.meta.dualEnergy ? p.low : undefined, seq: p.meta.seq, at: p.meta.at });
    }
  }
}

const IMAGE_EXT = new Set(['.png', '.jpg', '.jpeg', '.tif', '.tiff', '.pnm', '.pgm', '.ppm']);

interface Seen {
  size: number;
  mtimeMs: number;
  stableSince: number;
}

/** Pure: is a file that looked like `s` at `now` settled? */
export function isSettled(s: Seen, now: number, settleMs: number): boolean {
  return now - s.stableSince >= settleMs;
}

export function imageGroup(name: string): { base: string; energy: 'high' | 'low' | 'single' } | undefined {
  if (name.startsWith('.') || /\.(part|tmp|partial|crdownload)$/i.test(name)) return undefined;
  const ext = extname(name).toLowerCase();
  if (!IMAGE_EXT.has(ext)) return undefined;
  const stem = name.slice(0, -ext.length);
  const m = /^(.*)_(high|low)$/i.exec(stem);
  if (m) return { base: m[1]!, energy: m[2]!.toLowerCase() as 'high' | 'low' };
  return { base: stem, energy: 'single' };
}

export class FolderImageSource {
  private readonly dir: string;
  private readonly settleMs: number;
  private readonly pollMs: number;
  private readonly pairWaitMs: number;
  private readonly decoder: ImageDecoder;
  private readonly log: Logger;
  private readonly seen = new Map<string, Seen>();
  private readonly busy = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private scanning = false;
  private lastSeenAt: number | null = null;
  private readonly now: () => number;

  constructor(dir: string, decoder: ImageDecoder, log: Logger, o: { settleMs: number; pollMs?: number; pairWaitMs?: number; now?: () => number }) {
    this.now = o.now ?? Date.now;
    this.dir = dir;
    this.settleMs = o.settleMs;
    this.pollMs = o.pollMs ?? Math.max(20, Math.min(250, Math.round(o.settleMs / 2)));
    this.pairWaitMs = o.pairWaitMs ?? 5000;
    this.decoder = decoder;
    this.log = log;
  }

  lastSeen(): number | null {
    return this.lastSeenAt;
  }

  /** Creates done/ and rejected/ and starts polling (autoPoll false: the caller calls scan()). */
  async start(autoPoll = true): Promise<void> {
    await mkdir(join(this.dir, 'done'), { recursive: true });
    await mkdir(join(this.dir, 'rejected'), { recursive: true });
    if (!autoPoll) return;
    this.timer = setInterval(() => void this.scan(), this.pollMs);
    void this.scan();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** One pass over the folder (exposed for tests and benchmarks). */
  async scan(): Promise<void> {
    if (this.scanning) return;
    this.scanning = true;
    try {
      const now = this.now();
      const names = await readdir(this.dir).catch((e: Error) => {
        this.log.warn('image folder unreadable', { dir: this.dir, error: e.message });
        return [] as string[];
      });
      const groups = new Map<string, { high?: string; low?: string; single?: string; oldest: number }>();
      const present = new Set<string>();
      for (const name of names) {
        const g = imageGroup(name);
        if (!g || this.busy.has(name)) continue;
        present.add(name);
        const st = await stat(join(this.dir, name)).catch(() => undefined);
        if (!st?.isFile()) continue;
        const prev = this.seen.get(name);
        if (!prev || prev.size !== st.size || prev.mtimeMs !== st.mtimeMs) {
          this.seen.set(name, { size: st.size, mtimeMs: st.mtimeMs, stableSince: now });
          continue;
        }
        if (!isSettled(prev, now, this.settleMs) || st.size === 0) continue;
        const grp = groups.get(g.base) ?? { oldest: prev.stableSince };
        grp[g.energy] = name;
        grp.oldest = Math.min(grp.oldest, prev.stableSince);
        groups.set(g.base, grp);
      }
      for (const k of this.seen.keys()) if (!present.has(k)) this.seen.delete(k);
      for (const [base, g] of groups) {
        if (g.single) await this.ingest(base, [g.single], g.single);
        if (g.high && g.low) await this.ingest(base, [g.high, g.low], g.high, g.low);
        else if ((g.high || g.low) && now - g.oldest > this.pairWaitMs) await this.ingest(base, [(g.high ?? g.low)!], (g.high ?? g.low)!);
      }
    } finally {
      this.scanning = false;
    }
  }

  private async ingest(base: string, files: string[], high: string, low?: string): Promise<void> {
    for (const f of files) this.busy.add(f);
    const sidecar = join(this.dir, `${base}.json`);
    let meta: { seq?: number; at?: number } = {};
    const side = await readFile(sidecar, 'utf8').catch(() => undefined);
    if (side !== undefined) {
      try {
        const j = JSON.parse(side) as { seq?: unknown; at?: unknown };
        if (typeof j.seq === 'number' && Number.isInteger(j.seq)) meta.seq = j.seq;
        if (typeof j.at === 'number') meta.at = j.at;
      } catch {
        this.log.warn('image sidecar is not JSON; ignored', { file: sidecar });
        meta = {};
      }
    }
    try {
      this.lastSeenAt = this.now();
      const hb = await readFile(join(this.dir, high));
      const lb = low ? await readFile(join(this.dir, low)) : undefined;
      const refused = await this.decoder.submit({ source: join(this.dir, high), high: hb, low: lb, seq: meta.seq, at: meta.at });
      const to = refused === null ? 'done' : 'rejected';
      for (const f of files) await rename(join(this.dir, f), join(this.dir, to, f));
      if (side !== undefined) await rename(sidecar, join(this.dir, to, `${base}.json`)).catch(() => undefined);
      if (refused !== null) await writeFile(join(this.dir, 'rejected', `${high}.reason.txt`), `${refused}\n`).catch(() => undefined);
    } catch (e) {
      this.log.error('image file ingest failed', { file: high, error: (e as Error).message });
    } finally {
      for (const f of files) {
        this.busy.delete(f);
        this.seen.delete(f);
      }
    }
  }
}
