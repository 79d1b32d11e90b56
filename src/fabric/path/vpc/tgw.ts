/**
 * fabric/path/vpc/tgw: a transit gateway on a packet's way (domain-vpc.md §7, "How transit
 * gateways work", "How Network ACLs work with transit gateways").
 *
 * Owns: entering — the sending VPC's attachment, and its subnet in the zone the packet comes
 * from (none: `TGW_ROUTE_AZ_RESTRICTION`); which NACLs the attachment subnets add on the way in
 * and out (model/vpc/tgw.ts `tgwAttachmentNaclChecks`); the TGW table hop — the attachment's
 * associated table (none: `TGW_ATTACH_MISSING_TGW_RTB_ASSOCIATION`), its route (none:
 * `TGW_RTB_CANNOT_ROUTE`; blackhole: `TGW_RTB_BAD_STATE_ROUTE`), across TGW peering attachments
 * to the peer gateway's table (static routes only); all final. Transitive by design.
 */
import { formatCidr } from '../../../net/ipv4.ts';
import { attachmentSubnetInZone, lookupTgwRoute, tgwAttachmentNaclChecks, vpcAttachment, type NaclCheck } from '../../../model/vpc/tgw.ts';
import type { TgwAttachment, TransitGateway } from '../../../model/vpc/types.ts';
import { subnetOf, type VpcWorld } from '../../../model/vpc/world.ts';
import { admit, drop, formatIp, pass, type VpcVerdict } from './hop.ts';

type VpcAttachment = Extract<TgwAttachment, { kind: 'vpc' }>;

export interface TgwEntry {
  readonly verdict: VpcVerdict;
  readonly attachment: VpcAttachment | null;
  /** The NACL checks past the sending subnet's own outbound one (which plan.ts has made). */
  readonly naclChecks: readonly NaclCheck[];
}

export function tgwEnter(world: VpcWorld, tgw: TransitGateway, fromVpc: string, fromSubnet: string): TgwEntry {
  const attachment = vpcAttachment(tgw, fromVpc) ?? null;
  if (attachment === null) return { attachment, naclChecks: [], verdict: drop('NO_ROUTE_TO_DESTINATION', `${fromVpc} is not attached to ${tgw.id}`, true) };
  const zone = subnetOf(world, fromSubnet).zone;
  const sub = attachmentSubnetInZone(world, attachment, zone);
  if (sub === null) return { attachment, naclChecks: [], verdict: drop('TGW_ROUTE_AZ_RESTRICTION', `${attachment.id} has no subnet in ${zone}: sources there cannot use ${tgw.id}`, true) };
  return { attachment, naclChecks: tgwAttachmentNaclChecks(fromSubnet, sub, 'tgw').slice(1), verdict: pass(`enters ${tgw.id} by ${attachment.id} (subnet ${sub})`) };
}

export interface TgwRouteStep {
  readonly tgw: string;
  readonly verdict: VpcVerdict;
}

/** The TGW tables a packet from `attachment` to `destination` meets, and the VPC attachment it leaves by. */
export function tgwRoute(world: VpcWorld, tgw: TransitGateway, attachment: TgwAttachment, destination: number): { steps: readonly TgwRouteStep[]; exit: { tgw: TransitGateway; attachment: VpcAttachment } | null; peered: boolean } {
  const steps: TgwRouteStep[] = [];
  let gw = tgw;
  let from: TgwAttachment = attachment;
  let peered = false;
  for (let i = 0; i < 4; i++) {
    if (from.routeTable === null) {
      steps.push({ tgw: gw.id, verdict: drop('TGW_ATTACH_MISSING_TGW_RTB_ASSOCIATION', `${from.id} is associated with no route table of ${gw.id}`, true) });
      return { steps, exit: null, peered };
    }
    const r = lookupTgwRoute(world, gw, from.routeTable, destination);
    if (r.kind === 'none') {
      steps.push({ tgw: gw.id, verdict: drop('TGW_RTB_CANNOT_ROUTE', `${gw.id} table ${from.routeTable} has no route to ${formatIp(destination)}`, true) });
      return { steps, exit: null, peered };
    }
    const dest = formatCidr(r.matched);
    if (r.kind === 'blackhole') {
      steps.push({ tgw: gw.id, verdict: drop('TGW_RTB_BAD_STATE_ROUTE', `${gw.id} table ${from.routeTable}: ${dest} is a blackhole`, true, { route: { destination: dest, target: 'blackhole' } }) });
      return { steps, exit: null, peered };
    }
    steps.push({ tgw: gw.id, verdict: admit({ route: { destination: dest, target: r.attachment.id } }, `${gw.id} table ${from.routeTable}: ${dest} → ${r.attachment.id}`) });
    if (r.attachment.kind === 'vpc') return { steps, exit: { tgw: gw, attachment: r.attachment }, peered };
    const peer = world.transitGateways[r.attachment.peer];
    const back = peer === undefined ? undefined : Object.values(peer.attachments).find((a) => a.kind === 'peering' && a.peer === gw.id);
    if (peer === undefined || back === undefined) {
      steps.push({ tgw: r.attachment.peer, verdict: drop('TGW_RTB_CANNOT_ROUTE', `${r.attachment.id}: the peer gateway ${r.attachment.peer} has no peering attachment back`, true) });
      return { steps, exit: null, peered };
    }
    peered = true;
    gw = peer;
    from = back;
  }
  steps.push({ tgw: gw.id, verdict: drop('TGW_RTB_CANNOT_ROUTE', 'routing between transit gateways loops', true) });
  return { steps, exit: null, peered };
}

/** The NACL checks of a packet leaving the TGW by `attachment` toward `destSubnet`. */
export function tgwExitNacls(world: VpcWorld, attachment: VpcAttachment, destSubnet: string): readonly NaclCheck[] {
  const zone = subnetOf(world, destSubnet).zone;
  const sub = attachmentSubnetInZone(world, attachment, zone) ?? attachment.subnets[0];
  return sub === undefined ? [] : tgwAttachmentNaclChecks(destSubnet, sub, 'vpc');
}
