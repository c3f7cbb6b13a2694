// Images for the worker's warm-up: a PNG and a raw netpbm frame of the size the fast paths take (twice
// the input, 4:3), so the decode, letterbox, model and output decode are compiled and their buffers
// sized before the first parcel. Without it the first ~20 parcels after a start took 3-5 times as long
// (JIT, first runs of the model at real inputs) and made the bench's whole p99.
import { crc32, deflateSync } from 'node:zlib';
import { encodeNetpbm } from '../../shared/netpbm.ts';

/** Deterministic bytes (xorshift): content does not matter, only that every code path runs. */
function noise(n: number, seed = 0x9e3779b9): Uint8Array {
  const out = new Uint8Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = s & 0xff;
  }
  return out;
}

/** One PNG chunk: length, type, data and the CRC over type and data. */
export function pngChunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(data, crc32(head.subarray(4))));
  return Buffer.concat([head, data, crc]);
}

export function warmupSize(inputWidth: number, inputHeight: number): { width: number; height: number } {
  return { width: inputWidth * 2, height: Math.max(2, Math.round((inputHeight * 3) / 4) * 2) };
}

/** An 8-bit RGB PNG whose rows cycle through all five filter types, so every unfilter branch is compiled. */
export function warmupPng(width: number, height: number): Buffer {
  const rowBytes = width * 3;
  const raw = noise((rowBytes + 1) * height);
  for (let y = 0; y < height; y++) raw[y * (rowBytes + 1)] = y % 5;
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // depth
  ihdr[9] = 2; // RGB
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), pngChunk('IHDR', ihdr), pngChunk('IDAT', deflateSync(raw, { level: 1 })), pngChunk('IEND', new Uint8Array(0))]);
}

/** A binary P6 frame (8-bit RGB). */
export function warmupFrame(width: number, height: number): Uint8Array {
  return encodeNetpbm(width, height, 3, 255, noise(width * height * 3, 0x1234567));
}
