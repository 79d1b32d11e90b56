/**
 * test/fabric/sockets: SocketTable against a model (a Map per host, whose iteration order is
 * insertion order): random set / delete / get / clearHost sequences over few hosts and keys,
 * long enough that the table grows, probe runs collide and wrap, and deletes shift entries
 * back; `of` lists a host's endpoints in the order they were added.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SocketTable } from '../../src/fabric/sockets.ts';

type Op =
  | { kind: 'set'; host: number; key: number; v: number }
  | { kind: 'delete'; host: number; key: number }
  | { kind: 'get'; host: number; key: number }
  | { kind: 'clear'; host: number };

const host = fc.integer({ min: 0, max: 9 });
const key = fc.integer({ min: 0, max: 40 }).map((k) => (k % 3) * 65536 + 32768 + k);
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('set' as const), host, key, v: fc.nat(1000) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('delete' as const), host, key }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('get' as const), host, key }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('clear' as const), host }) },
);

describe('SocketTable', () => {
  it('agrees with a Map per host, order of `of` included', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 50, maxLength: 500, size: 'max' }), (ops) => {
        const t = new SocketTable<{ v: number }>(4);
        const model = new Map<number, Map<number, { v: number }>>();
        const of = (h: number) => model.get(h) ?? model.set(h, new Map()).get(h)!;
        for (const o of ops) {
          if (o.kind === 'set') {
            const value = { v: o.v };
            t.set(o.host, o.key, value);
            of(o.host).set(o.key, value);
          } else if (o.kind === 'delete') expect(t.delete(o.host, o.key)).toBe(of(o.host).delete(o.key));
          else if (o.kind === 'get') expect(t.get(o.host, o.key)).toBe(of(o.host).get(o.key));
          else {
            t.clearHost(o.host);
            of(o.host).clear();
          }
        }
        let total = 0;
        for (let h = 0; h <= 9; h++) {
          expect(t.of(h)).toEqual([...of(h).values()]);
          expect(t.countOf(h)).toBe(of(h).size);
          total += of(h).size;
        }
        expect(t.size).toBe(total);
      }),
      { numRuns: 300 },
    );
  });

  it('rejects a negative host id, and a host never seen has no endpoints', () => {
    const t = new SocketTable<object>();
    expect(() => t.set(-1, 1, {})).toThrow(RangeError);
    expect(t.of(1000)).toEqual([]);
    expect(t.countOf(1000)).toBe(0);
    t.set(1000, 5, {});
    expect(t.countOf(1000)).toBe(1);
  });
});
