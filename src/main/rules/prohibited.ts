// P and R families: what the image shows that is prohibited or restricted, whatever was declared
// (except where the pack exempts a category when it is declared, e.g. declared batteries or
// supplements). Detections arrive grouped by label and already filtered by confidence.
import type { DeclarationLine } from '../../shared/domain/aed.ts';
import type { ReasonHit } from '../../shared/domain/verdict.ts';
import { detEvidence, fmt, hit, type IndexedDetection } from './hit.ts';
import { hsMatches, type CompiledPack } from './pack.ts';

function longSideMm(d: IndexedDetection, pixelSizeMm: number): number {
  const [x1, y1, x2, y2] = d.box;
  return Math.max(Math.abs(x2 - x1), Math.abs(y2 - y1)) * pixelSizeMm;
}

export function prohibitedAndRestrictedHits(
  groups: ReadonlyMap<string, IndexedDetection[]>,
  lines: readonly DeclarationLine[],
  pack: CompiledPack,
  pixelSizeMm: number,
): ReasonHit[] {
  const hits: ReasonHit[] = [];
  for (const [label, dets] of groups) {
    const rule = pack.labels.get(label);
    if (!rule) continue;
    const name = rule.en;
    if (rule.prohibited) {
      const p = rule.prohibited;
      const counted = p.minLongSideMm === undefined ? dets : dets.filter((d) => longSideMm(d, pixelSizeMm) >= p.minLongSideMm!);
      if (counted.length >= p.minCount) {
        const why = [
          p.minCount > 1 ? `${counted.length} ≥ ${p.minCount}` : '',
          p.minLongSideMm !== undefined ? `long side ≥ ${p.minLongSideMm} mm (largest ${fmt(Math.max(...counted.map((d) => longSideMm(d, pixelSizeMm))), 0)} mm)` : '',
        ].filter((s) => s !== '');
        hits.push(hit(p.reason, `${name} detected${why.length > 0 ? ` (${why.join(', ')})` : ''}`, { label, detections: detEvidence(counted), measured: counted.length }));
        continue; // the prohibited reason covers the restricted one for the same boxes
      }
    }
    if (rule.restricted) {
      const exemptBy = rule.restricted.exemptWhenDeclaredHs;
      const declared = exemptBy.length > 0 ? lines.filter((l) => hsMatches(l.gcode, exemptBy)) : [];
      if (declared.length === 0) {
        const detail = exemptBy.length > 0 ? `${name} detected and not declared (no line under ${exemptBy.join('/')})` : `${name} detected`;
        hits.push(hit(rule.restricted.reason, detail, { label, detections: detEvidence(dets), measured: dets.length }));
      }
    }
  }
  for (const rule of pack.pack.countRules) {
    const dets = rule.labels.flatMap((l) => groups.get(l) ?? []).sort((a, b) => a.index - b.index);
    if (dets.length > rule.maxCount) {
      hits.push(hit(rule.reason, `${rule.en}: ${dets.length} detected (max ${rule.maxCount})`, { rule: rule.id, detections: detEvidence(dets), measured: dets.length, limit: rule.maxCount }));
    }
  }
  return hits;
}
