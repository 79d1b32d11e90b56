/**
 * policy/match: what one rule says of one packet, written plainly.
 *
 * Owns: the meaning of a rule (domain.md §2-§3) for a packet as the receiver sees it —
 * protocol, destination port (tcp/udp) or type/code (icmp), and source: a CIDR matched
 * against the source address as seen, or a group matched only on the private path when the
 * sender is a running member. This is the definition the compiled index (policy/index.ts)
 * must agree with, and what explanations are built from.
 * Does not own: choosing among rules (policy/evaluate.ts) or indexing them.
 */
import { cidrContains, type Ip } from '../net/ipv4.ts';
import { ALL_PORTS, ICMP, TCP, UDP, icmpKeyRange } from '../net/protocol.ts';
import type { Rule } from '../model/types.ts';

/** A packet as the receiver's security groups see it. */
export interface IngressView {
  /** IANA protocol number: 6 tcp, 17 udp, 1 icmp. */
  readonly protocol: number;
  /** tcp/udp destination port, or icmp `type << 8 | code`. */
  readonly key: number;
  /** Source address as the receiver sees it (after NAT). */
  readonly source: Ip;
  /** True when the packet came over the private path (group identity preserved). */
  readonly privatePath: boolean;
  /** Groups the sender belongs to while running, or null (external, stopped, unknown). */
  readonly senderGroups: readonly string[] | null;
}

/** Whether the rule's protocol and port / type-code cover the packet. */
export function coversTraffic(rule: Rule, protocol: number, key: number): boolean {
  switch (rule.protocol) {
    case 'all':
      return true;
    case 'tcp':
    case 'udp': {
      const ports = rule.ports ?? ALL_PORTS;
      return protocol === (rule.protocol === 'tcp' ? TCP : UDP) && key >= ports.from && key <= ports.to;
    }
    case 'icmp': {
      if (protocol !== ICMP) return false;
      const r = icmpKeyRange(rule.icmp ?? { type: -1, code: -1 });
      return key >= r.from && key <= r.to;
    }
  }
}

/** Whether the rule's source admits the packet. */
export function coversSource(rule: Rule, view: IngressView): boolean {
  if (rule.source.kind === 'cidr') return cidrContains(rule.source.cidr, view.source);
  return view.privatePath && view.senderGroups !== null && view.senderGroups.includes(rule.source.group);
}

export function ruleMatches(rule: Rule, view: IngressView): boolean {
  return coversTraffic(rule, view.protocol, view.key) && coversSource(rule, view);
}
