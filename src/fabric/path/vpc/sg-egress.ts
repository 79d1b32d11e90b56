/**
 * fabric/path/vpc/sg-egress: the sender ENI's security groups on a packet leaving it
 * (domain-vpc.md §5, §10 step 1).
 *
 * Owns: a new flow's egress verdict — any rule of any of the ENI's groups admits it (the rule
 * named canonically: policy/egress.ts), else `SG_HAS_NO_RULES`, `SG_REFERENCES_NOT_PRESERVED`
 * or `ENI_SG_RULES_MISMATCH`; a group reference matches only while identity is preserved to the
 * destination ENI (the path decides: model/vpc/peering.ts `groupIdentityPreserved`, egress); a
 * reply of a tracked flow passes whatever the rules say (`tracked`), an untracked one is judged
 * by the rules; and whether the ENI leaves a flow untracked (§5).
 * Does not own: rule matching (policy/), or the path's identity (plan.ts follows it).
 */
import { describeVpcRule, evaluateEgress, untrackedAt } from '../../../policy/egress.ts';
import type { GroupView } from '../../../policy/vpc-match.ts';
import { groupsOfInterface, type VpcWorld } from '../../../model/vpc/world.ts';
import type { NetworkInterface } from '../../../model/vpc/types.ts';
import { admit, drop, type VpcPacket, type VpcVerdict } from './hop.ts';

export interface GroupContext {
  /** Whether group identity survives between the two ENIs on this packet's path. */
  readonly identityPreserved: boolean;
  /** The other end's groups (the ENI it reaches or came from), or null. */
  readonly peerGroups: readonly string[] | null;
}

export function egressView(world: VpcWorld, packet: VpcPacket, ctx: GroupContext): GroupView {
  return { protocol: packet.protocol, key: packet.key, peer: packet.destination, identityPreserved: ctx.identityPreserved, peerGroups: ctx.peerGroups, prefixLists: world.prefixLists };
}

/** The egress rules' verdict on `packet` leaving `eni` (a new flow, or an untracked reply). */
export function sgEgress(world: VpcWorld, eni: NetworkInterface, packet: VpcPacket, ctx: GroupContext): VpcVerdict {
  const d = evaluateEgress(groupsOfInterface(world, eni), egressView(world, packet, ctx));
  if (d.allowed) {
    const rule = describeVpcRule(d.admission.rule, 'egress');
    return admit({ group: d.admission.group.key, rule }, `group ${d.admission.group.key} allows ${rule}`);
  }
  const lost = d.lost === null ? '' : `; group ${d.lost.group.key} would allow it, but group identity is not preserved on this path`;
  return drop(d.code, `no egress rule of ${eni.groups.join(', ') || 'no group'} allows it${lost}`);
}

/** A reply leaving `eni` of a flow it tracks: passes whatever its rules say (§5). */
export function sgEgressTracked(eni: NetworkInterface): VpcVerdict {
  return { kind: 'tracked', detail: `a reply of a flow ${eni.id} tracks` };
}

/** Whether `eni`'s groups leave a new flow's outbound packet untracked (§5). */
export function egressUntracked(world: VpcWorld, eni: NetworkInterface, packet: VpcPacket, ctx: GroupContext): boolean {
  return untrackedAt(groupsOfInterface(world, eni), 'egress', egressView(world, packet, ctx));
}
