// X-ray scanner simulator: per parcel it sends PIN/POUT on the status channel (pty or TCP), then
// delivers the image with the same sequence number over MQTT (JSON+base64 or binary+metadata) or
// into an export folder (written in two halves in place, so a reader that does not wait for the
// file to settle would read half an image). Faults: FAULT lines, and cable pulls of the status port.
import { rename, writeFile, appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { formatSeq } from '../scanner/status-parser.ts';
import type { StationMqtt } from '../mqtt/client.ts';
import type { SimEndpoint } from './endpoint.ts';
import type { ImageSource } from './images.ts';
import { mulberry32 } from './rng.ts';

export interface ScannerSimOptions {
  rate: number;
  transitMs: number;
  faultRate: number;
  imageMode: 'json' | 'binary';
  /** Folder delivery: 'inplace' writes the file in two halves; 'rename' writes .part then renames. */
  folderMode: 'inplace' | 'rename';
  count: number;
  seed: number;
  startSeq: number;
}

export const SCANNER_SIM_DEFAULTS: ScannerSimOptions = { rate: 0.5, transitMs: 300, faultRate: 0, imageMode: 'json', folderMode: 'inplace', count: Infinity, seed: 1, startSeq: 1 };

export class ScannerSim {
  private readonly o: ScannerSimOptions;
  private readonly status: SimEndpoint | undefined;
  private readonly mqtt: StationMqtt | undefined;
  private readonly folder: string | undefined;
  private readonly images: ImageSource;
  private readonly say: (line: string) => void;
  private readonly rnd: () => number;
  private timer: NodeJS.Timeout | undefined;
  private seq: number;
  private sent = 0;
  private stopped = false;

  constructor(out: { status?: SimEndpoint; mqtt?: StationMqtt; folder?: string }, images: ImageSource, o: Partial<ScannerSimOptions>, say: (line: string) => void = () => {}) {
    this.o = { ...SCANNER_SIM_DEFAULTS, ...o };
    this.status = out.status;
    this.mqtt = out.mqtt;
    this.folder = out.folder;
    this.images = images;
    this.say = say;
    this.rnd = mulberry32(this.o.seed);
    this.seq = this.o.startSeq;
  }

  start(): void {
    this.status?.write('READY\r\n');
    this.timer = setInterval(
      () => void this.parcel().catch((e: Error) => !this.stopped && this.say(`parcel failed: ${e.message}`)),
      Math.max(1, Math.round(1000 / this.o.rate)),
    );
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
  }

  /** Runs one parcel through the tunnel; resolves when its image has been delivered. */
  async parcel(): Promise<number> {
    if (this.sent >= this.o.count) {
      this.stop();
      return -1;
    }
    this.sent++;
    const seq = this.seq++;
    if (this.rnd() < this.o.faultRate) {
      this.status?.write('FAULT E12 belt jam at tunnel exit\r\n');
      this.say('fault E12');
      setTimeout(() => this.status?.write('READY\r\n'), 1000).unref();
    }
    this.status?.write(`PIN ${formatSeq(seq)}\r\n`);
    const img = await this.images(seq);
    await new Promise((r) => setTimeout(r, this.o.transitMs));
    this.status?.write(`POUT ${formatSeq(seq)}\r\n`);
    if (this.stopped) return seq; // stopping: the export folder may already be gone
    await this.deliver(seq, img);
    this.say(`parcel ${seq}: ${img.format}${img.low ? ' dual-energy' : ''} ${img.high.length} bytes`);
    return seq;
  }

  async deliver(seq: number, img: { high: Buffer; low?: Buffer; format: string }): Promise<void> {
    const at = Date.now();
    if (this.mqtt) {
      if (this.o.imageMode === 'json') {
        await this.mqtt.publishRaw(this.mqtt.topic('imageJson'), JSON.stringify({ seq, at, image: img.high.toString('base64'), ...(img.low ? { low: img.low.toString('base64') } : {}) }), { qos: 1, retain: false });
      } else {
        const id = `s${seq}`;
        const base = this.mqtt.topic('imageMeta').replace(/meta$/, 'bin');
        await this.mqtt.publishRaw(this.mqtt.topic('imageMeta'), JSON.stringify({ id, seq, at, dualEnergy: !!img.low }), { qos: 1, retain: false });
        await this.mqtt.publishRaw(`${base}/${id}${img.low ? '/high' : ''}`, img.high, { qos: 1, retain: false });
        if (img.low) await this.mqtt.publishRaw(`${base}/${id}/low`, img.low, { qos: 1, retain: false });
      }
    }
    if (this.folder) {
      const ext = img.format === 'jpeg' ? 'jpg' : img.format;
      const stem = `xray_${formatSeq(seq)}`;
      await writeFile(join(this.folder, `${stem}.json`), JSON.stringify({ seq, at }));
      const files: [string, Buffer][] = img.low ? [[`${stem}_high.${ext}`, img.high], [`${stem}_low.${ext}`, img.low]] : [[`${stem}.${ext}`, img.high]];
      for (const [name, bytes] of files) {
        if (this.o.folderMode === 'rename') {
          await writeFile(join(this.folder, `${name}.part`), bytes);
          await rename(join(this.folder, `${name}.part`), join(this.folder, name));
        } else {
          const half = Math.floor(bytes.length / 2);
          await writeFile(join(this.folder, name), bytes.subarray(0, half));
          await new Promise((r) => setTimeout(r, 50));
          await appendFile(join(this.folder, name), bytes.subarray(half));
        }
      }
    }
  }
}
