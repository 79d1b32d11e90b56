/**
 * test/net/ipv4: dotted-quad and CIDR parsing, masks, containment at the prefix-length edges,
 * and the formatIp / parseIp round trip (fast-check).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  CLASSIC_PRIVATE,
  cidrContains,
  formatCidr,
  formatIp,
  isClassicPrivate,
  maskOf,
  parseCidr,
  parseIp,
} from '../../src/net/ipv4.ts';
import type { Cidr } from '../../src/net/ipv4.ts';

/** Parses a CIDR the test knows is valid. */
function cidr(text: string): Cidr {
  const c = parseCidr(text);
  if ('error' in c) throw new Error(c.error);
  return c;
}

/** Parses an address the test knows is valid. */
function ip(text: string): number {
  const v = parseIp(text);
  if (typeof v !== 'number') throw new Error(v.error);
  return v;
}

/** Reference containment by arithmetic (no bit operations): same top `prefix` bits. */
function containsByDivision(c: Cidr, addr: number): boolean {
  const size = 2 ** (32 - c.prefix);
  return Math.floor(addr / size) === Math.floor(c.base / size);
}

const uint32 = fc.integer({ min: 0, max: 0xffffffff });

describe('parseIp', () => {
  it.each([
    ['0.0.0.0', 0],
    ['255.255.255.255', 0xffffffff],
    ['1.2.3.4', 0x01020304],
    ['10.0.0.1', 0x0a000001],
    ['128.0.0.0', 0x80000000],
    ['192.168.1.254', 0xc0a801fe],
  ])('parses %s as %d (unsigned)', (text, value) => {
    expect(parseIp(text)).toBe(value);
  });

  it.each([
    '',
    '1.2.3',
    '1.2.3.4.5',
    '256.1.1.1',
    '1.2.3.256',
    '-1.2.3.4',
    '01.2.3.4',
    '1.2.3.04',
    '00.0.0.0',
    ' 1.2.3.4',
    '1.2.3.4 ',
    '1..2.3',
    '0x1.2.3.4',
    '1.2.3.4/8',
    'a.b.c.d',
  ])('rejects %j with an error that quotes the input', (text) => {
    const r = parseIp(text);
    expect(typeof r).toBe('object');
    expect((r as { error: string }).error.startsWith(`"${text}" is not an IPv4 address`)).toBe(true);
  });

  it('round-trips formatIp(parseIp(s)) for every canonical dotted quad (property)', () => {
    fc.assert(
      fc.property(fc.ipV4(), (s) => {
        expect(formatIp(ip(s))).toBe(s);
      }),
      { numRuns: 1000 },
    );
  });

  it('round-trips parseIp(formatIp(n)) for every uint32 (property)', () => {
    fc.assert(
      fc.property(uint32, (n) => {
        expect(parseIp(formatIp(n))).toBe(n);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('formatIp', () => {
  it('formats the edges and a mid value', () => {
    expect(formatIp(0)).toBe('0.0.0.0');
    expect(formatIp(0xffffffff)).toBe('255.255.255.255');
    expect(formatIp(0x80000000)).toBe('128.0.0.0');
    expect(formatIp(0x0a0b0c0d)).toBe('10.11.12.13');
  });

  it('formatCidr prints base/prefix', () => {
    expect(formatCidr({ base: 0x0a000000, prefix: 8 })).toBe('10.0.0.0/8');
    expect(formatCidr({ base: 0, prefix: 0 })).toBe('0.0.0.0/0');
  });
});

describe('parseCidr', () => {
  it.each([
    ['0.0.0.0/0', 0, 0],
    ['128.0.0.0/1', 0x80000000, 1],
    ['0.0.0.0/1', 0, 1],
    ['10.0.0.0/8', 0x0a000000, 8],
    ['192.168.0.0/16', 0xc0a80000, 16],
    ['1.2.3.4/31', 0x01020304, 31],
    ['1.2.3.5/32', 0x01020305, 32],
    ['255.255.255.255/32', 0xffffffff, 32],
    ['255.255.255.254/31', 0xfffffffe, 31],
  ])('parses %s as base %d prefix %d', (text, base, prefix) => {
    expect(parseCidr(text)).toEqual({ base, prefix });
  });

  it.each([
    ['10.0.0.1/8', '10.0.0.0/8'],
    ['1.2.3.5/31', '1.2.3.4/31'],
    ['0.0.0.1/0', '0.0.0.0/0'],
    ['255.255.255.255/1', '128.0.0.0/1'],
    ['127.255.255.255/1', '0.0.0.0/1'],
    ['192.168.1.77/24', '192.168.1.0/24'],
  ])('rejects %s (host bits set) and suggests %s', (text, suggestion) => {
    expect(parseCidr(text)).toEqual({
      error: `"${text}" is not a CIDR block: host bits are set (did you mean ${suggestion}?)`,
    });
  });

  it.each(['1.2.3.4/33', '1.2.3.4/-1', '1.2.3.4/', '1.2.3.4/x', '1.2.3.4/008', '1.2.3.4/ 8'])(
    'rejects %s: the prefix length must be 0 to 32',
    (text) => {
      expect(parseCidr(text)).toEqual({ error: `"${text}" is not a CIDR block: the prefix length must be 0 to 32` });
    },
  );

  it('rejects text without a slash', () => {
    expect(parseCidr('10.0.0.0')).toEqual({ error: '"10.0.0.0" is not a CIDR block (expected a.b.c.d/n)' });
  });

  it('rejects a bad address part, carrying the address error', () => {
    const r = parseCidr('300.0.0.0/8');
    expect('error' in r && r.error.startsWith('"300.0.0.0/8" is not a CIDR block: "300.0.0.0" is not an IPv4 address')).toBe(
      true,
    );
  });

  it('accepts every masked address at every prefix length, and rejects it with host bits (property)', () => {
    fc.assert(
      fc.property(uint32, fc.integer({ min: 0, max: 32 }), (addr, prefix) => {
        const base = (addr & maskOf(prefix)) >>> 0;
        expect(parseCidr(`${formatIp(base)}/${prefix}`)).toEqual({ base, prefix });
        if (base !== addr) {
          expect(parseCidr(`${formatIp(addr)}/${prefix}`)).toEqual({
            error: `"${formatIp(addr)}/${prefix}" is not a CIDR block: host bits are set (did you mean ${formatIp(base)}/${prefix}?)`,
          });
        }
      }),
      { numRuns: 1000 },
    );
  });
});

describe('maskOf', () => {
  it.each([
    [0, 0],
    [1, 0x80000000],
    [8, 0xff000000],
    [16, 0xffff0000],
    [24, 0xffffff00],
    [31, 0xfffffffe],
    [32, 0xffffffff],
  ])('maskOf(%d) = %d', (prefix, mask) => {
    expect(maskOf(prefix)).toBe(mask);
  });

  it('is unsigned and has exactly `prefix` leading ones for every prefix', () => {
    for (let p = 0; p <= 32; p++) {
      const m = maskOf(p);
      expect(m).toBeGreaterThanOrEqual(0);
      expect(m).toBe(2 ** 32 - 2 ** (32 - p));
    }
  });
});

describe('cidrContains', () => {
  it('/0 contains every address, both ends included', () => {
    const all = cidr('0.0.0.0/0');
    expect(cidrContains(all, 0)).toBe(true);
    expect(cidrContains(all, 0xffffffff)).toBe(true);
    expect(cidrContains(all, 0x7fffffff)).toBe(true);
    expect(cidrContains(all, 0x80000000)).toBe(true);
  });

  it('/1 splits at 128.0.0.0', () => {
    const high = cidr('128.0.0.0/1');
    const low = cidr('0.0.0.0/1');
    expect(cidrContains(high, 0x80000000)).toBe(true);
    expect(cidrContains(high, 0xffffffff)).toBe(true);
    expect(cidrContains(high, 0x7fffffff)).toBe(false);
    expect(cidrContains(high, 0)).toBe(false);
    expect(cidrContains(low, 0)).toBe(true);
    expect(cidrContains(low, 0x7fffffff)).toBe(true);
    expect(cidrContains(low, 0x80000000)).toBe(false);
  });

  it('/31 holds exactly two addresses', () => {
    const c = cidr('1.2.3.4/31');
    expect([3, 4, 5, 6].map((d) => cidrContains(c, 0x01020300 + d))).toEqual([false, true, true, false]);
    const top = cidr('255.255.255.254/31');
    expect(cidrContains(top, 0xfffffffe)).toBe(true);
    expect(cidrContains(top, 0xffffffff)).toBe(true);
    expect(cidrContains(top, 0xfffffffd)).toBe(false);
  });

  it('/32 holds exactly its address, including 255.255.255.255 and 0.0.0.0', () => {
    const c = cidr('1.2.3.5/32');
    expect([4, 5, 6].map((d) => cidrContains(c, 0x01020300 + d))).toEqual([false, true, false]);
    expect(cidrContains(cidr('255.255.255.255/32'), 0xffffffff)).toBe(true);
    expect(cidrContains(cidr('255.255.255.255/32'), 0xfffffffe)).toBe(false);
    expect(cidrContains(cidr('0.0.0.0/32'), 0)).toBe(true);
    expect(cidrContains(cidr('0.0.0.0/32'), 1)).toBe(false);
  });

  it('agrees with arithmetic containment for every prefix length (property)', () => {
    fc.assert(
      fc.property(uint32, uint32, fc.integer({ min: 0, max: 32 }), (a, b, prefix) => {
        const c = { base: (a & maskOf(prefix)) >>> 0, prefix };
        expect(cidrContains(c, b)).toBe(containsByDivision(c, b));
        expect(cidrContains(c, a)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('isClassicPrivate', () => {
  it('is 10.0.0.0/8 exactly', () => {
    expect(CLASSIC_PRIVATE).toEqual({ base: 0x0a000000, prefix: 8 });
    expect(isClassicPrivate(ip('10.0.0.0'))).toBe(true);
    expect(isClassicPrivate(ip('10.255.255.255'))).toBe(true);
    expect(isClassicPrivate(ip('9.255.255.255'))).toBe(false);
    expect(isClassicPrivate(ip('11.0.0.0'))).toBe(false);
    expect(isClassicPrivate(ip('172.16.0.1'))).toBe(false);
    expect(isClassicPrivate(ip('192.168.0.1'))).toBe(false);
  });
});
