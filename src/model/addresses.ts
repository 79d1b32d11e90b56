/**
 * model/addresses: deterministic address assignment.
 *
 * Owns: choosing the private IP (10.0.0.0/8) and dynamic public IP an instance gets when it is
 * launched or started without declared addresses. The n-th address of each pool is a keyed
 * bijection of n over 24 bits, so addresses look random, depend only on the seed and on how
 * many were handed out before, never repeat (a released address is never handed out again:
 * domain.md §4, "both differ from the ones released") and need no set of used addresses.
 * Addresses a scenario declares anywhere are reserved up front and skipped.
 * Does not own: which instance holds what (model/world.ts).
 */
import type { Ip } from '../net/ipv4.ts';

/** Private pool: 10.0.0.0/8. Public pool: 54.0.0.0/8 (an EC2 public range). */
export const PRIVATE_POOL_BASE = 0x0a000000;
export const PUBLIC_POOL_BASE = 0x36000000;

const MASK24 = 0xffffff;

/** A 32-bit hash of a string (FNV-1a), for keying the pools from the seed. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A bijection of [0, 2^24) keyed by `key`: add, xorshift and odd multiplications mod 2^24. */
export function permute24(n: number, key: number): number {
  let x = (n + key) & MASK24;
  x ^= x >>> 12;
  x = Math.imul(x, 0x2c1b3d) & MASK24; // odd: invertible mod 2^24
  x ^= x >>> 11;
  x = (x + (key >>> 8)) & MASK24;
  x = Math.imul(x, 0x9e3779) & MASK24 | 0; // 0x9e3779 is odd
  x ^= x >>> 13;
  return x & MASK24;
}

export interface AddressPools {
  readonly key: number;
  /** How many candidates of each pool have been drawn. */
  readonly nextPrivate: number;
  readonly nextPublic: number;
}

export function newPools(seed: string): AddressPools {
  return { key: hashString(seed), nextPrivate: 0, nextPublic: 0 };
}

/** Whether an address is usable as a host address (not .0 or .255 in its /24). */
function usable(ip: Ip): boolean {
  const last = ip & 255;
  return last !== 0 && last !== 255;
}

/**
 * Draws the next address of a pool, skipping reserved ones.
 * Returns the address and the new counter.
 */
export function drawAddress(
  base: number,
  counter: number,
  key: number,
  reserved: ReadonlySet<Ip>,
): { ip: Ip; next: number } {
  for (let n = counter; n < 1 << 24; n++) {
    const ip = (base + permute24(n, key)) >>> 0;
    if (usable(ip) && !reserved.has(ip)) return { ip, next: n + 1 };
  }
  throw new RangeError('address pool exhausted (2^24 addresses handed out)');
}
