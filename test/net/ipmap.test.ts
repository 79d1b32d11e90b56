/**
 * test/net/ipmap: IpMap against a Map model (random set / delete / get sequences over a small
 * address space, so probe runs collide, wrap around the end and shift back on delete), and
 * addresses above 2^31.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { IpMap } from '../../src/net/ipmap.ts';

describe('IpMap', () => {
  it('answers -1 for a missing address and keeps addresses above 2^31 apart from their int32 twins', () => {
    const m = new IpMap();
    expect(m.get(1)).toBe(-1);
    m.set(0xc0a80101, 7);
    m.set(0x40a80101, 8);
    expect(m.get(0xc0a80101)).toBe(7);
    expect(m.get(0xc0a80101 | 0)).toBe(7); // the same address written as a signed int
    expect(m.get(0x40a80101)).toBe(8);
    expect(m.size).toBe(2);
    expect(m.delete(0xc0a80101)).toBe(true);
    expect(m.delete(0xc0a80101)).toBe(false);
    expect(m.get(0xc0a80101)).toBe(-1);
    expect(() => m.set(1, -1)).toThrow(RangeError);
  });

  it('agrees with a Map under random sets, deletes and gets (growth, collisions, backward shift)', () => {
    const op = fc.oneof(
      { weight: 3, arbitrary: fc.record({ kind: fc.constant('set' as const), ip: fc.integer({ min: 0, max: 300 }), v: fc.integer({ min: 0, max: 1000 }) }) },
      { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), ip: fc.integer({ min: 0, max: 300 }) }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('get' as const), ip: fc.integer({ min: 0, max: 300 }) }) },
    );
    fc.assert(
      fc.property(fc.array(op, { minLength: 50, maxLength: 400, size: 'max' }), fc.boolean(), (ops, spread) => {
        const m = new IpMap(4);
        const model = new Map<number, number>();
        // spread: addresses far apart (high bits differ); else dense, neighbouring addresses
        const addr = (ip: number) => (spread ? Math.imul(ip, 0x01000193) >>> 0 : ip);
        for (const o of ops) {
          const a = addr(o.ip);
          if (o.kind === 'set') {
            m.set(a, o.v);
            model.set(a, o.v);
          } else if (o.kind === 'delete') expect(m.delete(a)).toBe(model.delete(a));
          else expect(m.get(a)).toBe(model.get(a) ?? -1);
        }
        expect(m.size).toBe(model.size);
        for (let ip = 0; ip <= 300; ip++) expect(m.get(addr(ip))).toBe(model.get(addr(ip)) ?? -1);
      }),
      { numRuns: 300 },
    );
  });
});
