/**
 * policy/vpc-match: what one VPC security group rule or one NACL entry says of one packet,
 * written plainly (the VPC counterpart of policy/match.ts, which stays classic's definition).
 *
 * Owns: protocol coverage with VPC's vocabulary (all, tcp, udp, icmp, or any protocol number:
 * domain-vpc.md §5, §6; ports and ICMP fields ignored on `all` and on numbered protocols, as
 * AWS documents), and a rule's peer — CIDR, prefix list (its CIDRs), or group reference
 * (matched only while group identity is preserved and the other end's ENI carries the group;
 * never when the reference is stale: §5).
 * Does not own: choosing among rules or entries (policy/egress.ts, policy/nacl.ts), or deciding
 * whether identity is preserved on a path (the hops decide; domain-vpc.md §5, §9).
 */
import { cidrContains, type Cidr, type Ip } from '../net/ipv4.ts';
import { ALL_PORTS, ICMP, TCP, UDP, icmpKeyRange, type IcmpMatch, type PortRange } from '../net/protocol.ts';
import { normalizeProtocol, type PrefixList, type RulePeer, type VpcProtocol, type VpcRule } from '../model/vpc/types.ts';

/** The traffic a rule or entry names: protocol, and ports or ICMP type/code. */
export interface TrafficMatch {
  readonly protocol: VpcProtocol;
  readonly ports?: PortRange;
  readonly icmp?: IcmpMatch;
}

/**
 * Whether `m` covers a packet of IANA `protocol` whose key is its tcp/udp destination port or
 * its icmp `type << 8 | code` (net/protocol.ts).
 */
export function coversVpcTraffic(m: TrafficMatch, protocol: number, key: number): boolean {
  const p = normalizeProtocol(m.protocol);
  switch (p) {
    case 'all':
      return true;
    case 'tcp':
    case 'udp': {
      if (protocol !== (p === 'tcp' ? TCP : UDP)) return false;
      const ports = m.ports ?? ALL_PORTS;
      return key >= ports.from && key <= ports.to;
    }
    case 'icmp': {
      if (protocol !== ICMP) return false;
      const r = icmpKeyRange(m.icmp ?? { type: -1, code: -1 });
      return key >= r.from && key <= r.to;
    }
    default:
      return protocol === p;
  }
}

/** Managed prefix lists by id; an unknown id matches nothing. */
export type PrefixLists = Readonly<Record<string, PrefixList>>;

/** The CIDRs of a prefix list (none if it is unknown). */
export function prefixListCidrs(lists: PrefixLists, id: string): readonly Cidr[] {
  return lists[id]?.cidrs ?? [];
}

/** A packet as one ENI's security groups see it, in one direction. */
export interface GroupView {
  /** IANA protocol number. */
  readonly protocol: number;
  /** tcp/udp destination port, or icmp `type << 8 | code`. */
  readonly key: number;
  /** The other end's address as this ENI sees it: the source for ingress, the destination for
   * egress (after any NAT on the way). */
  readonly peer: Ip;
  /** Whether group identity survives between the two ENIs on this path (§5: same VPC, active
   * same-region peering, a TGW with referencing for inbound rules; never across a NAT gateway,
   * an IGW, an appliance, inter-region or TGW peering). */
  readonly identityPreserved: boolean;
  /** The groups of the ENI at the other end (sender for ingress, receiver for egress), or null
   * (an external host, a NAT gateway, an address nobody holds). */
  readonly peerGroups: readonly string[] | null;
  readonly prefixLists: PrefixLists;
}

/** Whether the rule's peer admits the packet's other end. */
export function coversPeer(peer: RulePeer, view: GroupView): boolean {
  switch (peer.kind) {
    case 'cidr':
      return cidrContains(peer.cidr, view.peer);
    case 'prefixList':
      return prefixListCidrs(view.prefixLists, peer.prefixList).some((c) => cidrContains(c, view.peer));
    case 'group':
      return peer.stale !== true && view.identityPreserved && view.peerGroups !== null && view.peerGroups.includes(peer.group);
  }
}

export function vpcRuleMatches(rule: VpcRule, view: GroupView): boolean {
  return coversVpcTraffic(rule, view.protocol, view.key) && coversPeer(rule.peer, view);
}
