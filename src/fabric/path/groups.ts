/**
 * fabric/path/groups: the receiver's security groups in force (domain.md §2, §3, §7).
 *
 * A new flow is admitted when any rule of any of the receiver's groups matches it (a union:
 * order never matters): the protocol and destination port (icmp: type and code), and the
 * source as the receiver sees it, a CIDR or a group. A group rule matches only traffic that
 * came over the private path from a running member (a public path is NAT-translated and loses
 * the sender's group). The rules are those in force: a change takes effect after the
 * propagation delay. Nothing matches: a silent drop, explained by policy/evaluate.ts
 * (ENI_SG_RULES_MISMATCH or SG_HAS_NO_RULES, with SG_REFERENCES_NOT_PRESERVED,
 * SIM_PROPAGATION_PENDING and SIM_CONNTRACK_EXPIRED where they apply). The admission names
 * the first of the receiver's groups (in its order) with a match and that group's first
 * matching rule. A host outside AWS has no groups: nothing filters it.
 * This hop uses the definition (policy/match.ts through admitLinear); the fabric's fast paths
 * (the rule arena, compiled receivers) must agree with it.
 */
import { ICMP, icmpKey } from '../../net/protocol.ts';
import { RuleAdmission, admitLinear, explainDenial } from '../../policy/evaluate.ts';
import type { IngressView } from '../../policy/match.ts';
import type { Explanation } from '../flows.ts';
import { drop, type Hop, type PathPacket, type PathState, type PathWorld, type Verdict } from './hop.ts';

/** The packet as the receiver's groups see it. */
export function ingressView(p: PathPacket, w: PathWorld): IngressView {
  return {
    protocol: p.protocol,
    key: p.protocol === ICMP ? icmpKey(p.dport >> 16, p.dport & 0xffff) : p.dport,
    source: p.source,
    privatePath: p.privatePath,
    senderGroups: w.senderGroups(p.sender),
  };
}

export const groups: Hop = {
  name: 'groups',
  side: 'arrive',
  filter: true,
  decide(p: PathPacket, w: PathWorld, state: PathState): Verdict {
    if (w.external(p.receiver)) {
      return { kind: 'admit', by: { code: 'NOT_FILTERED', message: `${w.nameOf(p.receiver)} is outside AWS: no security group filters it` } };
    }
    const inForce = w.groupsInForce(p.receiver);
    const view = ingressView(p, w);
    const admission = admitLinear(inForce, view);
    if (admission !== null) return { kind: 'admit', by: new RuleAdmission(admission.group.key, admission.rule) as Explanation };
    const denial = explainDenial(inForce, view, {
      receiver: w.nameOf(p.receiver),
      sender: w.nameOf(p.sender),
      destination: p.destination,
      pendingWouldAdmit: w.pendingWouldAdmit(p.receiver, view),
      conntrackExpired: state.expired ? w.expiredFacts() : null,
    });
    return drop(denial as Explanation);
  },
};
