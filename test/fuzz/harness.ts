// Shared harness for the fuzz campaign (docs/fuzzing.md). Every property runs FUZZ_RUNS cases
// (default 100, so the CI run of test/fuzz stays short); `npm run test:fuzz:long` sets FUZZ_RUNS
// high enough for ≥ 100,000 cases in all. Slow targets (image decoding, HTTP round trips) take a
// documented fraction. Each file prints how many cases ran per property and in total when it ends,
// so a campaign's figure can be quoted from the log. FUZZ_SEED replays a run exactly.
import fc from 'fast-check';
import { afterAll, expect } from 'vitest';
import { isStationError, type StationError } from '../../src/shared/errors.ts';

export const DEFAULT_RUNS = 100;

function baseRuns(): number {
  const n = Number(process.env.FUZZ_RUNS ?? DEFAULT_RUNS);
  return Number.isFinite(n) && n >= 1 ? Math.floor(n) : DEFAULT_RUNS;
}

/** Cases for one property: FUZZ_RUNS × fraction, at least `min`. */
export function fuzzRuns(fraction = 1, min = 5): number {
  return Math.max(min, Math.round(baseRuns() * fraction));
}

/**
 * A vitest timeout that grows with the number of cases (ms per case is the expected cost on an idle
 * machine). Generous on purpose: a shared CI box under load must not turn a campaign into a timeout.
 */
export function fuzzTimeout(msPerCase = 2, fraction = 1): number {
  return 60_000 + Math.ceil(fuzzRuns(fraction) * msPerCase * 10);
}

function params<T>(fraction: number, examples: T[] | undefined): fc.Parameters<T> {
  const seed = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
  return { numRuns: fuzzRuns(fraction), ...(examples ? { examples } : {}), ...(seed !== undefined && Number.isFinite(seed) ? { seed } : {}) };
}

export interface FuzzTarget {
  /** Runs a synchronous property; fails the test with fast-check's report (seed, path, counterexample). */
  check<T>(name: string, property: fc.IProperty<T>, o?: { fraction?: number; examples?: T[] }): void;
  checkAsync<T>(name: string, property: fc.IAsyncProperty<T>, o?: { fraction?: number; examples?: T[] }): Promise<void>;
}

/** One per test file: collects the case counts and prints them after the file's tests. */
export function fuzzTarget(target: string): FuzzTarget {
  const counts = new Map<string, number>();
  const record = (name: string, d: fc.RunDetails<unknown>): void => {
    counts.set(name, (counts.get(name) ?? 0) + d.numRuns);
    if (d.failed) throw new Error(`${name}: ${fc.defaultReportMessage(d) ?? 'failed'}\nGot: ${d.errorInstance instanceof Error ? d.errorInstance.message : String(d.errorInstance)}`);
  };
  afterAll(() => {
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    const lines = [...counts].map(([n, c]) => `  ${String(c).padStart(7)}  ${n}`);
    console.log(`[fuzz] ${target}: ${counts.size} properties, ${total} cases (FUZZ_RUNS=${baseRuns()})\n${lines.join('\n')}`);
  });
  return {
    check(name, property, o = {}) {
      record(name, fc.check(property, params(o.fraction ?? 1, o.examples)) as fc.RunDetails<unknown>);
    },
    async checkAsync(name, property, o = {}) {
      record(name, (await fc.check(property, params(o.fraction ?? 1, o.examples))) as fc.RunDetails<unknown>);
    },
  };
}

/**
 * Runs `fn`; returns its value, or the StationError it threw. Anything else thrown (TypeError,
 * RangeError from a blown stack, a library's own Error) fails the property: that is a finding.
 */
export function stationErrorOr<T>(fn: () => T, codePrefix?: string): T | StationError {
  try {
    return fn();
  } catch (e) {
    if (!isStationError(e)) throw new Error(`threw ${e instanceof Error ? `${e.constructor.name}: ${e.message}` : String(e)} instead of a StationError`, { cause: e });
    if (codePrefix !== undefined) expect(e.code.startsWith(codePrefix), `${e.code} should start with ${codePrefix}`).toBe(true);
    expect(e.message.length).toBeGreaterThan(0);
    return e;
  }
}

export async function stationErrorOrAsync<T>(fn: () => Promise<T>, codePrefix?: string): Promise<T | StationError> {
  try {
    return await fn();
  } catch (e) {
    if (!isStationError(e)) throw new Error(`rejected with ${e instanceof Error ? `${e.constructor.name}: ${e.message}` : String(e)} instead of a StationError`, { cause: e });
    if (codePrefix !== undefined) expect(e.code.startsWith(codePrefix), `${e.code} should start with ${codePrefix}`).toBe(true);
    return e;
  }
}

/** Fails when one case takes longer than `ms` (a hang or super-linear blow-up caught per input; limits are loose so load does not trip them). */
export function timed<T>(ms: number, fn: () => T): T {
  const t0 = performance.now();
  const r = fn();
  const dt = performance.now() - t0;
  if (dt > ms) throw new Error(`one case took ${dt.toFixed(0)} ms (limit ${ms} ms)`);
  return r;
}

// ---- shared generators ----

/** Bytes biased towards what parsers care about: terminators, separators, digits, capitals, control and high bytes. */
export const byte = fc.oneof(
  fc.constantFrom(0x0d, 0x0a, 0x02, 0x03, 0x20, 0x2c, 0x2b, 0x2d, 0x2e, 0x5d, 0x3c, 0x3e, 0x22, 0x26, 0x7b, 0x7d),
  fc.integer({ min: 0x30, max: 0x5a }),
  fc.integer({ min: 0, max: 255 }),
);
export const bytes = (maxLength = 300): fc.Arbitrary<Uint8Array> => fc.array(byte, { maxLength }).map((a) => Uint8Array.from(a));

/** Splits bytes at arbitrary points (how a serial port or TCP stream delivers them). */
export function chunk(b: Uint8Array, sizes: number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let i = 0;
  let k = 0;
  while (i < b.length) {
    const n = Math.max(1, sizes[k++ % sizes.length] ?? 1);
    out.push(b.subarray(i, i + n));
    i += n;
  }
  return out;
}
export const chunkSizes = fc.array(fc.integer({ min: 1, max: 48 }), { minLength: 1, maxLength: 12 });

export const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

/** Is `sub` a subsequence of `all` (in order, gaps allowed)? */
export function isSubsequence<T>(sub: T[], all: T[], eq: (a: T, b: T) => boolean = (a, b) => JSON.stringify(a) === JSON.stringify(b)): boolean {
  let j = 0;
  for (const x of all) if (j < sub.length && eq(sub[j]!, x)) j++;
  return j === sub.length;
}

/** A few structural mutations of a JSON value: drop, add, retype or replace one member somewhere. */
export function mutateJson(value: unknown, ops: { at: number; op: number; junk: unknown }[]): unknown {
  let v: unknown = structuredClone(value);
  for (const { at, op, junk } of ops) v = mutateOnce(v, at, op, junk);
  return v;
}

function mutateOnce(v: unknown, at: number, op: number, junk: unknown): unknown {
  const paths: (string | number)[][] = [];
  const walk = (x: unknown, p: (string | number)[]): void => {
    paths.push(p);
    if (Array.isArray(x)) x.forEach((y, i) => walk(y, [...p, i]));
    else if (x !== null && typeof x === 'object') for (const [k, y] of Object.entries(x)) walk(y, [...p, k]);
  };
  walk(v, []);
  const path = paths[at % paths.length]!;
  if (path.length === 0) return op % 5 === 0 ? junk : v;
  const parent = path.slice(0, -1).reduce<unknown>((o, k) => (o as Record<string | number, unknown>)[k], v) as Record<string | number, unknown> | unknown[];
  const key = path[path.length - 1]!;
  switch (op % 5) {
    case 0:
      if (Array.isArray(parent)) parent.splice(Number(key), 1);
      else delete parent[key as string];
      break;
    case 1:
      if (!Array.isArray(parent)) parent[`x${String(key)}`] = junk;
      else parent.push(junk);
      break;
    case 2:
      (parent as Record<string | number, unknown>)[key] = junk;
      break;
    case 3: {
      const cur = (parent as Record<string | number, unknown>)[key];
      (parent as Record<string | number, unknown>)[key] = typeof cur === 'number' ? String(cur) : typeof cur === 'string' ? Number(cur) || cur.length : cur === null ? 0 : null;
      break;
    }
    default: {
      const cur = (parent as Record<string | number, unknown>)[key];
      if (typeof cur === 'string') (parent as Record<string | number, unknown>)[key] = cur + cur.repeat(300);
      else if (typeof cur === 'number') (parent as Record<string | number, unknown>)[key] = [-1, 1e308, -0, 2 ** 53 + 1, 0.5][Math.abs(Math.trunc(cur)) % 5];
    }
  }
  return v;
}

export const mutations = fc.array(fc.record({ at: fc.nat(), op: fc.nat(), junk: fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom('', -1, 1e21, null, true, [], {})) }), { minLength: 1, maxLength: 3 });
