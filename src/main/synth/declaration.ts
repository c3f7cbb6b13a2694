// What a synthetic parcel declares (order, payment, waybill, inventory) and which deliberate mismatch
// between the declaration and the physical contents was injected for the rules engine. Pure: the same
// parcel and Rng give the same declaration.
import type { DetectionLabel } from '../../shared/domain/detection.ts';
import type { ClutterKind } from '../../shared/xray/index.ts';
import type { Rng } from '../../shared/xray/index.ts';

export type MismatchType = 'none' | 'undeclared' | 'misdeclared' | 'wrong-quantity' | 'undervalued';
export const MISMATCH_TYPES: readonly Exclude<MismatchType, 'none'>[] = ['undeclared', 'misdeclared', 'wrong-quantity', 'undervalued'];

/** A declarable goods category (an X-ray label or a declared kind of clutter). */
export interface GoodsCategory {
  gcode: string;
  gname: string;
  itemName: string;
  /** JGS-20 unit code (domain.md §2.8). */
  unit: string;
  /** Typical unit price range, RMB. */
  price: [number, number];
  /** Legal first quantity per unit and its unit (kg = 035). */
  qty1: number;
  unit1: string;
  gmodel: string;
}

// domain.md §9.2. gun and knife are prohibited and never appear here.
export const DECLARABLE: Partial<Record<DetectionLabel, GoodsCategory>> = {
  phone: { gcode: '8517130000', gname: '智能手机', itemName: '智能手机 128GB', unit: '163', price: [1200, 3800], qty1: 1, unit1: '163', gmodel: '4|3|智能手机|128GB|BrandP' },
  laptop: { gcode: '8471300000', gname: '笔记本电脑', itemName: '轻薄笔记本电脑', unit: '001', price: [2800, 4800], qty1: 1, unit1: '001', gmodel: '4|3|便携式|14英寸|BrandL' },
  battery: { gcode: '8507600090', gname: '锂离子蓄电池', itemName: '移动电源 10000mAh', unit: '007', price: [60, 300], qty1: 0.25, unit1: '035', gmodel: '4|3|锂离子|10000mAh|BrandB' },
  scissors: { gcode: '8213000000', gname: '剪刀', itemName: '不锈钢剪刀', unit: '007', price: [20, 120], qty1: 0.08, unit1: '035', gmodel: '4|3|不锈钢|BrandS' },
  bottle: { gcode: '2202990099', gname: '饮料', itemName: '果汁饮料 500ml', unit: '142', price: [10, 60], qty1: 0.5, unit1: '095', gmodel: '4|3|水、果汁|500ml/瓶|BrandD' },
  aerosol: { gcode: '3307490000', gname: '室内除臭剂', itemName: '香氛喷雾 200ml', unit: '142', price: [30, 150], qty1: 0.2, unit1: '035', gmodel: '4|3|喷雾|200ml/瓶|BrandA' },
  cosmetic: { gcode: '3304990099', gname: '护肤品', itemName: '保湿面霜', unit: '142', price: [80, 600], qty1: 0.05, unit1: '035', gmodel: '4|3|面霜|50ml/瓶|BrandX' },
  pills: { gcode: '2106909090', gname: '膳食补充剂', itemName: '维生素片', unit: '140', price: [80, 300], qty1: 0.1, unit1: '035', gmodel: '4|3|维生素|60粒/盒|BrandV' },
  shoes: { gcode: '6404199000', gname: '运动鞋', itemName: '跑步鞋', unit: '025', price: [200, 900], qty1: 1, unit1: '025', gmodel: '4|3|纺织面|橡胶底|BrandR' },
  can: { gcode: '1901101000', gname: '婴幼儿配方奶粉', itemName: '婴儿配方奶粉 800g', unit: '122', price: [150, 400], qty1: 0.8, unit1: '035', gmodel: '4|3|乳粉|800g/罐|BrandF' },
};

/** Clutter that a real shipper declares, and decoy categories used to misdeclare (other HS chapters). */
export const CLUTTER_GOODS: Partial<Record<ClutterKind, GoodsCategory>> = {
  clothes: { gcode: '6109100022', gname: '棉制针织T恤衫', itemName: '纯棉T恤', unit: '011', price: [40, 200], qty1: 0.2, unit1: '035', gmodel: '4|3|针织|棉100%|BrandC' },
  books: { gcode: '4901990000', gname: '书籍', itemName: '图书', unit: '011', price: [30, 150], qty1: 0.5, unit1: '035', gmodel: '4|3|印刷品|BrandK' },
  toy: { gcode: '9503008900', gname: '玩具', itemName: '塑料玩具', unit: '007', price: [30, 200], qty1: 0.2, unit1: '035', gmodel: '4|3|塑料|BrandT' },
};

const DECOYS: readonly GoodsCategory[] = [CLUTTER_GOODS.clothes!, CLUTTER_GOODS.toy!, CLUTTER_GOODS.books!, { gcode: '3924100000', gname: '塑料餐具', itemName: '塑料餐具套装', unit: '006', price: [20, 80], qty1: 0.3, unit1: '035', gmodel: '4|3|塑料|BrandH' }];

export interface DeclaredLine {
  gnum: number;
  /** What the line really covers (a label or a clutter kind); absent for nothing. */
  covers: string;
  goods: GoodsCategory;
  qty: number;
  price: number;
}

export interface Mismatch {
  type: MismatchType;
  /** The label or clutter kind concerned. */
  subject?: string;
  detail?: string;
}

export interface Declaration {
  lines: DeclaredLine[];
  mismatch: Mismatch;
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

/** Declared quantity for a physical count (two shoes are one pair). */
export function declaredQty(label: string, count: number): number {
  return label === 'shoes' ? Math.max(1, Math.ceil(count / 2)) : count;
}

/**
 * Declaration lines for the physical contents, then (with probability `mismatchRate`) one deliberate
 * mismatch. Falls back to 'none' when the parcel has nothing the chosen mismatch could apply to.
 */
export function declare(rng: Rng, contents: readonly DetectionLabel[], clutter: readonly ClutterKind[], mismatchRate: number): Declaration {
  const counts = new Map<string, number>();
  for (const l of contents) if (DECLARABLE[l]) counts.set(l, (counts.get(l) ?? 0) + 1);
  const lines: DeclaredLine[] = [];
  for (const [label, n] of counts) {
    const goods = DECLARABLE[label as DetectionLabel]!;
    lines.push({ gnum: 0, covers: label, goods, qty: declaredQty(label, n), price: round2(rng.range(goods.price[0], goods.price[1])) });
  }
  const clutterKinds = [...new Set(clutter)].filter((k) => CLUTTER_GOODS[k]);
  for (const k of clutterKinds) {
    if (!rng.chance(0.7)) continue;
    const goods = CLUTTER_GOODS[k]!;
    lines.push({ gnum: 0, covers: k, goods, qty: clutter.filter((c) => c === k).length, price: round2(rng.range(goods.price[0], goods.price[1])) });
  }
  let mismatch: Mismatch = { type: 'none' };
  if (rng.chance(mismatchRate)) {
    const type = rng.pick(MISMATCH_TYPES);
    const target = lines.filter((l) => counts.has(l.covers));
    const line = target.length > 0 ? rng.pick(target) : undefined;
    if (line) {
      if (type === 'undeclared') {
        lines.splice(lines.indexOf(line), 1);
        mismatch = { type, subject: line.covers, detail: `${line.covers} × ${counts.get(line.covers)} in the parcel, no declaration line` };
      } else if (type === 'misdeclared') {
        const decoy = rng.pick(DECOYS.filter((d) => d.gcode.slice(0, 2) !== line.goods.gcode.slice(0, 2)));
        mismatch = { type, subject: line.covers, detail: `${line.covers} declared as ${decoy.gcode} ${decoy.gname}` };
        line.goods = { ...decoy, unit: decoy.unit };
      } else if (type === 'wrong-quantity') {
        const delta = rng.chance(0.5) || line.qty === 1 ? rng.int(1, 3) : -rng.int(1, line.qty - 1);
        mismatch = { type, subject: line.covers, detail: `declared qty ${line.qty + delta}, parcel holds ${line.qty}` };
        line.qty += delta;
      } else {
        const before = line.price;
        line.price = round2(Math.max(1, line.goods.price[0] * rng.range(0.03, 0.15)));
        mismatch = { type, subject: line.covers, detail: `unit price ${line.price} declared, typical ≥ ${line.goods.price[0]} (was ${before})` };
      }
    }
  }
  if (lines.length === 0) {
    // A parcel always declares something: clothing is the usual cover.
    const goods = CLUTTER_GOODS.clothes!;
    lines.push({ gnum: 0, covers: clutter.includes('clothes') ? 'clothes' : 'nothing', goods, qty: 1, price: round2(rng.range(goods.price[0], goods.price[1])) });
  }
  lines.forEach((l, i) => (l.gnum = i + 1));
  return { lines, mismatch };
}
