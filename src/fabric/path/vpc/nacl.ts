/**
 * fabric/path/vpc/nacl: a subnet's network ACL on a packet leaving (`nacl-out`) or entering
 * (`nacl-in`) it (domain-vpc.md §6, §10 steps 3 and 5).
 *
 * Owns: the hop — the subnet's ACL (its own, else the VPC's default), its rules of the
 * direction, the lowest-numbered match decides (policy/nacl.ts), `*` denies; a deny is
 * `SUBNET_ACL_RESTRICTION` naming the entry. Stateless: a reply is judged like any packet, so a
 * NACL without the answers' ephemeral ports drops them. Plan.ts asks it only when a packet
 * crosses a subnet boundary (§6), so same-subnet traffic never meets it.
 */
import { describeNaclDecision, evaluateNacl } from '../../../policy/nacl.ts';
import { networkAclOfSubnet, type VpcWorld } from '../../../model/vpc/world.ts';
import type { Direction } from '../../../model/vpc/types.ts';
import { admit, drop, type VpcPacket, type VpcVerdict } from './hop.ts';

export function naclHop(world: VpcWorld, subnet: string, direction: Direction, packet: VpcPacket): { acl: string; verdict: VpcVerdict } {
  const acl = networkAclOfSubnet(world, subnet);
  const d = evaluateNacl(acl, direction, { protocol: packet.protocol, key: packet.key, source: packet.source, destination: packet.destination });
  const what = `${acl.id} ${direction === 'ingress' ? 'inbound' : 'outbound'} (subnet ${subnet}): ${describeNaclDecision(d)}`;
  return { acl: acl.id, verdict: d.action === 'allow' ? admit({ entry: d.number }, what) : drop('SUBNET_ACL_RESTRICTION', what, false, { entry: d.number }) };
}
