/**
 * fabric/path/vpc/eni: a network interface a packet reaches — its destination, or an appliance
 * a route names (domain-vpc.md §3, §4, §10 steps 1 and 5).
 *
 * Owns: the sender's state (a stopped instance sends nothing: `SOURCE_NOT_RUNNING`, final); the
 * destination ENI check (a stopped instance keeps its addresses, and a packet to them is
 * `BAD_STATE`); an appliance target (eni/instance route) forwards only with source/dest check
 * off (`ENI_SOURCE_DEST_CHECK_RESTRICTION`) and while running (`BAD_STATE`).
 */
import type { NetworkInterface } from '../../../model/vpc/types.ts';
import { getInstance, type VpcWorld } from '../../../model/vpc/world.ts';
import { drop, formatIp, pass, type VpcPacket, type VpcVerdict } from './hop.ts';

function running(world: VpcWorld, eni: NetworkInterface): boolean {
  return eni.instance !== null && getInstance(world, eni.instance)?.state === 'running';
}

export function senderEni(world: VpcWorld, eni: NetworkInterface): VpcVerdict {
  return running(world, eni) ? pass(`${eni.id} sends`) : drop('SOURCE_NOT_RUNNING', `${eni.instance ?? eni.id} is not running`, true);
}

export function destinationEni(world: VpcWorld, eni: NetworkInterface, packet: VpcPacket): VpcVerdict {
  if (!running(world, eni)) return drop('BAD_STATE', `${eni.instance ?? eni.id} is not running: ${formatIp(packet.destination)} answers nothing`);
  return pass(`${eni.id} holds ${formatIp(packet.destination)}`);
}

export function applianceEni(world: VpcWorld, eni: NetworkInterface): VpcVerdict {
  if (!running(world, eni)) return drop('BAD_STATE', `appliance ${eni.instance ?? eni.id} is not running`, true);
  if (eni.sourceDestCheck) return drop('ENI_SOURCE_DEST_CHECK_RESTRICTION', `${eni.id} has source/dest check on: it does not forward others' packets`);
  return pass(`appliance ${eni.id} forwards it (group identity is lost)`);
}
