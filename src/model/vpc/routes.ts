/**
 * model/vpc/routes: which route of a subnet's route table a packet takes (domain-vpc.md §3,
 * "How route priority works"), and whether a packet crosses a subnet boundary.
 *
 * Owns: route selection — the longest prefix containing the destination wins; for the same
 * prefix a static route to a CIDR beats a route to a prefix list, which beats a propagated
 * route; two prefix lists tie-break by the lowest `pl-` id (Decision, §3: AWS says "arbitrary
 * but stable"). The `local` route is a static CIDR route, so nothing of equal prefix displaces
 * it (docs/vpc.md, Decisions). A prefix-list route counts once per CIDR of its list, each with
 * its own length. The answer does not depend on the order of the routes (a property test).
 * A chosen route whose state is `blackhole`, or whose target is gone or not functional (a
 * detached IGW or VGW, a deleted NAT gateway, a peering that is not `active`, a missing TGW,
 * ENI or instance), is a blackhole: the packet drops with `BAD_STATE_ROUTE` (§3, §13).
 * Traffic between private IPs of one subnet never consults the table (layer 2, §3): the hops
 * ask crossesSubnetBoundary first, and NACLs apply only when it says yes (§6).
 * Does not own: the TGW's own tables (tgw.ts) or what a gateway does with the packet (the hops).
 */
import { cidrContains, type Cidr, type Ip } from '../../net/ipv4.ts';
import { longestPrefixMatch, type PrefixCandidate } from '../../net/lpm.ts';
import type { PrefixList, Route, RouteTable, Subnet } from './types.ts';
import { getInstance, getInterface, routeTableOfSubnet, subnetOf, type VpcWorld } from './world.ts';

export type RouteLookup =
  /** The route and the CIDR of it that matched (a prefix list's entry, for prefix-list routes). */
  | { readonly kind: 'route'; readonly route: Route; readonly matched: Cidr }
  /** The chosen route cannot deliver: `BAD_STATE_ROUTE`. */
  | { readonly kind: 'blackhole'; readonly route: Route; readonly matched: Cidr; readonly reason: string }
  /** No route contains the destination: `NO_ROUTE_TO_DESTINATION`. */
  | { readonly kind: 'none' };

/** How a route ranks among routes of equal prefix: lower wins (static CIDR, prefix list, propagated). */
export function routePriority(route: Route): number {
  if (route.origin === 'propagated') return 2;
  return route.destination.kind === 'cidr' ? 0 : 1;
}

/** The total order among routes of one prefix: priority, then prefix-list id, then target. */
export function compareRoutes(a: Route, b: Route): number {
  const pa = routePriority(a);
  const pb = routePriority(b);
  if (pa !== pb) return pa - pb;
  const la = a.destination.kind === 'prefixList' ? a.destination.prefixList : '';
  const lb = b.destination.kind === 'prefixList' ? b.destination.prefixList : '';
  if (la !== lb) return la < lb ? -1 : 1;
  const ta = `${a.target.kind}:${a.target.id}`;
  const tb = `${b.target.kind}:${b.target.id}`;
  return ta < tb ? -1 : ta > tb ? 1 : 0;
}

/** A route's destination as CIDRs: its own, or its prefix list's (none if the list is unknown). */
export function routeCidrs(route: Route, prefixLists: Readonly<Record<string, PrefixList>>): readonly Cidr[] {
  return route.destination.kind === 'cidr' ? [route.destination.cidr] : (prefixLists[route.destination.prefixList]?.cidrs ?? []);
}

function* candidates(routes: readonly Route[], prefixLists: Readonly<Record<string, PrefixList>>): Iterable<PrefixCandidate<Route>> {
  for (const route of routes) for (const cidr of routeCidrs(route, prefixLists)) yield { cidr, value: route };
}

/** The route a table gives `destination`, by longest prefix then priority; null if none. */
export function selectRoute(routes: readonly Route[], destination: Ip, prefixLists: Readonly<Record<string, PrefixList>>): { route: Route; matched: Cidr } | null {
  const best = longestPrefixMatch(candidates(routes, prefixLists), destination, compareRoutes);
  return best === null ? null : { route: best.value, matched: best.cidr };
}

/**
 * Why a route's target cannot deliver now, or null when it can. (Whether an ENI or instance
 * target forwards — source/dest check, running — is the appliance hop's question.)
 */
export function blackholeReason(world: VpcWorld, table: RouteTable, route: Route): string | null {
  if (route.state === 'blackhole') return 'the route is a blackhole';
  const { kind, id } = route.target;
  switch (kind) {
    case 'local':
      return null;
    case 'igw': {
      const g = world.internetGateways[id];
      return g === undefined ? `internet gateway ${id} does not exist` : g.vpc !== table.vpc ? `internet gateway ${id} is not attached to ${table.vpc}` : null;
    }
    case 'vgw': {
      const g = world.vpnGateways[id];
      return g === undefined ? `VPN gateway ${id} does not exist` : g.vpc !== table.vpc ? `VPN gateway ${id} is not attached to ${table.vpc}` : null;
    }
    case 'nat': {
      const n = world.natGateways[id];
      return n === undefined || n.state !== 'available' ? `NAT gateway ${id} is not available` : null;
    }
    case 'pcx': {
      const p = world.peerings[id];
      if (p === undefined) return `peering ${id} does not exist`;
      if (p.status !== 'active') return `peering ${id} is ${p.status}`;
      return p.requester !== table.vpc && p.accepter !== table.vpc ? `peering ${id} does not connect ${table.vpc}` : null;
    }
    case 'tgw':
      return world.transitGateways[id] === undefined ? `transit gateway ${id} does not exist` : null;
    case 'eni':
      return getInterface(world, id) === undefined ? `network interface ${id} does not exist` : null;
    case 'instance': {
      const inst = getInstance(world, id);
      return inst === undefined || inst.state === 'terminated' ? `instance ${id} does not exist` : null;
    }
  }
}

/** The route a table gives a packet to `destination`, or a blackhole, or none. */
export function lookupRoute(world: VpcWorld, table: RouteTable, destination: Ip): RouteLookup {
  const chosen = selectRoute(table.routes, destination, world.prefixLists);
  if (chosen === null) return { kind: 'none' };
  const reason = blackholeReason(world, table, chosen.route);
  return reason === null ? { kind: 'route', ...chosen } : { kind: 'blackhole', ...chosen, reason };
}

/** The route a packet from `subnetId` to `destination` takes (the subnet's table: §3). */
export function lookupRouteFromSubnet(world: VpcWorld, subnetId: string, destination: Ip): RouteLookup {
  return lookupRoute(world, routeTableOfSubnet(world, subnetId), destination);
}

/**
 * Whether a packet sent from `subnet` to `destination` (the address as sent) leaves the subnet:
 * false for a private IP inside the subnet's block, delivered at layer 2 without the route
 * table or the NACL (§3, §6; invariant 2 of §12). A packet to a public address always leaves,
 * even when its holder is in the same subnet (the hairpin through the IGW: §4).
 */
export function crossesSubnetBoundary(subnet: Subnet, destination: Ip): boolean {
  return !cidrContains(subnet.cidr, destination);
}

/** crossesSubnetBoundary by subnet id. */
export function leavesSubnet(world: VpcWorld, subnetId: string, destination: Ip): boolean {
  return crossesSubnetBoundary(subnetOf(world, subnetId), destination);
}
