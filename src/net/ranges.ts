/**
 * net/ranges: the special IPv4 ranges a VPC's gateways look at.
 *
 * Owns: RFC 1918 private space (10/8, 172.16/12, 192.168/16), which never crosses an internet
 * gateway (domain-vpc.md §4: `IGW_DESTINATION_ADDRESS_NOT_IN_RFC1918_EGRESS`; §12 inv. 7), and
 * RFC 6598 shared space (100.64/10), which Reachability Analyzer treats alike.
 * Does not own: what a gateway does with such a packet (the hops).
 */
import { cidrContains, type Cidr, type Ip } from './ipv4.ts';

export const RFC1918: readonly Cidr[] = [
  { base: 0x0a000000, prefix: 8 },
  { base: 0xac100000, prefix: 12 },
  { base: 0xc0a80000, prefix: 16 },
];

export const RFC6598: Cidr = { base: 0x64400000, prefix: 10 };

/** Whether `ip` is RFC 1918 private space. */
export function isRfc1918(ip: Ip): boolean {
  return RFC1918.some((c) => cidrContains(c, ip));
}

/** Whether `ip` is RFC 1918 or RFC 6598 space: addresses an IGW never carries. */
export function isNotInternetRoutable(ip: Ip): boolean {
  return isRfc1918(ip) || cidrContains(RFC6598, ip);
}
