/**
 * test/net/lpm: longest-prefix match — the longest containing prefix wins, the preference breaks
 * ties among equal prefixes, nothing containing the address gives null, and the answer does not
 * depend on the candidates' order (a property, against a brute-force reference).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { longestPrefixMatch, type PrefixCandidate } from '../../src/net/lpm.ts';
import { cidrContains, maskOf, type Cidr } from '../../src/net/ipv4.ts';

const c = (base: number, prefix: number): Cidr => ({ base: (base & maskOf(prefix)) >>> 0, prefix });
const byValue = (a: number, b: number): number => a - b;

describe('longestPrefixMatch', () => {
  it('picks the longest prefix containing the address', () => {
    const cands: PrefixCandidate<number>[] = [
      { cidr: c(0, 0), value: 1 },
      { cidr: c(0x0a000000, 8), value: 2 },
      { cidr: c(0x0a010000, 16), value: 3 },
    ];
    expect(longestPrefixMatch(cands, 0x0a010203, byValue)?.value).toBe(3);
    expect(longestPrefixMatch(cands, 0x0a020203, byValue)?.value).toBe(2);
    expect(longestPrefixMatch(cands, 0x08080808, byValue)?.value).toBe(1);
  });
  it('gives null when no prefix contains the address', () => {
    expect(longestPrefixMatch([{ cidr: c(0x0a000000, 8), value: 1 }], 0x0b000000, byValue)).toBeNull();
  });
  it('breaks ties among equal prefixes by the preference', () => {
    const cands = [{ cidr: c(0x0a000000, 8), value: 5 }, { cidr: c(0x0a000000, 8), value: 4 }];
    expect(longestPrefixMatch(cands, 0x0a000001, byValue)?.value).toBe(4);
  });
});

const arbCands = fc.array(
  fc.record({ base: fc.integer({ min: 0, max: 0xffffffff }), prefix: fc.integer({ min: 0, max: 32 }), value: fc.integer({ min: 0, max: 1000 }) }),
  { maxLength: 12 },
).map((xs) => {
  // distinct values make the preference a total order
  const seen = new Set<number>();
  return xs.filter((x) => (seen.has(x.value) ? false : (seen.add(x.value), true))).map((x) => ({ cidr: c(x.base, x.prefix), value: x.value }));
});

describe('longestPrefixMatch properties', () => {
  it('agrees with a brute-force reference and with any order of the candidates', () => {
    fc.assert(
      fc.property(arbCands.chain((cs) => fc.tuple(fc.constant(cs), fc.shuffledSubarray(cs, { minLength: cs.length, maxLength: cs.length }))), fc.integer({ min: 0, max: 0xffffffff }), ([cands, shuffled], seedAddr) => {
        // an address inside one of the candidates half the time
        const ip = cands.length > 0 && (seedAddr & 1) === 0 ? (cands[seedAddr % cands.length].cidr.base | (seedAddr & ~maskOf(cands[seedAddr % cands.length].cidr.prefix))) >>> 0 : seedAddr >>> 0;
        const containing = cands.filter((x) => cidrContains(x.cidr, ip));
        const longest = Math.max(-1, ...containing.map((x) => x.cidr.prefix));
        const expected = containing.filter((x) => x.cidr.prefix === longest).sort((a, b) => a.value - b.value)[0] ?? null;
        expect(longestPrefixMatch(cands, ip, byValue)).toEqual(expected);
        expect(longestPrefixMatch(shuffled, ip, byValue)).toEqual(expected);
      }),
    );
  });
});
