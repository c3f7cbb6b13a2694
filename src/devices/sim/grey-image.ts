// Minimal greyscale PNG and TIFF encoders (8- or 16-bit, uncompressed or unfiltered) for simulators and
// test fixtures: scanners export 16-bit greyscale, and sharp writes 16-bit PNG but not 16-bit TIFF.
import { crc32, deflateSync } from 'node:zlib';

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td) >>> 0);
  return Buffer.concat([len, td, crc]);
}

export function encodeGreyPng(width: number, height: number, samples: Uint16Array | Uint8Array, level = 1): Buffer {
  const bits = samples instanceof Uint16Array ? 16 : 8;
  if (samples.length !== width * height) throw new RangeError(`expected ${width * height} samples, got ${samples.length}`);
  const bpp = bits / 8;
  const raw = Buffer.alloc(height * (1 + width * bpp));
  let o = 0;
  for (let y = 0; y < height; y++) {
    raw[o++] = 0; // filter: none
    for (let x = 0; x < width; x++) {
      const v = samples[y * width + x]!;
      if (bits === 16) {
        raw.writeUInt16BE(v, o);
        o += 2;
      } else raw[o++] = v;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = bits;
  ihdr[9] = 0; // greyscale
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level })), chunk('IEND', Buffer.alloc(0))]);
}

/** A minimal baseline TIFF (one strip, uncompressed, little-endian) with 8- or 16-bit grey samples. */
export function encodeGreyTiff(width: number, height: number, samples: Uint16Array | Uint8Array): Buffer {
  const bits = samples instanceof Uint16Array ? 16 : 8;
  if (samples.length !== width * height) throw new RangeError(`expected ${width * height} samples, got ${samples.length}`);
  const dataLen = samples.length * (bits / 8);
  const tags: [number, number, number][] = [
    [256, 4, width], // ImageWidth (LONG)
    [257, 4, height], // ImageLength
    [258, 3, bits], // BitsPerSample (SHORT)
    [259, 3, 1], // Compression: none
    [262, 3, 1], // PhotometricInterpretation: BlackIsZero
    [273, 4, 8], // StripOffsets: data right after the header
    [277, 3, 1], // SamplesPerPixel
    [278, 4, height], // RowsPerStrip
    [279, 4, dataLen], // StripByteCounts
  ];
  const ifdOffset = 8 + dataLen + (dataLen % 2); // IFDs start on a word boundary
  const buf = Buffer.alloc(ifdOffset + 2 + tags.length * 12 + 4);
  buf.write('II', 0, 'latin1');
  buf.writeUInt16LE(42, 2);
  buf.writeUInt32LE(ifdOffset, 4);
  const data = Buffer.from(samples.buffer, samples.byteOffset, dataLen); // host little-endian = TIFF "II"
  data.copy(buf, 8);
  let o = ifdOffset;
  buf.writeUInt16LE(tags.length, o);
  o += 2;
  for (const [tag, type, value] of tags) {
    buf.writeUInt16LE(tag, o);
    buf.writeUInt16LE(type, o + 2);
    buf.writeUInt32LE(1, o + 4);
    if (type === 3) buf.writeUInt16LE(value, o + 8);
    else buf.writeUInt32LE(value, o + 8);
    o += 12;
  }
  buf.writeUInt32LE(0, o); // no next IFD
  return buf;
}
