// Reads ModelProto.metadata_props (field 14) from an ONNX file without a protobuf library: walk the top-level
// fields, skip everything else by its length. Ultralytics writes `names`, `imgsz`, `stride`, `task` there,
// which is how a site's own YOLOv8/v11 export is understood without a manifest.

const METADATA_PROPS = 14;

function readVarint(buf: Uint8Array, pos: number): [value: number, next: number] {
  let value = 0;
  let mul = 1;
  for (let i = 0; i < 10; i++) {
    if (pos >= buf.length) throw new Error('truncated varint');
    const b = buf[pos++]!;
    value += (b & 0x7f) * mul;
    if ((b & 0x80) === 0) return [value, pos];
    mul *= 128;
  }
  throw new Error('varint too long');
}

/** Visits (field, wire type, payload bounds) of one protobuf message. */
function* fields(buf: Uint8Array, start: number, end: number): Generator<{ field: number; wire: number; from: number; to: number; value: number }> {
  let pos = start;
  while (pos < end) {
    const [tag, p] = readVarint(buf, pos);
    const field = Math.floor(tag / 8);
    const wire = tag & 7;
    pos = p;
    if (wire === 0) {
      const [v, q] = readVarint(buf, pos);
      yield { field, wire, from: pos, to: q, value: v };
      pos = q;
    } else if (wire === 2) {
      const [len, q] = readVarint(buf, pos);
      if (q + len > end) throw new Error('length-delimited field runs past the end');
      yield { field, wire, from: q, to: q + len, value: len };
      pos = q + len;
    } else if (wire === 1) {
      pos += 8;
    } else if (wire === 5) {
      pos += 4;
    } else {
      throw new Error(`unsupported wire type ${wire}`);
    }
  }
}

export function readOnnxMetadata(buf: Uint8Array): Record<string, string> {
  const out: Record<string, string> = {};
  const dec = new TextDecoder();
  for (const f of fields(buf, 0, buf.length)) {
    if (f.field !== METADATA_PROPS || f.wire !== 2) continue;
    let key = '';
    let value = '';
    for (const e of fields(buf, f.from, f.to)) {
      if (e.wire !== 2) continue;
      if (e.field === 1) key = dec.decode(buf.subarray(e.from, e.to));
      if (e.field === 2) value = dec.decode(buf.subarray(e.from, e.to));
    }
    if (key) out[key] = value;
  }
  return out;
}

/** Ultralytics writes names as a Python dict literal: "{0: 'person', 1: 'bicycle'}". */
export function parseUltralyticsNames(text: string): string[] {
  const names: string[] = [];
  const re = /(\d+)\s*:\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")/g;
  for (const m of text.matchAll(re)) names[Number(m[1])] = (m[2] ?? m[3] ?? '').replace(/\\(.)/g, '$1');
  if (names.length === 0 || Array.from(names).some((n) => n === undefined)) throw new Error(`cannot read class names from "${text.slice(0, 80)}"`);
  return names;
}

/** "[640, 640]" or "640" → [height, width]. */
export function parseImgsz(text: string): [number, number] {
  const nums = (text.match(/\d+/g) ?? []).map(Number);
  if (nums.length === 1) return [nums[0]!, nums[0]!];
  if (nums.length === 2) return [nums[0]!, nums[1]!];
  throw new Error(`cannot read input size from "${text}"`);
}
