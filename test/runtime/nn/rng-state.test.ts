/** Rng.getState/setState: a restored generator continues the stream exactly (uniforms, normals, forks). */
import { describe, expect, it } from 'vitest';
import { createRng } from '../../../src/runtime/nn/index.js';

describe('Rng state', () => {
  it('continues the stream exactly, with and without a pending normal', () => {
    for (const draws of [3, 4]) { // an odd number of normals leaves the second Box–Muller value cached
      const a = createRng(42);
      for (let i = 0; i < draws; i++) a.normal();
      const saved = JSON.parse(JSON.stringify(a.getState())) as number[];
      expect(saved).toHaveLength(draws % 2 === 1 ? 5 : 4);
      const b = createRng(7);
      b.setState(saved);
      const seq = (r: ReturnType<typeof createRng>) => [r.normal(), r.next(), r.int(1000), r.normal(), r.fork().next()];
      expect(seq(b)).toEqual(seq(a));
    }
  });

  it('a state taken before drawing restores the same draws again', () => {
    const r = createRng(1);
    const s = r.getState();
    const first = Array.from(r.uniformArray(8, 0, 1));
    r.setState(s);
    expect(Array.from(r.uniformArray(8, 0, 1))).toEqual(first);
  });

  it('refuses what is not a state', () => {
    const r = createRng(1);
    for (const bad of [[], [1, 2, 3], [1, 2, 3, 4, 5, 6], [1.5, 2, 3, 4], [1, 2, 3, 2 ** 40], [1, 2, 3, 4, NaN]]) {
      expect(() => r.setState(bad)).toThrow(/not a random generator state/);
    }
  });
});
