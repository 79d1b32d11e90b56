/**
 * fabric/path/vpc/nat-gateway: the NAT gateway (domain-vpc.md §4, "NAT gateways").
 *
 * Owns: outbound — TCP, UDP and ICMP only (`PROTOCOL_RESTRICTION`), sources of its own VPC only
 * (`NGW_REQUIRES_SOURCE_IN_VPC`), the source becomes its private IP (its EIP past the IGW) and
 * the port (ICMP: the echo id) is remapped into 1024–65535, the destination kept, with the hop
 * notes `NGW_SOURCE_ADDRESS_REASSIGN` and `REMAP_EPHEMERAL_PORT`; the mapping it keeps; inbound —
 * only a packet answering a mapping is translated back, anything else is dropped
 * (`SIM_NAT_NO_MAPPING`: nothing outside opens a connection through it). Flows through it are
 * always tracked (plan.ts). A sender in its own subnet is not served (`SIM_ROUTING_LOOP`).
 * Port choice: a hash of the flow's five-tuple, so a trace is deterministic.
 */
import { hashString } from '../../../model/addresses.ts';
import { cidrContains } from '../../../net/ipv4.ts';
import type { NatGateway } from '../../../model/vpc/types.ts';
import { subnetOf, vpcOf, type VpcWorld } from '../../../model/vpc/world.ts';
import { drop, endpoint, formatIp, type VpcPacket, type VpcVerdict } from './hop.ts';

export const NAT_PORT_LOW = 1024;
export const NAT_PORT_HIGH = 65535;

/** A translation the NAT gateway made: the inside source and the outside one. */
export interface NatMapping {
  readonly nat: string;
  readonly insideIp: number;
  readonly insidePort: number;
  readonly outsideIp: number;
  readonly outsidePort: number;
  readonly remote: number;
}

export function remapPort(nat: NatGateway, packet: VpcPacket): number {
  const h = hashString(`${nat.id}/${packet.protocol}/${packet.source}/${packet.sport}/${packet.destination}/${packet.dport}`);
  return NAT_PORT_LOW + (h % (NAT_PORT_HIGH - NAT_PORT_LOW + 1));
}

export function natOutbound(world: VpcWorld, nat: NatGateway, packet: VpcPacket): { verdict: VpcVerdict; mapping: NatMapping | null } {
  if (packet.protocol !== 6 && packet.protocol !== 17 && packet.protocol !== 1) {
    return { mapping: null, verdict: drop('PROTOCOL_RESTRICTION', `${nat.id} carries only TCP, UDP and ICMP, not protocol ${packet.protocol}`) };
  }
  const vpc = vpcOf(world, subnetOf(world, nat.subnet).vpc);
  if (!vpc.cidrs.some((c) => cidrContains(c, packet.source))) {
    return { mapping: null, verdict: drop('NGW_REQUIRES_SOURCE_IN_VPC', `${formatIp(packet.source)} is outside ${vpc.id}: ${nat.id} serves its own VPC only`) };
  }
  const port = remapPort(nat, packet);
  const out: VpcPacket = { ...packet, source: nat.privateIp, sport: port };
  return {
    mapping: { nat: nat.id, insideIp: packet.source, insidePort: packet.sport, outsideIp: nat.privateIp, outsidePort: port, remote: packet.destination },
    verdict: {
      kind: 'rewrite',
      packet: out,
      rewrites: [{ hop: nat.id, kind: 'snat', from: endpoint(packet.source, packet.sport), to: endpoint(nat.privateIp, port) }],
      notes: ['NGW_SOURCE_ADDRESS_REASSIGN', 'REMAP_EPHEMERAL_PORT'],
      detail: `${nat.id} translates ${endpoint(packet.source, packet.sport)} to ${endpoint(nat.privateIp, port)} (EIP ${formatIp(nat.elasticIp)} past the internet gateway)`,
    },
  };
}

/** A packet arriving at the NAT gateway's own address from outside: an answer of a mapping, or dropped. */
export function natInbound(nat: NatGateway, packet: VpcPacket, mappings: readonly NatMapping[]): VpcVerdict {
  const m = mappings.find((x) => x.nat === nat.id && x.outsideIp === packet.destination && x.outsidePort === packet.dport && x.remote === packet.source);
  if (m === undefined) return drop('SIM_NAT_NO_MAPPING', `${nat.id} has no mapping for ${endpoint(packet.destination, packet.dport)} from ${formatIp(packet.source)}: nothing outside opens a connection through a NAT gateway`, true);
  return {
    kind: 'rewrite',
    packet: { ...packet, destination: m.insideIp, dport: m.insidePort },
    rewrites: [{ hop: nat.id, kind: 'dnat', from: endpoint(packet.destination, packet.dport), to: endpoint(m.insideIp, m.insidePort) }],
    notes: [],
    detail: `${nat.id} translates the answer back to ${endpoint(m.insideIp, m.insidePort)}`,
  };
}
