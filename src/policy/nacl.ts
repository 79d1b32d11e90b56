/**
 * policy/nacl: the verdict of a network ACL on one packet in one direction (domain-vpc.md §6,
 * "Control traffic to subnets using Network ACLs").
 *
 * Owns: stateless evaluation — the lowest-numbered entry whose protocol, ports / ICMP type and
 * code, and CIDR match decides, allow or deny; no match is the final `*` entry (32767), which
 * denies. Inbound entries match the packet's source, outbound its destination. The entries'
 * order in the ACL never matters (Decision, §6: sorted by RuleNumber, where Batfish keeps file
 * order); the decision names the deciding entry, or the implicit `*` deny.
 * Does not own: where a NACL applies (only when a packet enters or leaves a subnet:
 * model/vpc/routes.ts crossesSubnetBoundary), which NACL a subnet uses (model/vpc/world.ts),
 * or connection tracking (NACLs have none: replies are judged like any packet).
 */
import { cidrContains, formatCidr, type Ip } from '../net/ipv4.ts';
import { formatIcmp, formatPorts } from '../net/protocol.ts';
import { NACL_DEFAULT_RULE_NUMBER, normalizeProtocol, type Direction, type NaclAction, type NaclEntry, type NetworkAcl } from '../model/vpc/types.ts';
import { coversVpcTraffic } from './vpc-match.ts';

/** A packet as a NACL sees it. */
export interface NaclPacket {
  /** IANA protocol number. */
  readonly protocol: number;
  /** tcp/udp destination port, or icmp `type << 8 | code`. */
  readonly key: number;
  readonly source: Ip;
  readonly destination: Ip;
}

export interface NaclDecision {
  readonly action: NaclAction;
  /** The deciding entry's number; NACL_DEFAULT_RULE_NUMBER (32767) for the implicit `*` deny. */
  readonly number: number;
  /** The deciding entry, or null when nothing matched and `*` denied. */
  readonly entry: NaclEntry | null;
}

const STAR_DENY: NaclDecision = Object.freeze({ action: 'deny', number: NACL_DEFAULT_RULE_NUMBER, entry: null });

/** The address an entry of `direction` is matched against: the source inbound, the destination outbound. */
export function naclAddress(direction: Direction, packet: NaclPacket): Ip {
  return direction === 'ingress' ? packet.source : packet.destination;
}

/** Whether one entry matches the packet (its action plays no part). */
export function naclEntryMatches(entry: NaclEntry, direction: Direction, packet: NaclPacket): boolean {
  return coversVpcTraffic(entry, packet.protocol, packet.key) && cidrContains(entry.cidr, naclAddress(direction, packet));
}

/**
 * The verdict of `entries` (one direction of a NACL, in any order) on a packet: the matching
 * entry with the lowest number, else the `*` deny.
 */
export function evaluateNaclEntries(entries: readonly NaclEntry[], direction: Direction, packet: NaclPacket): NaclDecision {
  let best: NaclEntry | null = null;
  for (const e of entries) {
    if ((best === null || e.number < best.number) && naclEntryMatches(e, direction, packet)) best = e;
  }
  return best === null ? STAR_DENY : { action: best.action, number: best.number, entry: best };
}

/** The verdict of a NACL on a packet leaving (`egress`) or entering (`ingress`) its subnet. */
export function evaluateNacl(acl: NetworkAcl, direction: Direction, packet: NaclPacket): NaclDecision {
  return evaluateNaclEntries(direction === 'ingress' ? acl.ingress : acl.egress, direction, packet);
}

/** Entries of one direction in evaluation order (ascending number), for reports and shadowing. */
export function entriesInOrder(entries: readonly NaclEntry[]): readonly NaclEntry[] {
  return [...entries].sort((a, b) => a.number - b.number);
}

/** An entry as a person reads it: `100 allow tcp/443 10.0.1.0/24`. */
export function describeNaclEntry(entry: NaclEntry): string {
  const p = normalizeProtocol(entry.protocol);
  const what =
    p === 'all'
      ? 'all traffic'
      : p === 'icmp'
        ? `icmp ${formatIcmp(entry.icmp ?? { type: -1, code: -1 })}`
        : p === 'tcp' || p === 'udp'
          ? `${p}/${formatPorts(entry.ports ?? { from: 0, to: 65535 })}`
          : `protocol ${p}`;
  return `${entry.number} ${entry.action} ${what} ${formatCidr(entry.cidr)}`;
}

/** A decision as a person reads it: the entry, or `* deny`. */
export function describeNaclDecision(decision: NaclDecision): string {
  return decision.entry === null ? '* deny (no entry matched)' : describeNaclEntry(decision.entry);
}
