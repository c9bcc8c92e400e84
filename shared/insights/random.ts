/**
 * A small seeded PRNG (xoshiro128**, seeded through splitmix32) so that a model trained twice on
 * the same data with the same seed is the same model, byte for byte. `Math.random` cannot be
 * seeded, and `node:crypto` is neither seedable nor cheap enough to call per tree node.
 */

export interface Random {
  /** A double in [0, 1) with 53 random bits. */
  next(): number;
  /** An integer in [0, n). */
  below(n: number): number;
}

/** splitmix32: spreads a 32-bit seed over the 128-bit state (xoshiro's state must not be all zero). */
function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

export function createRandom(seed: number): Random {
  const mix = splitmix32(seed);
  let a = mix();
  let b = mix();
  let c = mix();
  let d = mix();

  const nextUint32 = (): number => {
    const t = b << 9;
    const r = Math.imul(rotl(Math.imul(b, 5), 7), 9);
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl(d, 11);
    return r >>> 0;
  };

  const next = (): number => {
    // 27 + 26 bits: every double in [0, 1) on a 2^-53 grid is reachable, as with numpy's random().
    const hi = nextUint32() >>> 5;
    const lo = nextUint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  };

  return { next, below: (n) => Math.floor(next() * n) };
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
