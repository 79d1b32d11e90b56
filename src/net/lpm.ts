/**
 * net/lpm: longest-prefix match over a set of CIDR-keyed candidates.
 *
 * Owns: choosing, among candidates whose CIDR contains an address, those with the longest
 * prefix, and among them the one a caller's preference ranks first. With a preference that is a
 * total order on the candidates of one prefix, the answer does not depend on the order the
 * candidates are given in (a property test). Written plainly: a route table has tens of
 * entries; a compiled form belongs to whoever needs speed, held to this by a differential test.
 * Does not own: what a candidate means (model/vpc/routes.ts: VPC and TGW routes).
 */
import { cidrContains, type Cidr, type Ip } from './ipv4.ts';

export interface PrefixCandidate<T> {
  readonly cidr: Cidr;
  readonly value: T;
}

/**
 * The candidate for `ip`: longest prefix first, then the smallest by `prefer` (negative when
 * `a` is preferred to `b`); null when no candidate contains `ip`.
 */
export function longestPrefixMatch<T>(
  candidates: Iterable<PrefixCandidate<T>>,
  ip: Ip,
  prefer: (a: T, b: T) => number,
): PrefixCandidate<T> | null {
  let best: PrefixCandidate<T> | null = null;
  for (const c of candidates) {
    if (!cidrContains(c.cidr, ip)) continue;
    if (best === null || c.cidr.prefix > best.cidr.prefix || (c.cidr.prefix === best.cidr.prefix && prefer(c.value, best.value) < 0)) best = c;
  }
  return best;
}
