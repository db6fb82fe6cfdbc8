/**
 * Seeded pseudo-random numbers for the fuzzer, so that a run is reproduced from its seed alone.
 */

/** Rng is a small, fast, seedable generator (sfc32 seeded through splitmix32). */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** Rng's constructor seeds the generator from one or more 32-bit integers. */
  constructor(...seed: number[]) {
    let s = 0x9e3779b9;
    const next = (): number => {
      s = (s + 0x9e3779b9) | 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    for (const x of seed) {
      s = (s ^ Math.imul(x | 0, 0x27d4eb2d)) | 0;
      next();
    }
    this.a = next(); this.b = next(); this.c = next(); this.d = next();
    for (let i = 0; i < 12; i++) this.u32();
  }

  /** u32 returns a uniform 32-bit unsigned integer. */
  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** int returns a uniform integer in [0, n); n must be positive. */
  int(n: number): number {
    return Math.floor((this.u32() / 0x1_0000_0000) * n);
  }

  /** range returns a uniform integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  /** chance returns true with probability p. */
  chance(p: number): boolean {
    return this.u32() / 0x1_0000_0000 < p;
  }

  /** pick returns a uniform element of a non-empty list. */
  pick<T>(list: readonly T[]): T {
    return list[this.int(list.length)]!;
  }
}

/** randomSeed returns a fresh 32-bit seed for a run that was not given one. */
export function randomSeed(): number {
  return (Math.random() * 0x1_0000_0000) >>> 0;
}
