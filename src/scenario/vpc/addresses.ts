/**
 * scenario/vpc/addresses: who holds which address, checked as it is claimed.
 *
 * Owns: a private address inside its subnet and not one of the five AWS reserves (network,
 * +1 router, +2 DNS, +3, the last); duplicate private addresses keyed by VPC (VPC blocks may
 * overlap across VPCs); public addresses (Elastic IPs, public IPs, NAT gateways' EIPs,
 * internet hosts) held once in the whole scenario and never RFC 1918 or special-purpose.
 * Does not own: which fields hold addresses (hosts.ts, network.ts, the timeline).
 */
import { formatPath } from '../diagnostics.ts';
import { cidrContains, formatCidr, formatIp, maskOf, type Cidr, type Ip } from '../../net/ipv4.ts';
import type { Path } from './checker.ts';
import type { Claim, Ctx, SubnetInfo } from './context.ts';
import { notPublic } from './vocabulary.ts';

export function subnetSize(cidr: Cidr): number {
  return 2 ** (32 - cidr.prefix);
}

export function lastAddress(cidr: Cidr): Ip {
  return (cidr.base | ~maskOf(cidr.prefix)) >>> 0;
}

/** Why `ip` cannot be assigned in `subnet`, if it cannot. */
export function subnetAddressProblem(ip: Ip, subnet: SubnetInfo): string | undefined {
  const block = formatCidr(subnet.cidr);
  if (!cidrContains(subnet.cidr, ip)) return `${formatIp(ip)} is not in subnet ${subnet.name} (${block})`;
  const offset = ip - subnet.cidr.base;
  const reserved = ['the network address', 'reserved for the VPC router', 'reserved for the Amazon DNS server', 'reserved by AWS for future use'];
  if (offset < 4) return `${formatIp(ip)} is ${reserved[offset]} of subnet ${subnet.name} (${block}): the first four addresses and the last cannot be assigned`;
  if (ip === lastAddress(subnet.cidr)) return `${formatIp(ip)} is the last address of subnet ${subnet.name} (${block}), reserved: the first four addresses and the last cannot be assigned`;
  return undefined;
}

/** Claims a private address in a VPC; false after reporting a duplicate. */
export function claimPrivate(ctx: Ctx, vpc: string, ip: Ip, claim: Claim): boolean {
  let held = ctx.privateClaims.get(vpc);
  if (!held) ctx.privateClaims.set(vpc, (held = new Map()));
  const prior = held.get(ip);
  if (prior) {
    ctx.c.error(claim.path, `${formatIp(ip)} is already ${prior.owner}'s ${prior.what} (${formatPath(prior.path)}); no private address is held twice in VPC ${vpc}`);
    return false;
  }
  held.set(ip, claim);
  return true;
}

export function releasePrivate(ctx: Ctx, vpc: string, ip: Ip): void {
  ctx.privateClaims.get(vpc)?.delete(ip);
}

/** Checks a public address field (not RFC 1918, not special-purpose). */
export function checkPublic(ctx: Ctx, ip: Ip, path: Path, what: string): boolean {
  const why = notPublic(ip);
  if (why) {
    ctx.c.error(path, `${formatIp(ip)} ${why}; ${what} must be a public address`);
    return false;
  }
  return true;
}

/** Claims a public address for the whole scenario; false after reporting a duplicate. */
export function claimPublic(ctx: Ctx, ip: Ip, claim: Claim & { eip?: 'instance' | 'nat' }): boolean {
  const prior = ctx.publicClaims.get(ip);
  // An Elastic IP moves: a launch in the timeline may take one another interface holds.
  const moves = prior?.eip === 'instance' && claim.eip === 'instance' && claim.path[0] === 'timeline';
  if (prior && !moves) {
    ctx.c.error(claim.path, `${formatIp(ip)} is already ${prior.owner}'s ${prior.what} (${formatPath(prior.path)}); no two holders may declare the same public address`);
    return false;
  }
  ctx.publicClaims.set(ip, claim);
  return true;
}
