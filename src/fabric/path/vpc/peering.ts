/**
 * fabric/path/vpc/peering: a VPC peering connection on a packet's way (domain-vpc.md §7).
 *
 * Owns: the hop — the packet crosses only if its source lies in the sending VPC's blocks and its
 * destination in the receiving VPC's (`PCX_REQUIRES_ADDRESS_IN_VPC_CIDR`, both ways:
 * model/vpc/peering.ts), which is what makes peering non-transitive and forbids edge-to-edge use
 * of the peer's IGW, NAT gateway or VGW. A source outside is judged on (the destination is still
 * the peer's); a destination outside the peer's blocks is final (nothing there to reach).
 */
import { cidrContains } from '../../../net/ipv4.ts';
import { otherSide, peeringRefusal } from '../../../model/vpc/peering.ts';
import { vpcOf, type VpcWorld } from '../../../model/vpc/world.ts';
import { drop, pass, type VpcPacket, type VpcVerdict } from './hop.ts';

export function peeringHop(world: VpcWorld, pcx: string, fromVpc: string, packet: VpcPacket): { verdict: VpcVerdict; toVpc: string | null } {
  const p = world.peerings[pcx];
  const toVpc = p === undefined ? null : otherSide(p, fromVpc);
  if (p === undefined || toVpc === null) return { toVpc: null, verdict: drop('PCX_REQUIRES_ADDRESS_IN_VPC_CIDR', `peering ${pcx} does not connect ${fromVpc}`, true) };
  const refusal = peeringRefusal(world, p, fromVpc, packet.source, packet.destination);
  if (refusal !== null) {
    const destinationInPeer = vpcOf(world, toVpc).cidrs.some((c) => cidrContains(c, packet.destination));
    return { toVpc, verdict: drop(refusal.code, `${pcx}: ${refusal.reason}`, !destinationInPeer) };
  }
  return { toVpc, verdict: pass(`${pcx} carries it from ${fromVpc} to ${toVpc}`) };
}
