/**
 * fabric/path/vpc/sg-ingress: the destination ENI's security groups on a packet arriving
 * (domain-vpc.md §5, §10 step 5).
 *
 * Owns: a new flow's ingress verdict — the union of the ENI's groups' inbound rules (named
 * canonically: policy/egress.ts), judging the source as the ENI sees it (after any NAT); group
 * references match only while identity is preserved on the path (same VPC, same-region
 * peering, a TGW with referencing on; never past a NAT gateway, an IGW, an appliance,
 * inter-region or TGW peering: `SG_REFERENCES_NOT_PRESERVED`); a reply of a tracked flow passes
 * (`tracked`) whatever the rules; and whether the ENI leaves a flow untracked.
 * Does not own: rule matching (policy/), the path's identity (plan.ts).
 */
import { describeVpcRule, evaluateVpcIngress, untrackedAt } from '../../../policy/egress.ts';
import type { GroupView } from '../../../policy/vpc-match.ts';
import { groupsOfInterface, type VpcWorld } from '../../../model/vpc/world.ts';
import type { NetworkInterface } from '../../../model/vpc/types.ts';
import { admit, drop, type VpcPacket, type VpcVerdict } from './hop.ts';
import type { GroupContext } from './sg-egress.ts';

export function ingressView(world: VpcWorld, packet: VpcPacket, ctx: GroupContext): GroupView {
  return { protocol: packet.protocol, key: packet.key, peer: packet.source, identityPreserved: ctx.identityPreserved, peerGroups: ctx.peerGroups, prefixLists: world.prefixLists };
}

export function sgIngress(world: VpcWorld, eni: NetworkInterface, packet: VpcPacket, ctx: GroupContext): VpcVerdict {
  const d = evaluateVpcIngress(groupsOfInterface(world, eni), ingressView(world, packet, ctx));
  if (d.allowed) {
    const rule = describeVpcRule(d.admission.rule, 'ingress');
    return admit({ group: d.admission.group.key, rule }, `group ${d.admission.group.key} allows ${rule}`);
  }
  const lost = d.lost === null ? '' : `; group ${d.lost.group.key} would allow it, but group identity is not preserved on this path`;
  return drop(d.code, `no ingress rule of ${eni.groups.join(', ') || 'no group'} allows it${lost}`);
}

export function sgIngressTracked(eni: NetworkInterface): VpcVerdict {
  return { kind: 'tracked', detail: `a reply of a flow ${eni.id} tracks` };
}

export function ingressUntracked(world: VpcWorld, eni: NetworkInterface, packet: VpcPacket, ctx: GroupContext): boolean {
  return untrackedAt(groupsOfInterface(world, eni), 'ingress', ingressView(world, packet, ctx));
}
