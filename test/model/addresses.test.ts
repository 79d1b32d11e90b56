/**
 * test/model/addresses: the keyed 24-bit permutation, the seed hash, and drawing addresses
 * (pool range, .0/.255 and reserved skipped, counter semantics, determinism by seed).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  PRIVATE_POOL_BASE,
  PUBLIC_POOL_BASE,
  drawAddress,
  hashString,
  newPools,
  permute24,
} from '../../src/model/addresses.ts';
import { cidrContains, formatIp } from '../../src/net/ipv4.ts';

const NONE = new Set<number>();

/** Draws `count` addresses in sequence from a pool. */
function drawMany(base: number, key: number, count: number, reserved: ReadonlySet<number> = NONE): number[] {
  const out: number[] = [];
  let counter = 0;
  for (let i = 0; i < count; i++) {
    const d = drawAddress(base, counter, key, reserved);
    out.push(d.ip);
    counter = d.next;
  }
  return out;
}

describe('hashString (FNV-1a, 32 bit)', () => {
  it('matches the published FNV-1a test vectors', () => {
    expect(hashString('')).toBe(0x811c9dc5);
    expect(hashString('a')).toBe(0xe40c292c);
    expect(hashString('foobar')).toBe(0xbf9cf968);
  });

  it('is unsigned', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const h = hashString(s);
        expect(Number.isInteger(h) && h >= 0 && h <= 0xffffffff).toBe(true);
      }),
    );
  });
});

describe('permute24', () => {
  it('is a bijection of [0, 2^24) (checked exhaustively for one key)', { timeout: 30_000 }, () => {
    for (const key of [hashString('seed')]) {
      const seen = new Uint8Array(1 << 24);
      for (let n = 0; n < 1 << 24; n++) {
        const x = permute24(n, key);
        if (x < 0 || x >= 1 << 24 || seen[x]) throw new Error(`permute24 not a bijection for key ${key}: n=${n} -> ${x}`);
        seen[x] = 1;
      }
    }
  });

  it('maps a random sample of distinct inputs to distinct outputs in range (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.uniqueArray(fc.integer({ min: 0, max: (1 << 24) - 1 }), { minLength: 2, maxLength: 200 }),
        (key, ns) => {
          const out = ns.map((n) => permute24(n, key));
          for (const x of out) expect(x >= 0 && x < 1 << 24).toBe(true);
          expect(new Set(out).size).toBe(ns.length);
        },
      ),
    );
  });

  it('depends on the key', () => {
    const a = Array.from({ length: 16 }, (_, n) => permute24(n, hashString('a')));
    const b = Array.from({ length: 16 }, (_, n) => permute24(n, hashString('b')));
    expect(a).not.toEqual(b);
  });
});

describe('newPools', () => {
  it('keys the pools by the seed hash and starts both counters at 0', () => {
    expect(newPools('abc')).toEqual({ key: hashString('abc'), nextPrivate: 0, nextPublic: 0 });
  });
});

describe('drawAddress', () => {
  const key = hashString('test-seed');

  it('returns base + permute24(counter) and counter + 1 when that address is usable', () => {
    // Find a counter whose candidate is usable and check the exact result.
    let n = 0;
    while (((PRIVATE_POOL_BASE + permute24(n, key)) & 255) % 255 === 0) n++;
    expect(drawAddress(PRIVATE_POOL_BASE, n, key, NONE)).toEqual({ ip: PRIVATE_POOL_BASE + permute24(n, key), next: n + 1 });
  });

  it('skips candidates ending in .0 or .255 and returns the first usable one after them', () => {
    // Find counters whose raw candidates end in .0 and .255.
    const skipped: number[] = [];
    for (let n = 0; skipped.length < 4 && n < 1 << 20; n++) {
      const last = permute24(n, key) & 255;
      if (last === 0 || last === 255) skipped.push(n);
    }
    expect(skipped.length).toBe(4);
    for (const n of skipped) {
      const d = drawAddress(PRIVATE_POOL_BASE, n, key, NONE);
      let m = n;
      while ((permute24(m, key) & 255) === 0 || (permute24(m, key) & 255) === 255) m++;
      expect(m).toBeGreaterThan(n);
      expect(d).toEqual({ ip: PRIVATE_POOL_BASE + permute24(m, key), next: m + 1 });
    }
  });

  it('never hands out .0 or .255 in 20,000 draws, never repeats, and stays in 10.0.0.0/8', () => {
    const ips = drawMany(PRIVATE_POOL_BASE, key, 20_000);
    expect(new Set(ips).size).toBe(20_000);
    for (const ip of ips) {
      const last = ip & 255;
      if (last === 0 || last === 255) throw new Error(`drew ${formatIp(ip)}`);
      if (!cidrContains({ base: 0x0a000000, prefix: 8 }, ip)) throw new Error(`drew ${formatIp(ip)} outside 10/8`);
    }
  });

  it('draws public addresses inside 54.0.0.0/8', () => {
    for (const ip of drawMany(PUBLIC_POOL_BASE, key ^ 0x5bd1e995, 2000)) {
      expect(cidrContains({ base: 0x36000000, prefix: 8 }, ip)).toBe(true);
    }
  });

  it('skips reserved addresses and only those', () => {
    const plain = drawMany(PRIVATE_POOL_BASE, key, 10);
    const reserved = new Set([plain[0], plain[3], plain[4]]);
    const withReserved = drawMany(PRIVATE_POOL_BASE, key, 7, reserved);
    expect(withReserved).toEqual([plain[1], plain[2], plain[5], plain[6], plain[7], plain[8], plain[9]]);
  });

  it('the counter advances past reserved candidates too', () => {
    const first = drawAddress(PRIVATE_POOL_BASE, 0, key, NONE);
    const second = drawAddress(PRIVATE_POOL_BASE, first.next, key, NONE);
    const skipping = drawAddress(PRIVATE_POOL_BASE, 0, key, new Set([first.ip]));
    expect(skipping).toEqual(second);
  });

  it('is deterministic by seed: same seed same sequence, different seed different sequence', () => {
    const a1 = drawMany(PRIVATE_POOL_BASE, hashString('alpha'), 50);
    const a2 = drawMany(PRIVATE_POOL_BASE, hashString('alpha'), 50);
    const b = drawMany(PRIVATE_POOL_BASE, hashString('beta'), 50);
    expect(a1).toEqual(a2);
    expect(a1).not.toEqual(b);
  });

  it('throws RangeError once the pool is exhausted', () => {
    expect(() => drawAddress(PRIVATE_POOL_BASE, 1 << 24, key, NONE)).toThrow(RangeError);
    expect(() => drawAddress(PRIVATE_POOL_BASE, 1 << 24, key, NONE)).toThrow('address pool exhausted');
  });
});
