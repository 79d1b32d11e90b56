/**
 * model/vpc/peering: what a path between two VPCs allows (domain-vpc.md §5, §7, §8).
 *
 * Owns: finding the peering between two VPCs and its other side; whether it is inter-region; the
 * peering check (Decision, §7): a packet crosses only if its source lies in the sending VPC's
 * blocks and its destination in the receiving VPC's (`PCX_REQUIRES_ADDRESS_IN_VPC_CIDR`, both
 * ways), which is what makes peering non-transitive and forbids edge-to-edge use of the peer's
 * IGW, NAT gateway or VGW; whether group identity survives a path (§5: same VPC; an active
 * same-region peering; a same-region TGW, for inbound rules only, when the TGW and both VPC
 * attachments enable security group referencing; never past an IGW, a NAT gateway, an
 * appliance, inter-region peering or TGW peering); and how `<instance>.dns` resolves (§8).
 * Does not own: routing to the peering (routes.ts) or the hops that apply these checks.
 */
import { cidrContains, type Ip } from '../../net/ipv4.ts';
import type { Direction, NetworkInterface, Peering, Vpc } from './types.ts';
import { vpcAttachment } from './tgw.ts';
import { vpcOf, type VpcWorld } from './world.ts';

/** The peering connecting two VPCs (any status), if one exists. */
export function peeringBetween(world: VpcWorld, a: string, b: string): Peering | undefined {
  for (const p of Object.values(world.peerings)) {
    if ((p.requester === a && p.accepter === b) || (p.requester === b && p.accepter === a)) return p;
  }
  return undefined;
}

/** The VPC on the other side of a peering from `vpc`, or null if `vpc` is not one of its sides. */
export function otherSide(p: Peering, vpc: string): string | null {
  return p.requester === vpc ? p.accepter : p.accepter === vpc ? p.requester : null;
}

export function isInterRegion(world: VpcWorld, p: Peering): boolean {
  return vpcOf(world, p.requester).region !== vpcOf(world, p.accepter).region;
}

function inBlocks(vpc: Vpc, ip: Ip): boolean {
  return vpc.cidrs.some((c) => cidrContains(c, ip));
}

/**
 * Whether a packet sent from `fromVpc` may cross peering `p` (Decision, §7): its source in the
 * sender's blocks, its destination in the receiver's. Null when it may; else the code and why.
 */
export function peeringRefusal(world: VpcWorld, p: Peering, fromVpc: string, source: Ip, destination: Ip): { code: 'PCX_REQUIRES_ADDRESS_IN_VPC_CIDR'; reason: string } | null {
  const to = otherSide(p, fromVpc);
  if (to === null) return { code: 'PCX_REQUIRES_ADDRESS_IN_VPC_CIDR', reason: `peering ${p.id} does not connect ${fromVpc}` };
  if (!inBlocks(vpcOf(world, fromVpc), source)) return { code: 'PCX_REQUIRES_ADDRESS_IN_VPC_CIDR', reason: `the source is outside ${fromVpc}'s blocks (no transit over a peering)` };
  if (!inBlocks(vpcOf(world, to), destination)) return { code: 'PCX_REQUIRES_ADDRESS_IN_VPC_CIDR', reason: `the destination is outside ${to}'s blocks (no edge-to-edge routing)` };
  return null;
}

/** How a packet got from one ENI to the other, as far as group identity cares. */
export type IdentityPath =
  | { readonly kind: 'same-vpc' }
  | { readonly kind: 'peering'; readonly peering: string }
  | { readonly kind: 'tgw'; readonly tgw: string; readonly fromVpc: string; readonly toVpc: string }
  /** Past an IGW, a NAT gateway, an appliance or a TGW peering: identity is lost. */
  | { readonly kind: 'translated' };

/**
 * Whether a group reference can match across `path`, in the rules of `direction` (§5; AWS
 * "Update your security groups to reference peer security groups"; AWS blog "Introducing
 * security group referencing for AWS Transit Gateway": inbound rules only).
 */
export function groupIdentityPreserved(world: VpcWorld, path: IdentityPath, direction: Direction): boolean {
  switch (path.kind) {
    case 'same-vpc':
      return true;
    case 'translated':
      return false;
    case 'peering': {
      const p = world.peerings[path.peering];
      return p !== undefined && p.status === 'active' && !isInterRegion(world, p);
    }
    case 'tgw': {
      if (direction !== 'ingress') return false;
      const tgw = world.transitGateways[path.tgw];
      if (tgw === undefined || !tgw.sgReferencing) return false;
      const a = vpcAttachment(tgw, path.fromVpc);
      const b = vpcAttachment(tgw, path.toVpc);
      return a !== undefined && b !== undefined && a.sgReferencing && b.sgReferencing && vpcOf(world, path.fromVpc).region === tgw.region && vpcOf(world, path.toVpc).region === tgw.region;
    }
  }
}

/** Whether hosts of `asker` resolve `target`'s public names to private IPs over a TGW with DNS support. */
function tgwResolves(world: VpcWorld, asker: string, target: string): boolean {
  for (const tgw of Object.values(world.transitGateways)) {
    if (!tgw.dnsSupport) continue;
    const a = vpcAttachment(tgw, asker);
    const b = vpcAttachment(tgw, target);
    if (a !== undefined && b !== undefined && a.dnsSupport && b.dnsSupport) return true;
  }
  return false;
}

/**
 * What `<instance>.dns` resolves to for a host in `askerVpc` (null: outside AWS), §8: the name
 * exists if eth0 has a public address and both DNS attributes of its VPC are on; it gives the
 * private IP inside the VPC, to a peer whose peering lets the asker's VPC resolve it, or over a
 * TGW with DNS support (not TGW peering); elsewhere the EIP, else the public IP. Null: no name
 * (`SIM_NAME_NOT_RESOLVED`).
 */
export function resolvePublicName(world: VpcWorld, eth0: NetworkInterface, askerVpc: string | null): Ip | null {
  const primary = eth0.addresses[0];
  const publicAddress = primary.elasticIp ?? primary.publicIp;
  if (publicAddress === null) return null;
  const targetVpc = vpcOf(world, world.subnets[eth0.subnet].vpc);
  if (!targetVpc.dnsSupport || !targetVpc.dnsHostnames) return null;
  if (askerVpc === null) return publicAddress;
  if (askerVpc === targetVpc.id) return primary.privateIp;
  const p = peeringBetween(world, askerVpc, targetVpc.id);
  if (p !== undefined && p.status === 'active' && p.dnsResolution.includes(askerVpc)) return primary.privateIp;
  if (tgwResolves(world, askerVpc, targetVpc.id)) return primary.privateIp;
  return publicAddress;
}
