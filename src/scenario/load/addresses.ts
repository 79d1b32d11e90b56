/**
 * scenario/load/addresses: address fields, and who holds which address.
 *
 * Owns: an address field (an IPv4 address, private inside 10.0.0.0/8 or public outside it),
 * the claims that keep two hosts from declaring one address (an Elastic IP may move), and
 * each Elastic IP's one region.
 */
import { formatPath } from '../diagnostics.ts';
import { formatIp, isClassicPrivate, parseIp, type Ip } from '../../net/ipv4.ts';
import { describeValue } from '../schema.ts';
import type { AddressClaim, ScenarioState } from './state.ts';
import type { Checker, Path } from './structure.ts';

/** An address field: an IPv4 literal, inside (`private`) or outside 10.0.0.0/8. */
export function checkIpField(c: Checker, v: unknown, path: Path, want: 'private' | 'public', what: string): Ip | undefined {
  if (typeof v !== 'string') {
    c.error(path, `expected ${what} (an IPv4 address), got ${describeValue(v)}`);
    return undefined;
  }
  const ip = parseIp(v.trim());
  if (typeof ip !== 'number') {
    c.error(path, ip.error);
    return undefined;
  }
  if (want === 'private' && !isClassicPrivate(ip)) {
    c.error(path, `${formatIp(ip)} is not a private address (EC2-Classic private addresses are in 10.0.0.0/8)`);
    return undefined;
  }
  if (want === 'public' && isClassicPrivate(ip)) {
    c.error(path, `${formatIp(ip)} is in 10.0.0.0/8, the private range; ${what} must be a public address`);
    return undefined;
  }
  return ip;
}

export function describeClaim(claim: AddressClaim): string {
  return claim.associatedOnly
    ? `the Elastic IP associated at ${formatPath(claim.path)}`
    : `${claim.host}'s ${claim.field} (${formatPath(claim.path)})`;
}

/** Records that `host` declares `ip`; reports an address another host already declared. */
export function claimAddress(c: Checker, state: ScenarioState, ip: Ip, claim: AddressClaim): boolean {
  const prior = state.addresses.get(ip);
  // An Elastic IP moves: associating it, or launching an instance with it, takes it from its
  // holder (if any). Only two instances declared at the start may not both claim it.
  const moves = claim.field === 'elasticIp' && prior !== undefined && (prior.associatedOnly === true || (prior.field === 'elasticIp' && claim.path[0] === 'timeline'));
  if (prior && !moves) {
    c.error(claim.path, `${formatIp(ip)} is already ${describeClaim(prior)}; no two hosts may declare the same address`);
    return false;
  }
  state.addresses.set(ip, claim);
  return true;
}

/** Settles (or checks) the region an Elastic IP belongs to. */
export function claimEipRegion(c: Checker, state: ScenarioState, ip: Ip, region: string, instance: string, path: Path): boolean {
  const prior = state.eipRegion.get(ip);
  if (prior && prior.region !== region) {
    c.error(
      path,
      `Elastic IP ${formatIp(ip)} belongs to region ${prior.region} (${formatPath(prior.path)}), but ${instance} is in ${region} (an Elastic IP belongs to one region)`,
    );
    return false;
  }
  if (!prior) state.eipRegion.set(ip, { region, path });
  return true;
}
