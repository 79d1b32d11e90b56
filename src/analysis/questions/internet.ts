/**
 * analysis/questions/internet: which outside addresses a rule's CIDR lets in, as senders.
 *
 * Owns: the internet a question sends from — addresses outside AWS that are not RFC 1918
 * (scenario-format-vpc.md: `internet` is non-RFC 1918 outside addresses) — and, for a CIDR,
 * one such address inside it (its representative sender), or none when the CIDR is private.
 */
import { formatCidr, type Cidr, type Ip } from '../../net/ipv4.ts';

const RFC1918: readonly (readonly [Ip, Ip])[] = [
  [0x0a000000, 0x0affffff],
  [0xac100000, 0xac1fffff],
  [0xc0a80000, 0xc0a8ffff],
];

export function isRfc1918(ip: Ip): boolean {
  return RFC1918.some(([lo, hi]) => ip >= lo && ip <= hi);
}

/** The first internet (non-RFC 1918, not 0.x) address in `cidr`, or null. */
export function internetAddressIn(cidr: Cidr): Ip | null {
  const size = 2 ** (32 - cidr.prefix);
  const lo = cidr.base >>> 0;
  const hi = lo + size - 1;
  let a = lo < 0x01000000 ? 0x01000001 : lo; // 0.0.0.0/8 names no host
  for (;;) {
    if (a > hi) return null;
    const block = RFC1918.find(([b0, b1]) => a >= b0 && a <= b1);
    if (!block) return a;
    a = block[1] + 1;
  }
}

/**
 * An internet sender inside `cidr` that no host of the world holds (`held`): an address an
 * AWS host holds cannot be a sender outside AWS (its answers would go to the holder). Tries
 * the first internet addresses of the CIDR; null when none is free.
 */
export function freeInternetAddressIn(cidr: Cidr, held: (ip: Ip) => boolean): Ip | null {
  const first = internetAddressIn(cidr);
  if (first === null) return null;
  const hi = (cidr.base >>> 0) + 2 ** (32 - cidr.prefix) - 1;
  for (let a = first, tries = 0; a <= hi && tries < 1024; a++, tries++) {
    if (isRfc1918(a)) continue;
    if (!held(a)) return a;
  }
  return null;
}

export const EVERYWHERE = '0.0.0.0/0';

export function isEverywhere(cidr: Cidr): boolean {
  return cidr.prefix === 0;
}

export { formatCidr };
