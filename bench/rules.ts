// Benchmark: decision latency of the rules engine, excluding inference.
// Usage: nice -n 10 node bench/rules.ts [decisions]   → prints {decisions, p50Ms, p99Ms, maxMs, cpuP99Ms, ...}
// Inputs are generated up front from a seeded PRNG (varied goods, lines, statuses, weights, scores,
// sampling on), so only decide() is timed.
import type { Declaration, DeclarationLine } from '../src/shared/domain/aed.ts';
import type { Detection } from '../src/shared/domain/detection.ts';
import { parseConfig } from '../src/main/config/load.ts';
import { decide, defaultPack } from '../src/main/rules/index.ts';
import type { DecisionInput } from '../src/main/rules/types.ts';

const N = Number(process.argv[2] ?? 100_000);
const POOL = 5_000;

// mulberry32: small seeded PRNG so every run times the same inputs.
let seed = 0x5eed;
function rand(): number {
  seed |= 0;
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;

const pack = defaultPack();
const labels = [...pack.labels.keys(), 'unknown_thing'];
const common = ['phone', 'shoes', 'cosmetic', 'bottle', 'laptop', 'can', 'pills', 'battery'];
const goods: Omit<DeclarationLine, 'gnum' | 'qty' | 'totalPrice'>[] = [
  { itemName: 'Phone', gcode: '8517130000', gname: '手机', gmodel: '4|3', country: '502', unit: '163', price: 3000 },
  { itemName: 'Cream', gcode: '3304990099', gname: '面霜', gmodel: '4|3', country: '116', unit: '142', price: 180 },
  { itemName: 'Formula', gcode: '1901101000', gname: '奶粉', gmodel: '4|3', country: '601', unit: '122', price: 260 },
  { itemName: 'Shoes', gcode: '6404110000', gname: '运动鞋', gmodel: '4|3', country: '502', unit: '025', price: 600 },
  { itemName: 'T-shirt', gcode: '6109100000', gname: 'T恤', gmodel: '4|3', country: '303', unit: '011', price: 100 },
  { itemName: 'Laptop', gcode: '8471300000', gname: '笔记本电脑', gmodel: '4|3', country: '502', unit: '001', price: 6000 },
  { itemName: 'Vitamins', gcode: '2106909090', gname: '维生素', gmodel: '4|3', country: '601', unit: '140', price: 90 },
];

function makeInput(i: number): DecisionInput {
  const lines: DeclarationLine[] = Array.from({ length: 1 + Math.floor(rand() * 5) }, (_, k) => {
    const g = pick(goods);
    const qty = 1 + Math.floor(rand() * 3);
    return { ...g, gnum: k + 1, qty, totalPrice: g.price * qty * (rand() < 0.1 ? 0.05 : 1) };
  });
  const detections: Detection[] = Array.from({ length: Math.floor(rand() * 9) }, () => ({
    label: rand() < 0.85 ? pick(common) : pick(labels),
    score: rand() < 0.8 ? 0.6 + rand() * 0.4 : rand() * 0.6,
    box: [rand() * 500, rand() * 500, 500 + rand() * 400, 500 + rand() * 300],
  }));
  const logisticsNo = `SF${String(100000000000 + i)}`;
  const decl: Declaration = {
    logisticsNo,
    logisticsCode: '4401980003',
    orderNo: `ORD${i}`,
    ebpCode: '4401960001',
    ebcCode: pick(['4401960002', '4401960009']),
    agentCode: '4401960004',
    tradeMode: pick(['9610', '1210']),
    customsCode: '5141',
    grossWeightKg: 0.5 + rand() * 5,
    netWeightKg: 0.4,
    freight: 0,
    insuredFee: 0,
    lines,
    order: { goodsValue: 1000, freight: 0, discount: 0, taxTotal: 91, acturalPaid: lines.reduce((s, l) => s + l.totalPrice, 0), lineCount: lines.length },
    customsStatus: { returnStatus: pick(['800', '800', '800', '399', '500', '120', '502', '899']), returnTime: '2026-11-27T07:00:00Z' },
    controlInstructions: rand() < 0.05 ? [{ logisticsNo, kind: 'INSPECT', issuedAt: '2026-11-27T07:00:00Z', source: 'CENTRAL' }] : [],
    threeList: { state: rand() < 0.95 ? 'COMPLETE' : 'INCONSISTENT', failed: [], missing: [], checkedAt: '2026-11-27T07:00:00Z' },
    dataAsOf: rand() < 0.9 ? '2026-11-27T07:00:00Z' : '2026-11-25T07:00:00Z',
  };
  return {
    scanId: `scan-${i}`,
    barcodes: rand() < 0.02 ? [] : [logisticsNo],
    logisticsNo,
    declarations: rand() < 0.03 ? [] : [decl],
    inspection: rand() < 0.01 ? { error: { code: 'INSPECT_TIMEOUT', message: 'timeout' } } : { model: 'xray-det@0.1.0', detections, inferenceMs: 50, imageWidth: 1024, imageHeight: 768 },
    measuredWeightKg: decl.grossWeightKg * (0.9 + rand() * 0.2),
    online: rand() < 0.7,
    now: '2026-11-27T08:00:00Z',
    imageQuality: rand() < 0.05 ? { denseUnexplainedArea: rand() * 0.1 } : undefined,
  };
}

const config = parseConfig({ rules: { samplingRate: 0.05, aeoEnterprises: ['4401960009'] } }, {}).rules;
const pool = Array.from({ length: POOL }, (_, i) => makeInput(i));
for (let i = 0; i < 5_000; i++) decide(pool[i % POOL]!, pack, config); // warm-up (JIT)

// Wall-clock per decision, and CPU time per decision: on a shared machine the wall clock also counts
// time the process was descheduled, the CPU time does not.
const times = new Float64Array(N);
const cpu = new Float64Array(N);
const actions = { RELEASE: 0, HOLD: 0, HOLD_LOCK: 0 };
for (let i = 0; i < N; i++) {
  const input = pool[i % POOL]!;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const v = decide(input, pack, config);
  times[i] = performance.now() - t0;
  const c = process.cpuUsage(c0);
  cpu[i] = (c.user + c.system) / 1000;
  actions[v.action]++;
}
times.sort();
cpu.sort();
const r4 = (x: number): number => Math.round(x * 10_000) / 10_000;
const q = (a: Float64Array, p: number): number => r4(a[Math.min(N - 1, Math.floor(p * N))]!);
const mean = (a: Float64Array): number => r4(a.reduce((s, t) => s + t, 0) / N);
process.stdout.write(
  `${JSON.stringify({
    decisions: N,
    p50Ms: q(times, 0.5),
    p99Ms: q(times, 0.99),
    maxMs: q(times, 1),
    meanMs: mean(times),
    cpuP50Ms: q(cpu, 0.5),
    cpuP99Ms: q(cpu, 0.99),
    cpuMaxMs: q(cpu, 1),
    ruleSet: pack.version,
    actions,
  })}\n`,
);
