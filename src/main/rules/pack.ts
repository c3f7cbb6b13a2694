// Rule packs: versioned data the central service can replace (labels → HS headings and risk,
// price floors, personal-use limits, unit table, customs status groups, positive list, AEO
// facilitation). A pack is validated with a strict zod schema, then compiled once into lookup
// tables so a decision never scans lists.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { StationError } from '../../shared/errors.ts';
import type { ReasonCode } from '../../shared/domain/reasons.ts';
import { formatIssues } from '../config/load.ts';
import builtIn from './packs/default.json' with { type: 'json' };

export const RULES_PACK_INVALID = 'RULES_PACK_INVALID';
export const RULES_PACK_UNREADABLE = 'RULES_PACK_UNREADABLE';

/** HS prefix: a chapter (2 digits), heading (4), subheading (6) or tariff line (8/10). */
const hsPrefix = z.string().regex(/^(\d{2}|\d{4}|\d{6}|\d{8}|\d{10})$/, 'an HS chapter, heading or tariff line: 2, 4, 6, 8 or 10 digits');
const prohibitedCode = z.enum(['P01', 'P02', 'P03', 'P04', 'P05']);
const restrictedCode = z.enum(['R01', 'R02', 'R03', 'R04', 'R05', 'R06']);
const labelName = z.string().regex(/^[a-z][a-z0-9_]*$/, 'lower-case letters, digits and _');

const LabelRuleSchema = z.strictObject({
  /** HS prefixes a declared line's gcode must start with for this label to explain it. */
  hs: z.array(hsPrefix),
  /** false: goods that can never be declared (guns, powder blocks); they skip matching and must carry a risk rule. */
  declarable: z.boolean().default(true),
  prohibited: z
    .strictObject({
      reason: prohibitedCode,
      /** Raised when at least this many such detections are present ("lighters in bulk"). */
      minCount: z.number().int().min(1).default(1),
      /** Only detections whose box long side is at least this long count (blade rule proxy). */
      minLongSideMm: z.number().positive().optional(),
    })
    .optional(),
  restricted: z
    .strictObject({
      reason: restrictedCode,
      /** Not raised when a declared line's gcode starts with one of these (declared supplements, declared cells). */
      exemptWhenDeclaredHs: z.array(hsPrefix).default([]),
    })
    .optional(),
  /** M05: per-item floor in RMB; declared totalPrice of the matching lines below count × floor is undervaluation. */
  priceFloorRmb: z.number().positive().optional(),
  /** M03: the model reliably sees this category, so a declared line for it with no detection is a quantity mismatch. */
  expectVisible: z.boolean().default(false),
  en: z.string().min(1),
  zh: z.string().min(1),
});

const UnitSchema = z.strictObject({
  zh: z.string().min(1),
  en: z.string().min(1),
  /** Detections per declared unit (025 双 pair of shoes = 2); null: a weight or volume unit, not countable. */
  perUnit: z.number().positive().nullable(),
});

export const RulePackSchema = z
  .strictObject({
    format: z.literal(1).describe('Rule-pack file format version'),
    version: z.string().regex(/^rules-[0-9A-Za-z.+-]+$/, 'starts with "rules-", e.g. rules-2026.11.0'),
    description: z.string().default(''),
    labels: z.record(labelName, LabelRuleSchema),
    countRules: z
      .array(
        z.strictObject({
          id: z.string().min(1),
          reason: z.enum(['R01', 'R02', 'P03']),
          labels: z.array(labelName).min(1),
          /** More detections than this across the labels raises the reason. */
          maxCount: z.number().int().min(0),
          en: z.string().min(1),
        }),
      )
      .default([]),
    personalUse: z
      .array(
        z.strictObject({
          id: z.string().min(1),
          /** Declared lines counted by gcode prefix (normalised quantity). */
          hs: z.array(hsPrefix).min(1),
          /** Detections counted by label. */
          labels: z.array(labelName).default([]),
          maxQty: z.number().positive(),
          en: z.string().min(1),
        }),
      )
      .default([]),
    units: z.record(z.string().regex(/^\d{3}$/, 'a 3-digit JGS-20 unit code'), UnitSchema),
    matching: z
      .strictObject({
        /** Allowed |detected − declared| before M03; 0 = exact. */
        quantityTolerance: z.number().int().min(0).default(0),
      })
      .prefault({}),
    concealment: z.strictObject({
      /** M04 when the dense area no detection explains exceeds this fraction of the image. */
      maxUnexplainedDenseArea: z.number().min(0).max(1),
    }),
    customsStatus: z.strictObject({
      release: z.array(z.string()).min(1),
      closed: z.array(z.string()),
      inspect: z.array(z.string()),
      detain: z.array(z.string()),
      return: z.array(z.string()),
    }),
    limits: z.strictObject({
      perTransactionRmb: z.number().positive(),
      annualRmb: z.number().positive(),
    }),
    positiveList: z.strictObject({
      enforce: z.boolean(),
      edition: z.string().min(1),
      /** 8-digit tariff heads allowed for CBEC retail import. */
      heads: z.array(z.string().regex(/^\d{8}$/, 'an 8-digit tariff head')),
      /** List-note trade-mode limits: head → the trade modes it may use (e.g. only 1210 bonded). */
      tradeModes: z.record(z.string().regex(/^\d{8}$/), z.array(z.enum(['9610', '1210'])).min(1)).default({}),
    }),
    aeo: z.strictObject({
      /** Multiplies the sampling rate for parcels of listed enterprises. */
      samplingRateFactor: z.number().min(0).max(1),
      /** M codes that become ALERT for listed enterprises. P*, R*, D*, S*, M01 and M04 are never relaxed. */
      relaxToAlert: z.array(z.enum(['M02', 'M03', 'M05', 'M06'])),
    }),
  })
  .superRefine((p, ctx) => {
    for (const [name, rule] of Object.entries(p.labels)) {
      if (!rule.declarable && !rule.prohibited && !rule.restricted) {
        ctx.addIssue({ code: 'custom', path: ['labels', name], message: 'a non-declarable label needs a prohibited or restricted rule, or it would pass unnoticed' });
      }
      if (rule.declarable && rule.hs.length === 0) {
        ctx.addIssue({ code: 'custom', path: ['labels', name, 'hs'], message: 'a declarable label needs at least one HS prefix' });
      }
    }
    const known = (l: string): boolean => Object.hasOwn(p.labels, l);
    p.countRules.forEach((c, i) =>
      c.labels.forEach((l, j) => {
        if (!known(l)) ctx.addIssue({ code: 'custom', path: ['countRules', i, 'labels', j], message: `unknown label "${l}"` });
      }),
    );
    p.personalUse.forEach((c, i) =>
      c.labels.forEach((l, j) => {
        if (!known(l)) ctx.addIssue({ code: 'custom', path: ['personalUse', i, 'labels', j], message: `unknown label "${l}"` });
      }),
    );
    const seen = new Map<string, string>();
    for (const group of ['release', 'closed', 'inspect', 'detain', 'return'] as const) {
      p.customsStatus[group].forEach((s, i) => {
        const other = seen.get(s);
        if (other) ctx.addIssue({ code: 'custom', path: ['customsStatus', group, i], message: `status "${s}" is already in "${other}"` });
        seen.set(s, group);
      });
    }
  });

export type RulePack = z.output<typeof RulePackSchema>;
export type LabelRule = RulePack['labels'][string];
export type StatusGroup = keyof RulePack['customsStatus'];

/** A validated pack with its lookup tables. */
export interface CompiledPack {
  readonly version: string;
  readonly source: string;
  readonly pack: RulePack;
  readonly labels: ReadonlyMap<string, LabelRule>;
  /** Declarable labels with the HS prefixes they explain, in pack order. */
  readonly matchable: readonly { label: string; hs: readonly string[]; expectVisible: boolean }[];
  readonly units: ReadonlyMap<string, number | null>;
  readonly status: ReadonlyMap<string, StatusGroup>;
  readonly positiveHeads: ReadonlySet<string>;
  readonly tradeModes: ReadonlyMap<string, readonly string[]>;
  readonly aeoRelax: ReadonlySet<ReasonCode>;
}

export function compilePack(raw: unknown, source: string): CompiledPack {
  const parsed = RulePackSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = formatIssues(parsed.error.issues);
    throw new StationError(RULES_PACK_INVALID, `rule pack ${source} is invalid:\n  ${problems.join('\n  ')}`, { source, problems });
  }
  const pack = parsed.data;
  const status = new Map<string, StatusGroup>();
  for (const group of Object.keys(pack.customsStatus) as StatusGroup[]) for (const s of pack.customsStatus[group]) status.set(s, group);
  return {
    version: pack.version,
    source,
    pack,
    labels: new Map(Object.entries(pack.labels)),
    matchable: Object.entries(pack.labels)
      .filter(([, r]) => r.declarable)
      .map(([label, r]) => ({ label, hs: r.hs, expectVisible: r.expectVisible })),
    units: new Map(Object.entries(pack.units).map(([code, u]) => [code, u.perUnit])),
    status,
    positiveHeads: new Set(pack.positiveList.heads),
    tradeModes: new Map(Object.entries(pack.positiveList.tradeModes)),
    aeoRelax: new Set(pack.aeo.relaxToAlert),
  };
}

let builtInCompiled: CompiledPack | undefined;

/** The pack shipped with the station (src/main/rules/packs/default.json). */
export function defaultPack(): CompiledPack {
  return (builtInCompiled ??= compilePack(builtIn, 'built-in default.json'));
}

/** Loads a pack file (config `rules.packPath`), or the built-in pack when no file is given. */
export function loadRulePack(file?: string): CompiledPack {
  if (file === undefined) return defaultPack();
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new StationError(RULES_PACK_UNREADABLE, `cannot read rule pack ${file}: ${(e as Error).message}`, { file });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new StationError(RULES_PACK_INVALID, `rule pack ${file} is not valid JSON: ${(e as Error).message}`, { file });
  }
  return compilePack(raw, file);
}

/** Whether gcode starts with any of the prefixes. */
export function hsMatches(gcode: string, prefixes: readonly string[]): boolean {
  for (const p of prefixes) if (gcode.startsWith(p)) return true;
  return false;
}
