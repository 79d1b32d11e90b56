/**
 * model/vpc/tgw: transit gateway routing (domain-vpc.md §7, "How transit gateways work").
 *
 * Owns: a TGW route table's routes — its static and blackhole routes, plus one propagated route
 * per block of each VPC whose attachment propagates into it (identical CIDRs are not both
 * propagated: the first attachment by id keeps it, "Amazon VPC attachments in Amazon VPC Transit
 * Gateways"); selection by longest prefix, then static > prefix list > VPC-propagated (the
 * other origins of §7 are not modelled), ties by prefix-list id then attachment id; a chosen
 * route without attachment is a blackhole (`TGW_RTB_BAD_STATE_ROUTE`), no route is
 * `TGW_RTB_CANNOT_ROUTE`; the table an attachment's packets are routed by (none:
 * `TGW_ATTACH_MISSING_TGW_RTB_ASSOCIATION`); and the AZ rule: a VPC reaches the TGW only from a
 * zone where its attachment has a subnet (`TGW_ROUTE_AZ_RESTRICTION`); which NACLs a packet
 * between an instance's subnet and its attachment subnet meets (§6, "How Network ACLs work with
 * transit gateways").
 * Does not own: evaluating those NACLs (policy/nacl.ts, the hops) or what lies past the attachment.
 */
import type { Cidr, Ip } from '../../net/ipv4.ts';
import { longestPrefixMatch, type PrefixCandidate } from '../../net/lpm.ts';
import type { Direction, PrefixList, TgwAttachment, TgwRoute, TgwRouteTable, TransitGateway } from './types.ts';
import { sameCidr } from './types.ts';
import type { VpcWorld } from './world.ts';

export type TgwLookup =
  | { readonly kind: 'route'; readonly route: TgwRoute; readonly attachment: TgwAttachment; readonly matched: Cidr }
  | { readonly kind: 'blackhole'; readonly route: TgwRoute; readonly matched: Cidr }
  | { readonly kind: 'none' };

const ORIGIN_PRIORITY: Readonly<Record<TgwRoute['origin'], number>> = { static: 0, prefixList: 1, propagated: 2 };

/** The priority of a TGW route among equal prefixes (lower wins). A static route to a prefix
 * list ranks as `prefixList`. */
export function tgwRoutePriority(route: TgwRoute): number {
  return route.origin === 'static' && route.destination.kind === 'prefixList' ? ORIGIN_PRIORITY.prefixList : ORIGIN_PRIORITY[route.origin];
}

export function compareTgwRoutes(a: TgwRoute, b: TgwRoute): number {
  const d = tgwRoutePriority(a) - tgwRoutePriority(b);
  if (d !== 0) return d;
  const la = a.destination.kind === 'prefixList' ? a.destination.prefixList : '';
  const lb = b.destination.kind === 'prefixList' ? b.destination.prefixList : '';
  if (la !== lb) return la < lb ? -1 : 1;
  const xa = a.attachment ?? '';
  const xb = b.attachment ?? '';
  return xa < xb ? -1 : xa > xb ? 1 : 0;
}

/** A TGW route table's routes: static ones, then those propagated into it. */
export function tgwTableRoutes(world: VpcWorld, tgw: TransitGateway, tableId: string): readonly TgwRoute[] {
  const table: TgwRouteTable | undefined = tgw.routeTables[tableId];
  if (table === undefined) return [];
  const routes: TgwRoute[] = [...table.routes];
  const propagated: Cidr[] = [];
  const attachments = Object.values(tgw.attachments).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (const a of attachments) {
    if (a.kind !== 'vpc' || !a.propagate.includes(tableId)) continue;
    const vpc = world.vpcs[a.vpc];
    if (vpc === undefined) continue;
    for (const cidr of vpc.cidrs) {
      if (propagated.some((c) => sameCidr(c, cidr))) continue;
      propagated.push(cidr);
      routes.push({ destination: { kind: 'cidr', cidr }, attachment: a.id, origin: 'propagated' });
    }
  }
  return routes;
}

function* candidates(routes: readonly TgwRoute[], prefixLists: Readonly<Record<string, PrefixList>>): Iterable<PrefixCandidate<TgwRoute>> {
  for (const route of routes) {
    const cidrs = route.destination.kind === 'cidr' ? [route.destination.cidr] : (prefixLists[route.destination.prefixList]?.cidrs ?? []);
    for (const cidr of cidrs) yield { cidr, value: route };
  }
}

/** The route a TGW route table gives `destination`. */
export function lookupTgwRoute(world: VpcWorld, tgw: TransitGateway, tableId: string, destination: Ip): TgwLookup {
  const best = longestPrefixMatch(candidates(tgwTableRoutes(world, tgw, tableId), world.prefixLists), destination, compareTgwRoutes);
  if (best === null) return { kind: 'none' };
  const attachment = best.value.attachment === null ? undefined : tgw.attachments[best.value.attachment];
  if (attachment === undefined) return { kind: 'blackhole', route: best.value, matched: best.cidr };
  return { kind: 'route', route: best.value, attachment, matched: best.cidr };
}

/** The attachment of `vpc` to a TGW, if any. */
export function vpcAttachment(tgw: TransitGateway, vpc: string): Extract<TgwAttachment, { kind: 'vpc' }> | undefined {
  for (const a of Object.values(tgw.attachments)) if (a.kind === 'vpc' && a.vpc === vpc) return a;
  return undefined;
}

/** The attachment subnet a source in `zone` enters the TGW by, or null (`TGW_ROUTE_AZ_RESTRICTION`). */
export function attachmentSubnetInZone(world: VpcWorld, attachment: Extract<TgwAttachment, { kind: 'vpc' }>, zone: string): string | null {
  for (const s of attachment.subnets) if (world.subnets[s]?.zone === zone) return s;
  return null;
}

/** One NACL evaluation: the NACL of `subnet`, its rules of `direction`. */
export interface NaclCheck {
  readonly subnet: string;
  readonly direction: Direction;
}

/**
 * The NACL evaluations, in order, of a packet between an instance's subnet and the attachment
 * subnet of its VPC in that zone ("How Network ACLs work with transit gateways"):
 * - one subnet for both: toward the TGW, its outbound rules (by destination) then its inbound
 *   rules (by source); from the TGW, none;
 * - two subnets: toward the TGW, the instance subnet's outbound then the attachment subnet's
 *   inbound rules; from the TGW, the attachment subnet's outbound then the instance subnet's
 *   inbound rules.
 */
export function tgwAttachmentNaclChecks(instanceSubnet: string, attachmentSubnet: string, toward: 'tgw' | 'vpc'): readonly NaclCheck[] {
  if (instanceSubnet === attachmentSubnet) {
    return toward === 'tgw' ? [{ subnet: instanceSubnet, direction: 'egress' }, { subnet: instanceSubnet, direction: 'ingress' }] : [];
  }
  return toward === 'tgw'
    ? [{ subnet: instanceSubnet, direction: 'egress' }, { subnet: attachmentSubnet, direction: 'ingress' }]
    : [{ subnet: attachmentSubnet, direction: 'egress' }, { subnet: instanceSubnet, direction: 'ingress' }];
}
