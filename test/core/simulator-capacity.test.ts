/**
 * The kernel holds more than 2^22 pending events (a send of that many datagrams crashed with
 * "more than 4194304 events pending at once"), and its EventIds still tell a pending event
 * from an earlier one of the same slot.
 */
import { describe, expect, it } from 'vitest';
import { Simulator } from '../../src/core/simulator.ts';

describe('capacity', () => {
  it('runs 2^22 + 1000 events pending at once, in time order', () => {
    const n = 2 ** 22 + 1000;
    const sim = new Simulator();
    let last = -1;
    let ordered = true;
    let ran = 0;
    const h = (a: number): void => {
      if (a < last) ordered = false;
      last = a;
      ran++;
    };
    for (let i = 0; i < n; i++) sim.at(n - i, h, n - i);
    expect(sim.pending).toBe(n);
    sim.run();
    expect([ran, ordered]).toEqual([n, true]);
  }, 60_000);

  it('an id whose event ran cancels nothing, after its slot is reused past the old growth limit', () => {
    const sim = new Simulator({ capacity: 16 });
    const ids: number[] = [];
    for (let i = 0; i < 5000; i++) ids.push(sim.at(1, () => undefined));
    sim.run();
    const fired: number[] = [];
    for (let i = 0; i < 5000; i++) sim.at(2, (a) => fired.push(a), i);
    for (const id of ids) expect(sim.cancel(id)).toBe(false);
    sim.run();
    expect(fired).toHaveLength(5000);
  });
});
