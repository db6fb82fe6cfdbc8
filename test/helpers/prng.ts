/**
 * Seeded pseudo-random numbers for tests (mulberry32), so that a failing random case replays
 * exactly from its seed.
 */

/** seededUint32 returns a generator of 32-bit unsigned integers from seed. */
export function seededUint32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** seededRandom returns a generator of numbers in [0, 1) from seed, like Math.random. */
export function seededRandom(seed: number): () => number {
  const next = seededUint32(seed);
  return () => next() / 4294967296;
}
