/** portableExp/Log/Pow: close to Math's (a few ulps), and made of IEEE arithmetic only. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { portableExp, portableLog, portablePow } from '../../../src/runtime/search/portable-math.js';

const ulps = (a: number, b: number) => Math.abs(a - b) / (Math.abs(b) * Number.EPSILON);

describe('portable math', () => {
  it('exp is within 2 ulps of Math.exp on [-700, 700]', () => {
    fc.assert(fc.property(fc.double({ min: -700, max: 700, noNaN: true }), (y) => {
      expect(ulps(portableExp(y), Math.exp(y))).toBeLessThanOrEqual(2);
    }), { numRuns: 50_000 });
  });

  it('log is within 2 ulps of Math.log (absolute near 1)', () => {
    fc.assert(fc.property(fc.double({ min: 1e-300, max: 1e300, noNaN: true }), (x) => {
      const want = Math.log(x);
      expect(Math.abs(portableLog(x) - want)).toBeLessThanOrEqual(2 * Number.EPSILON * Math.max(1, Math.abs(want)));
    }), { numRuns: 5000 });
  });

  it('pow of lengths is within 2 + |a·ln L| ulps of Math.pow (the exponent\'s rounding, amplified); exact at a = 0 and a = 1', () => {
    for (let L = 1; L <= 2000; L++) {
      for (const a of [0.25, 0.5, 0.6, 0.75, 1.5, 2]) expect(ulps(portablePow(L, a), Math.pow(L, a))).toBeLessThanOrEqual(2 + Math.abs(a * Math.log(L)));
      expect(portablePow(L, 0)).toBe(1);
      expect(portablePow(L, 1)).toBe(L);
    }
  });

  it('edges: exp overflow and underflow, log of 0 and negatives', () => {
    expect(portableExp(710)).toBe(Infinity);
    expect(portableExp(-746)).toBe(0);
    expect(portableExp(0)).toBe(1);
    expect(portableLog(0)).toBe(-Infinity);
    expect(portableLog(-1)).toBeNaN();
    expect(portableLog(1)).toBe(0);
  });
});
