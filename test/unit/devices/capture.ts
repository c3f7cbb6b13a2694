// Replays a recorded byte capture (JSON lines: a header, then {t, hex} chunks with their arrival
// time in ms) through a LineFramer with the capture's own clock.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fromHex, LineFramer, type Frame, type FramerOptions } from '../../../src/devices/framing.ts';

export interface Chunk {
  t: number;
  bytes: Uint8Array;
}

export function loadCapture(name: string): Chunk[] {
  const file = fileURLToPath(new URL(`../../fixtures/captures/${name}`, import.meta.url));
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .slice(1)
    .map((l) => {
      const j = JSON.parse(l) as { t: number; hex: string };
      return { t: j.t, bytes: fromHex(j.hex) };
    });
}

/** Frames with their time; an idle() call after the last chunk flushes timeout-framed lines. */
export function replay(chunks: Chunk[], opts: FramerOptions): { frame: Frame; t: number }[] {
  const f = new LineFramer(opts);
  const out: { frame: Frame; t: number }[] = [];
  for (const c of chunks) for (const frame of f.push(c.bytes, c.t)) out.push({ frame, t: c.t });
  const end = (chunks.at(-1)?.t ?? 0) + 10_000;
  for (const frame of f.idle(end)) out.push({ frame, t: end });
  return out;
}

export const lines = (r: { frame: Frame }[]): Uint8Array[] => r.flatMap((x) => (x.frame.kind === 'line' ? [x.frame.bytes] : []));
