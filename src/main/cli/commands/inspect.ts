// `station inspect IMAGE|DIR…`: run the detector on image files, one JSON line (or table row) per image.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { InspectionOutput } from '../../../shared/domain/detection.ts';
import { ErrorCodes, StationError, errorMessage, isStationError } from '../../../shared/errors.ts';
import { openInspector } from '../../inspection/index.ts';
import { writeLine, type Command, type CommandContext } from '../command.ts';

const IMAGE_EXT = /\.(png|jpe?g|tiff?|webp|pnm|pgm|ppm)$/i;
/** Files larger than this are refused before reading: no scan image comes near it. */
const MAX_FILE_BYTES = 256 * 1024 * 1024;

/** Files as given; folders expand to the image files directly inside them, sorted. */
export function expandImagePaths(inputs: readonly string[]): string[] {
  const out: string[] = [];
  for (const p of inputs) {
    let isDir = false;
    try {
      isDir = statSync(p).isDirectory();
    } catch {
      // a missing file is reported per image below
    }
    if (isDir) {
      for (const f of readdirSync(p).sort()) if (IMAGE_EXT.test(f)) out.push(join(p, f));
    } else {
      out.push(p);
    }
  }
  return out;
}

function readImage(file: string): Buffer {
  let size: number;
  try {
    size = statSync(file).size;
  } catch (e) {
    throw new StationError(ErrorCodes.INSPECT_IMAGE_UNREADABLE, `cannot read ${file}: ${errorMessage(e)}`, { file });
  }
  if (size > MAX_FILE_BYTES) throw new StationError(ErrorCodes.INSPECT_IMAGE_TOO_LARGE, `${file} has ${size} bytes, over the ${MAX_FILE_BYTES} byte limit`, { file, size });
  try {
    return readFileSync(file);
  } catch (e) {
    throw new StationError(ErrorCodes.INSPECT_IMAGE_UNREADABLE, `cannot read ${file}: ${errorMessage(e)}`, { file });
  }
}

const r1 = (v: number): number => Math.round(v * 10) / 10;

function jsonLine(image: string, r: InspectionOutput): Record<string, unknown> {
  return {
    image,
    model: r.model,
    detections: r.detections.map((d) => ({ label: d.label, score: Math.round(d.score * 1000) / 1000, box: d.box.map(r1) })),
    inferenceMs: r1(r.inferenceMs),
    width: r.imageWidth,
    height: r.imageHeight,
  };
}

function humanRow(ctx: CommandContext, image: string, r: InspectionOutput): void {
  writeLine(ctx.stdout, `${image}  (${r.imageWidth}×${r.imageHeight}, ${r1(r.inferenceMs)} ms)`);
  if (r.detections.length === 0) writeLine(ctx.stdout, '    no detections');
  for (const d of r.detections) {
    writeLine(ctx.stdout, `    ${d.label.padEnd(10)} ${d.score.toFixed(2)}  [${d.box.map((v) => Math.round(v)).join(', ')}]`);
  }
}

export const inspectCommand: Command = {
  name: 'inspect',
  summary: 'run the X-ray object detector on image files',
  usage: 'IMAGE|DIR... [--model DIR] [--json]',
  details:
    'Prints one line per image: {"image","model","detections":[{"label","score","box":[x1,y1,x2,y2]}],"inferenceMs"}\n' +
    'with boxes in original image pixels (--json), or a readable list. A folder means the images directly in it.\n' +
    'An image that cannot be read prints {"image","error":{"code","message"}} and the others continue; exits 1 if any failed.\n' +
    '--model takes a folder with model.onnx and manifest.json, or a bare Ultralytics YOLOv8/v11 export named model.onnx;\n' +
    'default: inspection.modelDir from the config, else the shipped model.',
  options: { model: { type: 'string' } },
  positionals: true,
  async run(ctx) {
    if (ctx.positionals.length === 0) throw new StationError(ErrorCodes.CLI_USAGE, 'name at least one image or folder: station inspect IMAGE|DIR...');
    const cfg = ctx.config().inspection;
    const modelDir = typeof ctx.values.model === 'string' ? ctx.values.model : cfg.modelDir;
    const inspector = await openInspector({ ...(modelDir ? { modelDir } : {}), classThresholds: cfg.classThresholds, timeoutMs: cfg.inferenceTimeoutMs });
    let failed = 0;
    try {
      const files = expandImagePaths(ctx.positionals);
      if (files.length === 0) throw new StationError(ErrorCodes.CLI_USAGE, `no image files (png, jpg, tiff, webp, pnm/pgm/ppm) in ${ctx.positionals.join(', ')}`);
      if (!ctx.json) writeLine(ctx.stdout, `model ${inspector.model}`);
      for (const file of files) {
        try {
          const r = await inspector.inspect(readImage(file));
          if (ctx.json) ctx.stdout.write(`${JSON.stringify(jsonLine(file, r))}\n`);
          else humanRow(ctx, file, r);
        } catch (e) {
          if (!isStationError(e)) throw e;
          failed++;
          if (ctx.json) ctx.stdout.write(`${JSON.stringify({ image: file, model: inspector.model, error: { code: e.code, message: e.message } })}\n`);
          else writeLine(ctx.stdout, `${file}  ERROR ${e.code}: ${e.message}`);
        }
      }
    } finally {
      await inspector.close();
    }
    if (failed > 0) writeLine(ctx.stderr, `station inspect: ${failed} image(s) failed`);
    return failed > 0 ? 1 : 0;
  },
};
