/**
 * fabric/path/vpc/igw: the internet gateway, a stateless 1:1 NAT between private IPs and
 * public IPs / EIPs (domain-vpc.md §4).
 *
 * Owns: leaving — the source's public address (the ENI's EIP, else its public IP; a NAT
 * gateway's EIP) replaces its private IP, else `IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS`; an RFC 1918
 * destination never crosses (`IGW_DESTINATION_ADDRESS_NOT_IN_RFC1918_EGRESS`); entering — a
 * public address held in the IGW's VPC is translated to its private IP; one nobody holds, or a
 * VPC without an attached IGW, is `NO_ROUTE_TO_DESTINATION`. Both drops are final.
 */
import { privateHolder, publicAddressOf, publicHolder, getInterface, subnetOf, type VpcWorld } from '../../../model/vpc/world.ts';
import { drop, endpoint, formatIp, isRfc1918, type VpcPacket, type VpcVerdict } from './hop.ts';

/** The IGW attached to a VPC, if any. */
export function igwOfVpc(world: VpcWorld, vpc: string): string | null {
  for (const g of Object.values(world.internetGateways)) if (g.vpc === vpc) return g.id;
  return null;
}

/** A packet from `vpc` leaving by IGW `igw`. */
export function igwEgress(world: VpcWorld, igw: string, vpc: string, packet: VpcPacket): VpcVerdict {
  const holder = privateHolder(world, vpc, packet.source);
  let publicIp: number | null = null;
  if (holder?.kind === 'nat') publicIp = world.natGateways[holder.nat]?.elasticIp ?? null;
  else if (holder?.kind === 'eni') {
    const eni = getInterface(world, holder.eni);
    publicIp = eni === undefined ? null : publicAddressOf(eni, packet.source);
  }
  if (publicIp === null) return drop('IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS', `${formatIp(packet.source)} has no public IP or EIP to leave ${igw} with`, true);
  if (isRfc1918(packet.destination)) return drop('IGW_DESTINATION_ADDRESS_NOT_IN_RFC1918_EGRESS', `${formatIp(packet.destination)} is private (RFC 1918): it never crosses ${igw}`, true);
  const out = { ...packet, source: publicIp };
  return {
    kind: 'rewrite',
    packet: out,
    rewrites: [{ hop: igw, kind: 'snat', from: formatIp(packet.source), to: formatIp(publicIp) }],
    notes: [],
    detail: `${igw} translates the source ${endpoint(packet.source, packet.sport)} to ${endpoint(publicIp, packet.sport)}`,
  };
}

/** The VPC whose IGW a packet to public address `ip` enters by, with the holder's private IP; null: nobody holds it. */
export function publicTarget(world: VpcWorld, ip: number): { vpc: string; privateIp: number } | null {
  const h = publicHolder(world, ip);
  if (h === undefined) return null;
  const subnet = h.kind === 'nat' ? world.natGateways[h.nat]?.subnet : getInterface(world, h.eni)?.subnet;
  if (subnet === undefined) return null;
  return { vpc: subnetOf(world, subnet).vpc, privateIp: h.privateIp };
}

/** A packet from the internet to a public address of `vpc` entering by its IGW. */
export function igwIngress(world: VpcWorld, vpc: string, privateIp: number, packet: VpcPacket): { igw: string; verdict: VpcVerdict } {
  const igw = igwOfVpc(world, vpc);
  if (igw === null) return { igw: `(no internet gateway on ${vpc})`, verdict: drop('NO_ROUTE_TO_DESTINATION', `${vpc} has no internet gateway: ${formatIp(packet.destination)} cannot be reached from outside`, true) };
  return {
    igw,
    verdict: {
      kind: 'rewrite',
      packet: { ...packet, destination: privateIp },
      rewrites: [{ hop: igw, kind: 'dnat', from: formatIp(packet.destination), to: formatIp(privateIp) }],
      notes: [],
      detail: `${igw} translates the destination ${formatIp(packet.destination)} to ${formatIp(privateIp)}`,
    },
  };
}
