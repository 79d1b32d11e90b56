/**
 * fabric/path/vpc/route: the route table of the subnet a packet leaves (domain-vpc.md §3,
 * §10 step 2).
 *
 * Owns: the hop — the subnet's table (explicit, else main), the route model/vpc/routes.ts
 * selects (longest prefix, then static > prefix list > propagated), `NO_ROUTE_TO_DESTINATION`
 * when none contains the destination and `BAD_STATE_ROUTE` on a blackhole (both final: the
 * packet has nowhere to go). Plan.ts skips it for a private destination in the same subnet
 * (layer 2, §3) and follows the target the route names.
 */
import { formatCidr } from '../../../net/ipv4.ts';
import { lookupRouteFromSubnet } from '../../../model/vpc/routes.ts';
import { routeTableOfSubnet, type VpcWorld } from '../../../model/vpc/world.ts';
import type { Route, RouteTarget } from '../../../model/vpc/types.ts';
import { admit, drop, formatIp, type VpcVerdict } from './hop.ts';

function describe(route: Route): { destination: string; target: string } {
  const destination = route.destination.kind === 'cidr' ? formatCidr(route.destination.cidr) : route.destination.prefixList;
  return { destination, target: route.target.kind === 'local' ? 'local' : route.target.id };
}

export function routeHop(world: VpcWorld, subnet: string, destination: number): { table: string; verdict: VpcVerdict; target: RouteTarget | null } {
  const table = routeTableOfSubnet(world, subnet).id;
  const r = lookupRouteFromSubnet(world, subnet, destination);
  if (r.kind === 'none') return { table, target: null, verdict: drop('NO_ROUTE_TO_DESTINATION', `${table} has no route to ${formatIp(destination)}`, true) };
  const route = describe(r.route);
  if (r.kind === 'blackhole') return { table, target: null, verdict: drop('BAD_STATE_ROUTE', `${table}: ${route.destination} → ${route.target}: ${r.reason}`, true, { route }) };
  return { table, target: r.route.target, verdict: admit({ route }, `${table}: ${route.destination} → ${route.target}`) };
}
