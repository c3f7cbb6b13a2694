// Seeded randomness (mulberry32) so a simulator run, a fault-injection run or a failing test can be
// repeated exactly. Small and fast; never for anything secret.
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Cryptographic randomness for ids, drawn from a pooled buffer: `ulid`'s default source makes one
 * WebCrypto call per character (16 per id, ~0.2 ms of the event loop per id on the station PC).
 * Returns k/256 for a random byte k, which `ulid` maps to a Crockford character as floor(x·32) —
 * uniform over the 32 characters, as before.
 */
export function pooledCryptoRandom(poolBytes = 4096): () => number {
  const pool = new Uint8Array(poolBytes);
  let i = poolBytes;
  return () => {
    if (i === poolBytes) {
      globalThis.crypto.getRandomValues(pool);
      i = 0;
    }
    return pool[i++]! / 256;
  };
}
