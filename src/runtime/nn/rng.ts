/**
 * A seeded, deterministic random generator (sfc32, seeded through splitmix32): parameter init,
 * dropout masks and shuffling all draw from it, so the same seed gives the same run on every backend.
 * Its state can be saved and restored (`getState`/`setState`), for exact resume of a training run.
 */
import { UserError } from '../../errors.js';

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number;
  /** Standard normal N(0, 1). */
  normal(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Shuffles `items` in place (Fisher–Yates) and returns it. */
  shuffle<T>(items: T[]): T[];
  /** n uniforms in [lo, hi) as float32. */
  uniformArray(n: number, lo: number, hi: number): Float32Array;
  /** n standard normals as float32. */
  normalArray(n: number): Float32Array;
  /** An independent generator derived from this one's next draws (for a separate stream, e.g. dropout). */
  fork(): Rng;
  /**
   * The generator's full state as plain numbers (JSON-safe): sfc32's four words, plus the cached
   * second Box–Muller normal when one is pending. `setState` of it continues the stream exactly.
   */
  getState(): number[];
  /** Restores a state from `getState` (of any generator); throws on anything else. */
  setState(state: readonly number[]): void;
}

/** splitmix32: spreads a seed into well-mixed 32-bit words. */
function splitmix32(state: { s: number }): number {
  state.s = (state.s + 0x9e3779b9) | 0;
  let z = state.s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

class Sfc32 implements Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spareNormal: number | null = null;

  constructor(seedWords: [number, number, number, number]) {
    [this.a, this.b, this.c, this.d] = seedWords;
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  next(): number {
    return this.nextUint32() / 4294967296;
  }

  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  normal(): number {
    if (this.spareNormal !== null) {
      const z = this.spareNormal;
      this.spareNormal = null;
      return z;
    }
    // Box–Muller; 1 - next() is in (0, 1], so the log is finite.
    const u = 1 - this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [items[i], items[j]] = [items[j]!, items[i]!];
    }
    return items;
  }

  uniformArray(n: number, lo: number, hi: number): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = this.uniform(lo, hi);
    return out;
  }

  normalArray(n: number): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = this.normal();
    return out;
  }

  fork(): Rng {
    return new Sfc32([this.nextUint32(), this.nextUint32(), this.nextUint32(), this.nextUint32()]);
  }

  getState(): number[] {
    const words = [this.a, this.b, this.c, this.d];
    return this.spareNormal === null ? words : [...words, this.spareNormal];
  }

  setState(state: readonly number[]): void {
    const words = state.slice(0, 4);
    const valid = (state.length === 4 || state.length === 5)
      && words.every((w) => Number.isInteger(w) && w >= -0x80000000 && w <= 0xffffffff)
      && (state.length === 4 || Number.isFinite(state[4]));
    if (!valid) {
      throw new UserError(`not a random generator state: expected 4 int32 words and an optional normal, got [${state.join(', ')}]`);
    }
    [this.a, this.b, this.c, this.d] = words as [number, number, number, number];
    this.spareNormal = state.length === 5 ? state[4]! : null;
  }
}

/** A generator for `seed` (any finite number; non-integers are truncated). */
export function createRng(seed: number): Rng {
  const state = { s: Math.trunc(seed) | 0 };
  return new Sfc32([splitmix32(state), splitmix32(state), splitmix32(state), splitmix32(state)]);
}
