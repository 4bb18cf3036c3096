/**
 * Seeded randomness for shuffling and batching. Anything with `next(): number` in [0, 1) works, so
 * the trainer can pass the nn `Rng`; `mulberry32(seed)` is the small generator used otherwise.
 */
export interface RandomSource {
  /** A float uniformly distributed in [0, 1). */
  next(): number;
}

/** mulberry32: a 32-bit-state PRNG (Tommy Ettinger), fast and well mixed enough for shuffling. */
export function mulberry32(seed: number): RandomSource {
  let a = seed >>> 0;
  return {
    next(): number {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    },
  };
}

/** A seed becomes a fresh mulberry32; a RandomSource is used as it is. */
export function toRandomSource(rng: RandomSource | number): RandomSource {
  return typeof rng === 'number' ? mulberry32(rng) : rng;
}

/** An integer uniformly drawn from [lo, hi] (both inclusive, like Python's random.randint). */
export function randomInt(rng: RandomSource, lo: number, hi: number): number {
  return lo + Math.min(hi - lo, Math.floor(rng.next() * (hi - lo + 1)));
}

/** Fisher–Yates shuffle in place; returns its argument. */
export function shuffleInPlace<T extends { length: number; [i: number]: unknown }>(items: T, rng: RandomSource): T {
  for (let i = items.length - 1; i > 0; i--) {
    const j = randomInt(rng, 0, i);
    const tmp = items[i];
    items[i] = items[j];
    items[j] = tmp;
  }
  return items;
}

/** 0..n-1 in a seeded random order. */
export function shuffledIndices(n: number, rng: RandomSource): Int32Array {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  return shuffleInPlace(order, rng);
}

/**
 * A well-mixed 32-bit seed for (seed, epoch) (splitmix32 finalizer over both words): each epoch's
 * shuffle is seeded from (seed, epoch) alone, never from a generator carried across epochs, so epoch
 * k's batches are the same in an uninterrupted run and in one resumed at epoch k.
 */
export function epochSeed(seed: number, epoch: number): number {
  let z = (Math.imul(seed | 0, 0x9e3779b1) ^ Math.imul(epoch | 0, 0x85ebca77)) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}
