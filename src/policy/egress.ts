/**
 * policy/egress: the verdict of an ENI's security groups in a VPC, egress and ingress
 * (domain-vpc.md §5, "Security group rules").
 *
 * Owns: the union over the ENI's groups in one direction — admitted when any rule of any of its
 * groups matches, so neither the order of rules nor of groups changes the verdict (domain.md §2);
 * the canonical choice of which rule to name, as classic ingress does (policy/evaluate.ts): the
 * first group in the ENI's order that has a match, and that group's lowest-indexed matching rule;
 * and a denial's codes in Reachability Analyzer's names: `SG_HAS_NO_RULES` (no group has a rule
 * that way: a group with `egress: []` denies all outbound), `SG_REFERENCES_NOT_PRESERVED` (only a
 * group reference would have matched, and identity was lost on the path; then
 * `ENI_SG_RULES_MISMATCH` is its blocker), else `ENI_SG_RULES_MISMATCH`.
 * Egress is what VPC adds, hence the name; VPC ingress (with prefix-list sources) is the same union
 * read the other way, so it lives here too, and classic's policy files stay as they were.
 * Does not own: connection tracking (a tracked reply never asks the rules: conntrack/ and the
 * hops), ENIs without groups (NAT gateway, TGW attachment: `NOT_FILTERED`, decided by the hop),
 * or whether identity is preserved on a path (the hops say, in GroupView).
 */
import { formatCidr } from '../net/ipv4.ts';
import { formatIcmp, formatPorts } from '../net/protocol.ts';
import { normalizeProtocol, type Direction, type VpcRule, type VpcSecurityGroup } from '../model/vpc/types.ts';
import { coversVpcTraffic, vpcRuleMatches, type GroupView } from './vpc-match.ts';

export type VpcGroupDenialCode = 'SG_HAS_NO_RULES' | 'ENI_SG_RULES_MISMATCH' | 'SG_REFERENCES_NOT_PRESERVED';

/** The rule that admitted a packet: which group (by position in the ENI's list) and which rule. */
export interface VpcAdmission {
  readonly direction: Direction;
  readonly groupPosition: number;
  readonly group: VpcSecurityGroup;
  readonly ruleIndex: number;
  readonly rule: VpcRule;
}

export type VpcGroupDecision =
  | { readonly allowed: true; readonly admission: VpcAdmission }
  | {
      readonly allowed: false;
      readonly direction: Direction;
      readonly code: VpcGroupDenialCode;
      /** The other causes, primary excluded. */
      readonly blockers: readonly VpcGroupDenialCode[];
      /** For SG_REFERENCES_NOT_PRESERVED: the group rule that would have admitted the packet. */
      readonly lost: { readonly group: VpcSecurityGroup; readonly rule: VpcRule } | null;
    };

/** A group's rules of one direction. */
export function rulesOf(group: VpcSecurityGroup, direction: Direction): readonly VpcRule[] {
  return direction === 'ingress' ? group.ingress : group.egress;
}

/** The admitting rule, by a plain scan in canonical order (the definition), or null. */
export function admitVpcGroups(groups: readonly VpcSecurityGroup[], direction: Direction, view: GroupView): VpcAdmission | null {
  for (let g = 0; g < groups.length; g++) {
    const rules = rulesOf(groups[g], direction);
    for (let r = 0; r < rules.length; r++) {
      if (vpcRuleMatches(rules[r], view)) return { direction, groupPosition: g, group: groups[g], ruleIndex: r, rule: rules[r] };
    }
  }
  return null;
}

/** The verdict of an ENI's groups in `direction` on a packet, with the admitting rule or the codes. */
export function evaluateVpcGroups(groups: readonly VpcSecurityGroup[], direction: Direction, view: GroupView): VpcGroupDecision {
  const admission = admitVpcGroups(groups, direction, view);
  if (admission !== null) return { allowed: true, admission };
  const hasRules = groups.some((g) => rulesOf(g, direction).length > 0);
  if (!hasRules) return { allowed: false, direction, code: 'SG_HAS_NO_RULES', blockers: [], lost: null };
  const lost = view.identityPreserved ? null : lostGroupRule(groups, direction, view);
  if (lost !== null) return { allowed: false, direction, code: 'SG_REFERENCES_NOT_PRESERVED', blockers: ['ENI_SG_RULES_MISMATCH'], lost };
  return { allowed: false, direction, code: 'ENI_SG_RULES_MISMATCH', blockers: [], lost: null };
}

/** The sender's egress verdict (§5: a new flow needs it, and the receiver's ingress). */
export function evaluateEgress(groups: readonly VpcSecurityGroup[], view: GroupView): VpcGroupDecision {
  return evaluateVpcGroups(groups, 'egress', view);
}

/** The receiver's ingress verdict in a VPC. */
export function evaluateVpcIngress(groups: readonly VpcSecurityGroup[], view: GroupView): VpcGroupDecision {
  return evaluateVpcGroups(groups, 'ingress', view);
}

/** The first group rule (canonical order) that would match were identity preserved, or null. */
function lostGroupRule(groups: readonly VpcSecurityGroup[], direction: Direction, view: GroupView): { group: VpcSecurityGroup; rule: VpcRule } | null {
  const preserved: GroupView = { ...view, identityPreserved: true };
  for (const group of groups) {
    for (const rule of rulesOf(group, direction)) {
      if (rule.peer.kind === 'group' && vpcRuleMatches(rule, preserved)) return { group, rule };
    }
  }
  return null;
}

const EVERYWHERE = 0;

/**
 * Whether a rule is open to all addresses on all its traffic's ports: 0.0.0.0/0 (the rule of
 * "Security group connection tracking" that makes a TCP/UDP flow untracked, §5).
 */
export function isOpenToAll(rule: VpcRule): boolean {
  return rule.peer.kind === 'cidr' && rule.peer.cidr.prefix === EVERYWHERE;
}

/** Whether a rule admits every packet of `protocol` from or to everywhere: 0.0.0.0/0, all ports. */
function admitsAllOf(rule: VpcRule, protocol: number): boolean {
  if (!isOpenToAll(rule)) return false;
  const p = normalizeProtocol(rule.protocol);
  if (p === 'all') return true;
  if (p === 'tcp' || p === 'udp') return coversVpcTraffic(rule, protocol, 0) && (rule.ports === undefined || (rule.ports.from === 0 && rule.ports.to === 65535));
  return false;
}

/**
 * Whether a TCP/UDP packet of a new flow, seen by one ENI's groups in `direction`, is untracked
 * there (§5, "Security group connection tracking"): some 0.0.0.0/0 rule of the groups admits it
 * (the most permissive rule applies, Decision §5, even if a narrower rule also matches), and a
 * rule the other way admits all of its protocol, all ports, from or to 0.0.0.0/0. ICMP and other
 * protocols are always tracked. Whether an always-tracked hop is on the path is the caller's.
 */
export function untrackedAt(groups: readonly VpcSecurityGroup[], direction: Direction, view: GroupView): boolean {
  const p = view.protocol;
  if (p !== 6 && p !== 17) return false;
  const opposite: Direction = direction === 'ingress' ? 'egress' : 'ingress';
  const admittedByOpen = groups.some((g) => rulesOf(g, direction).some((r) => isOpenToAll(r) && coversVpcTraffic(r, p, view.key)));
  if (!admittedByOpen) return false;
  return groups.some((g) => rulesOf(g, opposite).some((r) => admitsAllOf(r, p)));
}

/** A rule as a person reads it: `tcp/443 to 0.0.0.0/0`, `all traffic from group web`. */
export function describeVpcRule(rule: VpcRule, direction: Direction): string {
  const p = normalizeProtocol(rule.protocol);
  const what =
    p === 'all'
      ? 'all traffic'
      : p === 'icmp'
        ? `icmp ${formatIcmp(rule.icmp ?? { type: -1, code: -1 })}`
        : p === 'tcp' || p === 'udp'
          ? `${p}/${formatPorts(rule.ports ?? { from: 0, to: 65535 })}`
          : `protocol ${p}`;
  const peer = rule.peer;
  const other =
    peer.kind === 'cidr' ? formatCidr(peer.cidr) : peer.kind === 'prefixList' ? `prefix list ${peer.prefixList}` : `group ${peer.group}${peer.stale ? ' (stale)' : ''}`;
  return `${what} ${direction === 'ingress' ? 'from' : 'to'} ${other}${rule.description ? ` ("${rule.description}")` : ''}`;
}
