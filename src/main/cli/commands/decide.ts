// `station decide --waybill NO --image FILE [--weight KG]`: inspection and rules for one parcel against
// the local store. Whatever goes wrong on the way (unknown waybill, unreadable store or image,
// missing or broken model) still ends in a verdict: HOLD with the reason.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { Declaration } from '../../../shared/domain/aed.ts';
import type { InspectionOutput } from '../../../shared/domain/detection.ts';
import { REASONS, type Action } from '../../../shared/domain/reasons.ts';
import type { Verdict } from '../../../shared/domain/verdict.ts';
import { ErrorCodes, StationError, errorMessage, isStationError } from '../../../shared/errors.ts';
import type { StationConfig } from '../../../shared/config/schema.ts';
import { lookupDeclarations } from '../../aed/lookup.ts';
import { dataPaths } from '../../paths.ts';
import { decide, loadRulePack, type DecisionInput, type InspectionFailure } from '../../rules/index.ts';
import { openDatabase } from '../../storage/db.ts';
import { writeJson, writeLine, type Command, type CommandContext } from '../command.ts';
// Type only: the module itself is imported on demand in inspect().
import type * as InspectionModuleNs from '../../inspection/index.ts';

type InspectionModule = typeof InspectionModuleNs;

/** Loading a model on a busy two-core box takes seconds; past this the parcel is held (S04). */
const MODEL_LOAD_TIMEOUT_MS = 60_000;

export const decideCommand: Command = {
  name: 'decide',
  summary: 'inspect one parcel image and decide RELEASE / HOLD / HOLD_LOCK against the local store',
  usage: '--waybill NO --image FILE [--weight KG] [--data-dir DIR] [--json]',
  details:
    'Looks the waybill up in the local advance-data store, runs the inspection model on the image and applies\n' +
    'the rule pack (config rules.packPath, else the built-in one). Prints the action and every reason with its\n' +
    'evidence, the rule-pack and model versions. An unknown waybill, an unreadable image or a missing model\n' +
    'still gives a verdict: HOLD with the reason. The command only sees the local store, so it judges data\n' +
    'freshness as if offline (D10). Without --weight the parcel is held (W01) unless rules.weightRequired is false.\n' +
    'Exit code 0 whenever a verdict was printed.',
  options: {
    waybill: { type: 'string' },
    image: { type: 'string' },
    weight: { type: 'string' },
  },
  async run(ctx) {
    const waybill = stringOption(ctx, 'waybill');
    const image = stringOption(ctx, 'image');
    const weight = weightOption(ctx);
    const config = ctx.config();
    const pack = loadRulePack(config.rules.packPath);
    const now = new Date().toISOString();

    const store = readStore(ctx, waybill);
    const { inspection, imageHash } = await inspect(image, config);
    const input: DecisionInput = {
      scanId: `cli-${createHash('sha256').update(`${waybill}\0${imageHash ?? image}`).digest('hex').slice(0, 20)}`,
      barcodes: [waybill],
      logisticsNo: waybill,
      declarations: store.declarations,
      inspection,
      ...(weight !== undefined ? { measuredWeightKg: weight } : {}),
      priorVerdicts: store.priorVerdicts,
      online: false,
      now,
    };
    const verdict = decide(input, pack, config.rules);
    if (store.warning) writeLine(ctx.stderr, `station decide: ${store.warning}`);
    if (ctx.json) writeJson(ctx, { ...verdict, logisticsNo: waybill, scanId: input.scanId, decidedAt: now });
    else printVerdict(ctx, verdict, waybill);
    return 0;
  },
};

function stringOption(ctx: CommandContext, name: string): string {
  const v = ctx.values[name];
  if (typeof v !== 'string' || v.trim() === '') throw new StationError(ErrorCodes.CLI_USAGE, `--${name} is required: station decide --waybill NO --image FILE [--weight KG]`);
  return v.trim();
}

function weightOption(ctx: CommandContext): number | undefined {
  const v = ctx.values.weight;
  if (v === undefined) return undefined;
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : Number.NaN;
  if (!Number.isFinite(n) || n < 0) throw new StationError(ErrorCodes.CLI_USAGE, `--weight must be a weight in kg (e.g. 1.25), got "${String(v)}"`);
  return n;
}

interface StoreRead {
  declarations: Declaration[];
  priorVerdicts: DecisionInput['priorVerdicts'];
  /** Why the store could not be read; the parcel is then decided with no declaration (D01). */
  warning?: string;
}

function readStore(ctx: CommandContext, waybill: string): StoreRead {
  const file = dataPaths(ctx.dataDir).db;
  if (!existsSync(file)) return { declarations: [], priorVerdicts: [], warning: `no station database at ${file}: deciding with no declaration (run \`station import\` first)` };
  try {
    const { db } = openDatabase(file, { readonly: true });
    try {
      const declarations = lookupDeclarations(db, waybill);
      const priorVerdicts = db
        .prepare<[string], { action: Action; decided_at: string }>('SELECT action, decided_at FROM verdict WHERE logistics_no = ? ORDER BY decided_at')
        .all(waybill)
        .map((r) => ({ action: r.action, decidedAt: r.decided_at }));
      return { declarations, priorVerdicts };
    } finally {
      db.close();
    }
  } catch (e) {
    return { declarations: [], priorVerdicts: [], warning: `cannot read the station database ${file}: ${errorMessage(e)}` };
  }
}

function failure(e: unknown, fallbackCode: string, model?: string): InspectionFailure {
  return { error: { code: isStationError(e) ? e.code : fallbackCode, message: errorMessage(e) }, ...(model !== undefined ? { model } : {}) };
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new StationError('INSPECT_TIMEOUT', `${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** Runs the model on the image; every failure becomes an InspectionFailure (S04, or S03 for the image). */
async function inspect(image: string, config: StationConfig): Promise<{ inspection: InspectionOutput | InspectionFailure; imageHash?: string }> {
  let bytes: Buffer;
  try {
    bytes = await readFile(image);
  } catch (e) {
    return { inspection: { error: { code: 'INSPECT_IMAGE_UNREADABLE', message: `cannot read image ${image}: ${errorMessage(e)}` } } };
  }
  const imageHash = createHash('sha256').update(bytes).digest('hex');
  let mod: InspectionModule;
  try {
    // Loaded on demand: onnxruntime and sharp are heavy, and other commands must not need them.
    mod = await import('../../inspection/index.ts');
  } catch (e) {
    return { inspection: failure(e, 'INSPECT_UNAVAILABLE'), imageHash };
  }
  let inspector: Awaited<ReturnType<typeof mod.openInspector>>;
  try {
    inspector = await withTimeout(
      mod.openInspector({ modelDir: config.inspection.modelDir, classThresholds: config.inspection.classThresholds, timeoutMs: config.inspection.inferenceTimeoutMs }),
      MODEL_LOAD_TIMEOUT_MS,
      'loading the model',
    );
  } catch (e) {
    return { inspection: failure(e, 'INSPECT_MODEL_INVALID'), imageHash };
  }
  try {
    return { inspection: await inspector.inspect(bytes), imageHash };
  } catch (e) {
    return { inspection: failure(e, 'INSPECT_UNAVAILABLE', inspector.model), imageHash };
  } finally {
    await inspector.close().catch(() => undefined);
  }
}

const BANNER: Record<Action, string> = {
  RELEASE: 'R E L E A S E',
  HOLD: 'H O L D',
  HOLD_LOCK: 'H O L D   -   L O C K',
};

function printVerdict(ctx: CommandContext, v: Verdict, waybill: string): void {
  const bar = '='.repeat(40);
  writeLine(ctx.stdout, bar);
  writeLine(ctx.stdout, `   ${BANNER[v.action]}`);
  writeLine(ctx.stdout, bar);
  writeLine(ctx.stdout, `waybill ${waybill}   rules ${v.ruleSet}   model ${v.model}`);
  if (v.reasons.length === 0) {
    writeLine(ctx.stdout, 'All checks passed.');
    return;
  }
  writeLine(ctx.stdout, '');
  writeLine(ctx.stdout, 'Reasons (deciding one first):');
  for (const r of v.reasons) {
    const alert = r.level === 'ALERT' ? ' [recorded only]' : '';
    writeLine(ctx.stdout, `  ${r.code} ${REASONS[r.code].en}${alert}`);
    writeLine(ctx.stdout, `      ${r.detail}`);
  }
  if (v.review) writeLine(ctx.stdout, '\nAn operator may release it after looking at the image.');
  const top = v.reasons.find((r) => r.level !== 'ALERT');
  if (top) writeLine(ctx.stdout, `\nNext: ${REASONS[top.code].next}`);
}
