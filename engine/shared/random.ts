// A small seeded PRNG (mulberry32): the same seed gives the same rolls on every run and host.
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A whole number in [-max, max]. */
export function randomShift(random: () => number, max: number): number {
  return Math.floor(random() * (2 * max + 1)) - max;
}
