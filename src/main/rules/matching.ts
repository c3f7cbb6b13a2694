// M family: detected goods against declared lines (domain.md §9.2 matching rule).
// A detection explains a line when the line's gcode starts with one of its label's HS prefixes.
// Labels and lines that explain each other form groups; counts are compared per group, so two
// labels sharing a chapter (bottle and cosmetic under 33) are counted against the same lines.
import type { DeclarationLine } from '../../shared/domain/aed.ts';
import type { ReasonHit } from '../../shared/domain/verdict.ts';
import { detEvidence, fmt, hit, type IndexedDetection } from './hit.ts';
import { hsMatches, type CompiledPack } from './pack.ts';

const chapter = (gcode: string): string => gcode.slice(0, 2);

/** Declared quantity in detections (2 shoes per pair); null: uncountable (kg, ml) or unknown unit. */
function expectedCount(line: DeclarationLine, pack: CompiledPack): { count: number | null } {
  const per = pack.units.get(line.unit);
  return { count: per === undefined || per === null ? null : line.qty * per };
}

export function matchingHits(groups: ReadonlyMap<string, IndexedDetection[]>, lines: readonly DeclarationLine[], pack: CompiledPack): ReasonHit[] {
  const hits: ReasonHit[] = [];
  // A unit the pack does not know leaves the quantity unchecked: that is itself a reason to look.
  for (const l of lines) {
    if (!(Number.isFinite(l.qty) && l.qty > 0)) {
      hits.push(hit('M03', `line ${l.gnum}: declared quantity ${String(l.qty)} is not a positive number`, { gnum: [l.gnum], declared: null, fault: true }));
    } else if (!pack.units.has(l.unit)) {
      hits.push(hit('M03', `line ${l.gnum}: unit code ${l.unit} is not in rule pack ${pack.version}, quantity cannot be checked`, { gnum: [l.gnum], unit: l.unit, fault: true }));
    }
  }
  const unexplained: { label: string; dets: IndexedDetection[] }[] = [];
  const explainedLines = new Set<number>(); // indexes into lines
  // label → indexes of the lines it explains
  const matches = new Map<string, number[]>();

  for (const [label, dets] of groups) {
    const rule = pack.labels.get(label);
    if (!rule) {
      // A label the pack does not know: we cannot say what it is, so it counts as undeclared goods.
      hits.push(hit('M01', `"${label}" detected: not a category in rule pack ${pack.version}, treated as undeclared goods`, { label, detections: detEvidence(dets), measured: dets.length }));
      unexplained.push({ label, dets });
      continue;
    }
    if (!rule.declarable) continue; // covered by its P/R rule
    const idx: number[] = [];
    lines.forEach((l, i) => {
      if (hsMatches(l.gcode, rule.hs)) idx.push(i);
    });
    if (idx.length === 0) {
      hits.push(hit('M01', `${dets.length} × ${rule.en} detected; no declared line under HS ${rule.hs.join('/')}`, { label, hs: rule.hs, detections: detEvidence(dets), measured: dets.length, declared: 0 }));
      unexplained.push({ label, dets });
      continue;
    }
    matches.set(label, idx);
    for (const i of idx) explainedLines.add(i);
  }

  // M02: a declared line nothing explains while the image shows goods of another chapter.
  if (unexplained.length > 0) {
    const detectedHs = unexplained.map((u) => `${u.label}${pack.labels.get(u.label) ? ` (${pack.labels.get(u.label)!.hs.join('/')})` : ''}`);
    lines.forEach((l, i) => {
      if (explainedLines.has(i)) return;
      hits.push(
        hit('M02', `line ${l.gnum} declared ch.${chapter(l.gcode)} (${l.gname}) but the image shows ${detectedHs.join(', ')}`, {
          gnum: [l.gnum],
          gcode: l.gcode,
          detections: detEvidence(unexplained.flatMap((u) => u.dets)),
        }),
      );
      explainedLines.add(i); // reported; not also a quantity mismatch
    });
  }

  hits.push(...quantityHits(groups, lines, matches, explainedLines, pack));
  hits.push(...undervaluationHits(groups, lines, matches, pack));
  hits.push(...personalUseHits(groups, lines, pack));
  return hits;
}

/** M03 per connected group of labels and lines, plus declared lines of always-visible goods that were not seen. */
function quantityHits(
  groups: ReadonlyMap<string, IndexedDetection[]>,
  lines: readonly DeclarationLine[],
  matches: ReadonlyMap<string, number[]>,
  explainedLines: ReadonlySet<number>,
  pack: CompiledPack,
): ReasonHit[] {
  const hits: ReasonHit[] = [];
  const tolerance = pack.pack.matching.quantityTolerance;
  // Union-find over labels; lines join the labels that explain them.
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let r = x;
    while (parent.get(r) !== r) r = parent.get(r)!;
    return r;
  };
  for (const label of matches.keys()) parent.set(label, label);
  const lineOwner = new Map<number, string>();
  for (const [label, idx] of matches) {
    for (const i of idx) {
      const owner = lineOwner.get(i);
      if (owner === undefined) lineOwner.set(i, label);
      else {
        const a = find(owner);
        const b = find(label);
        if (a !== b) parent.set(a < b ? b : a, a < b ? a : b);
      }
    }
  }
  const components = new Map<string, { labels: string[]; lines: number[] }>();
  for (const label of matches.keys()) {
    const root = find(label);
    if (!components.has(root)) components.set(root, { labels: [], lines: [] });
    components.get(root)!.labels.push(label);
  }
  for (const [i, label] of [...lineOwner].sort((a, b) => a[0] - b[0])) components.get(find(label))!.lines.push(i);

  for (const { labels, lines: idx } of components.values()) {
    const dets = labels.flatMap((l) => groups.get(l) ?? []).sort((a, b) => a.index - b.index);
    const gnum = idx.map((i) => lines[i]!.gnum);
    let expected = 0;
    let countable = true;
    for (const i of idx) {
      const line = lines[i]!;
      const e = expectedCount(line, pack);
      if (e.count === null) countable = false; // sold by weight or volume (or unknown unit, reported above)
      else expected += e.count;
    }
    if (!countable) continue;
    if (Math.abs(dets.length - expected) > tolerance) {
      const names = labels.map((l) => pack.labels.get(l)!.en).join(' + ');
      hits.push(
        hit('M03', `${dets.length} × ${names} detected, declared ${fmt(expected)} (lines ${gnum.join(', ')}, after unit conversion)`, {
          gnum,
          labels,
          detections: detEvidence(dets),
          measured: dets.length,
          declared: expected,
        }),
      );
    }
  }

  // Declared goods the model always sees (phones, laptops, shoes) but found none of.
  const visible = pack.matchable.filter((m) => m.expectVisible);
  lines.forEach((l, i) => {
    if (explainedLines.has(i)) return;
    const m = visible.find((v) => hsMatches(l.gcode, v.hs));
    if (!m) return;
    const e = expectedCount(l, pack);
    if (e.count === null || e.count === 0) return;
    hits.push(hit('M03', `line ${l.gnum}: declared ${fmt(e.count)} × ${pack.labels.get(m.label)!.en}, none detected`, { gnum: [l.gnum], label: m.label, measured: 0, declared: e.count }));
  });
  return hits;
}

function undervaluationHits(
  groups: ReadonlyMap<string, IndexedDetection[]>,
  lines: readonly DeclarationLine[],
  matches: ReadonlyMap<string, number[]>,
  pack: CompiledPack,
): ReasonHit[] {
  const hits: ReasonHit[] = [];
  for (const [label, idx] of matches) {
    const floor = pack.labels.get(label)!.priceFloorRmb;
    if (floor === undefined) continue;
    const dets = groups.get(label) ?? [];
    const minimum = dets.length * floor;
    const declared = idx.reduce((s, i) => s + lines[i]!.totalPrice, 0);
    if (!(declared >= minimum)) {
      // Also catches NaN prices: an unreadable value is not a proof of a fair one.
      hits.push(
        hit('M05', `${dets.length} × ${pack.labels.get(label)!.en}: floor ${fmt(minimum, 2)} RMB > declared ${fmt(declared, 2)} RMB`, {
          label,
          gnum: idx.map((i) => lines[i]!.gnum),
          detections: detEvidence(dets),
          measured: minimum,
          declared: Number.isFinite(declared) ? declared : null,
          floorPerItemRmb: floor,
          ...(Number.isFinite(declared) ? {} : { fault: true }),
        }),
      );
    }
  }
  return hits;
}

function personalUseHits(groups: ReadonlyMap<string, IndexedDetection[]>, lines: readonly DeclarationLine[], pack: CompiledPack): ReasonHit[] {
  const hits: ReasonHit[] = [];
  for (const rule of pack.pack.personalUse) {
    let declared = 0;
    const gnum: number[] = [];
    for (const l of lines) {
      if (!hsMatches(l.gcode, rule.hs)) continue;
      const e = expectedCount(l, pack);
      if (e.count !== null) declared += e.count; // lines sold by weight or volume have no count
      gnum.push(l.gnum);
    }
    const dets = rule.labels.flatMap((l) => groups.get(l) ?? []).sort((a, b) => a.index - b.index);
    const quantity = Math.max(declared, dets.length);
    if (quantity > rule.maxQty) {
      hits.push(
        hit('M06', `${rule.en}: declared ${fmt(declared)}, detected ${dets.length} (max ${rule.maxQty})`, {
          rule: rule.id,
          gnum,
          detections: detEvidence(dets),
          measured: dets.length,
          declared,
          limit: rule.maxQty,
        }),
      );
    }
  }
  return hits;
}
