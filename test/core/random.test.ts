/**
 * test/core/random: keyed draws (core/random.ts keyedUniform): a pure function of key and
 * counters, in [0, 1), spread evenly, and different for neighbouring keys and counters.
 */
import { describe, expect, it } from 'vitest';
import { keyedUniform } from '../../src/core/random.ts';

describe('keyedUniform', () => {
  it('depends on its arguments alone', () => {
    expect(keyedUniform(7, 3, 9)).toBe(keyedUniform(7, 3, 9));
    expect(keyedUniform(7, 3, 9)).not.toBe(keyedUniform(8, 3, 9));
    expect(keyedUniform(7, 3, 9)).not.toBe(keyedUniform(7, 4, 9));
    expect(keyedUniform(7, 3, 9)).not.toBe(keyedUniform(7, 3, 10));
    expect(keyedUniform(7, 3, 9)).not.toBe(keyedUniform(7, 9, 3));
  });

  it('is in [0, 1) and spread evenly over consecutive counters', () => {
    const bins = new Array(10).fill(0);
    let sum = 0;
    const n = 100_000;
    for (let i = 0; i < n; i++) {
      const u = keyedUniform(0x12345678, i % 100, Math.floor(i / 100));
      expect(u >= 0 && u < 1).toBe(true);
      bins[Math.floor(u * 10)]++;
      sum += u;
    }
    expect(Math.abs(sum / n - 0.5)).toBeLessThan(0.01);
    for (const b of bins) expect(Math.abs(b - n / 10)).toBeLessThan(n / 100);
  });
});
