/**
 * model/vpc/eni: an interface's own checks (domain-vpc.md §1, §3; "Elastic network interfaces").
 *
 * Owns: whether an interface holds a private IP; the source/destination check — with it on (the
 * default) an interface sends only packets from one of its private IPs and takes only packets to
 * one of them (`ENI_SOURCE_DEST_CHECK_RESTRICTION`); and whether an `eni` or `instance` route
 * target forwards (an appliance: source/dest check off, its instance running; Decision §3).
 * Does not own: routing to the interface (routes.ts) or its groups' verdicts (policy/egress.ts).
 */
import type { Ip } from '../../net/ipv4.ts';
import type { NetworkInterface, RouteTarget } from './types.ts';
import { getInstance, getInterface, type VpcWorld } from './world.ts';

export function holdsPrivateIp(eni: NetworkInterface, ip: Ip): boolean {
  return eni.addresses.some((a) => a.privateIp === ip);
}

/**
 * Whether the source/destination check lets a packet through the interface: leaving (`egress`)
 * its source must be the interface's own, entering (`ingress`) its destination; always with the
 * check off.
 */
export function sourceDestCheckAllows(eni: NetworkInterface, direction: 'ingress' | 'egress', source: Ip, destination: Ip): boolean {
  if (!eni.sourceDestCheck) return true;
  return holdsPrivateIp(eni, direction === 'egress' ? source : destination);
}

/** The interface an `eni` or `instance` route target names (an instance's eth0), if it exists. */
export function targetInterface(world: VpcWorld, target: RouteTarget): NetworkInterface | undefined {
  if (target.kind === 'eni') return getInterface(world, target.id);
  if (target.kind === 'instance') {
    const inst = getInstance(world, target.id);
    return inst === undefined || inst.interfaces.length === 0 ? undefined : getInterface(world, inst.interfaces[0]);
  }
  return undefined;
}

/**
 * Why an appliance target cannot forward a packet that is not its own, or null when it can:
 * `ENI_SOURCE_DEST_CHECK_RESTRICTION` with the check on, `BAD_STATE` when its instance is not
 * running (Decision §3: such targets work when the check is off).
 */
export function applianceRefusal(world: VpcWorld, eni: NetworkInterface): 'ENI_SOURCE_DEST_CHECK_RESTRICTION' | 'BAD_STATE' | null {
  if (eni.instance === null || getInstance(world, eni.instance)?.state !== 'running') return 'BAD_STATE';
  return eni.sourceDestCheck ? 'ENI_SOURCE_DEST_CHECK_RESTRICTION' : null;
}
