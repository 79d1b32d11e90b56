/**
 * fabric/path/vpc/vgw: the virtual private gateway and the external hosts declared behind it
 * (domain-vpc.md §3: a `vgw` route exits to external hosts declared `via` it, else
 * `NO_POSSIBLE_DESTINATION`; such hosts enter the VPC by it).
 */
import type { VpcExternalHost } from '../../../model/vpc/types.ts';
import type { VpcWorld } from '../../../model/vpc/world.ts';
import { drop, formatIp, pass, type VpcPacket, type VpcVerdict } from './hop.ts';

export function vgwExit(world: VpcWorld, vgw: string, packet: VpcPacket): { verdict: VpcVerdict; host: VpcExternalHost | null } {
  const host = Object.values(world.external).find((e) => e.via === vgw && e.ip === packet.destination) ?? null;
  if (host === null) return { host, verdict: drop('NO_POSSIBLE_DESTINATION', `no external host behind ${vgw} holds ${formatIp(packet.destination)}`, true) };
  return { host, verdict: pass(`${vgw} carries it to ${host.name}`) };
}

/** A packet from a host behind `vgw` entering its VPC. */
export function vgwEntry(world: VpcWorld, vgw: string): { verdict: VpcVerdict; vpc: string | null } {
  const g = world.vpnGateways[vgw];
  if (g === undefined || g.vpc === null) return { vpc: null, verdict: drop('NO_POSSIBLE_DESTINATION', `${vgw} is not attached to a VPC`, true) };
  return { vpc: g.vpc, verdict: pass(`enters ${g.vpc} by ${vgw}`) };
}
