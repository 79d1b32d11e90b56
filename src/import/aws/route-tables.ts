/**
 * import/aws/route-tables: describe-route-tables (`RouteTables`) → `routeTables`.
 *
 * Owns: `VpcId`, `Associations[].Main/SubnetId` (gateway associations — edge route tables —
 * are warned), `Routes[]` but `local`: `DestinationCidrBlock` or `DestinationPrefixListId`,
 * the target (`GatewayId` igw-/vgw-, `NatGatewayId`, `VpcPeeringConnectionId`,
 * `TransitGatewayId`, `NetworkInterfaceId`, `InstanceId`), `State` (`blackhole`) and `Origin`
 * (`EnableVgwRoutePropagation` → `propagated`). A route to a target not loaded (deleted,
 * inactive, or in no file) is written as a blackhole with a warning; IPv6 routes, endpoint,
 * egress-only, carrier and local gateway targets are warned and left out.
 */
import { z } from 'zod';
import { cidr, hostCidr, labelled, tags } from './common.ts';
import { originOf, type ImportContext, type Origin, type ResourceModule } from './context.ts';
import type { Draft, RouteDoc } from './document.ts';

const route = z.looseObject({
  DestinationCidrBlock: cidr.optional(),
  DestinationPrefixListId: z.string().optional(),
  DestinationIpv6CidrBlock: z.string().optional(),
  GatewayId: z.string().optional(),
  NatGatewayId: z.string().optional(),
  VpcPeeringConnectionId: z.string().optional(),
  TransitGatewayId: z.string().optional(),
  NetworkInterfaceId: z.string().optional(),
  InstanceId: z.string().optional(),
  EgressOnlyInternetGatewayId: z.string().optional(),
  CarrierGatewayId: z.string().optional(),
  LocalGatewayId: z.string().optional(),
  CoreNetworkArn: z.string().optional(),
  State: z.string().optional(),
  Origin: z.string().optional(),
});
type Route = z.infer<typeof route>;
const table = z.looseObject({
  RouteTableId: z.string(),
  VpcId: z.string(),
  Associations: z
    .array(
      z.looseObject({
        Main: z.boolean().optional(),
        SubnetId: z.string().optional(),
        GatewayId: z.string().optional(),
        AssociationState: z.looseObject({ State: z.string() }).optional(),
      }),
    )
    .optional(),
  Routes: z.array(route).optional(),
  Tags: tags,
});
type Table = z.infer<typeof table>;
const ROUTE_TABLE = 'route table';

export const routeTablesModule: ResourceModule = {
  keys: { RouteTables: z.array(table) },
  collect(key, value, _file, at, ctx) {
    (value as Table[]).forEach((t, i) => ctx.store<Table>(ROUTE_TABLE).add(t.RouteTableId, t, originOf(at, `${key}[${i}]`)));
  },
};

/** Writes each table of a written VPC. Runs last but NACLs: every target must be known. */
export function emitRouteTables(ctx: ImportContext, draft: Draft): void {
  for (const [id, { value: t, origin }] of ctx.store<Table>(ROUTE_TABLE).entries()) {
    if (!draft.vpcs.has(t.VpcId)) {
      ctx.warn(origin, 'route table of an unknown VPC', `route table ${id} is in ${t.VpcId}, which no Vpcs file describes: not loaded`, '.VpcId');
      continue;
    }
    const flags = { main: false };
    const subnets: string[] = [];
    (t.Associations ?? []).forEach((a, k) => {
      const state = a.AssociationState?.State;
      if (state !== undefined && state !== 'associated') return;
      if (a.Main === true) flags.main = true;
      if (a.SubnetId !== undefined) {
        if (draft.subnets.has(a.SubnetId)) subnets.push(a.SubnetId);
        else ctx.warn(origin, 'association of an unknown subnet', `route table ${id} is associated with ${a.SubnetId}, which is not loaded`, `.Associations[${k}]`);
      }
      if (a.GatewayId !== undefined) ctx.warn(origin, 'edge route table', `route table ${id} is associated with gateway ${a.GatewayId} (an edge route table): not modelled`, `.Associations[${k}]`);
    });
    const routes: RouteDoc[] = [];
    (t.Routes ?? []).forEach((r, k) => {
      const written = routeOf(r, id, `.Routes[${k}]`, ctx, draft, origin);
      if (written) routes.push(written);
    });
    draft.routeTables.set(
      id,
      labelled(t.Tags, { vpc: t.VpcId, ...(flags.main ? { main: true as const } : {}), ...(subnets.length > 0 && { subnets: subnets.sort() }), routes }),
    );
  }
}

function routeOf(r: Route, table: string, path: string, ctx: ImportContext, draft: Draft, origin: Origin): RouteDoc | null {
  if (r.GatewayId === 'local') return null;
  if (r.DestinationCidrBlock === undefined && r.DestinationPrefixListId === undefined) {
    if (r.DestinationIpv6CidrBlock !== undefined) ctx.warn(origin, 'IPv6', `route table ${table}: IPv6 routes are not modelled`, path);
    else ctx.warn(origin, 'route without destination', `a route of ${table} without a destination: left out`, path);
    return null;
  }
  let destination: string;
  if (r.DestinationCidrBlock !== undefined) destination = hostCidr(r.DestinationCidrBlock) as string;
  else {
    destination = r.DestinationPrefixListId as string;
    if (!draft.prefixLists.has(destination)) {
      ctx.warn(origin, 'unknown prefix list', `route table ${table}: the route to prefix list ${destination}, which no PrefixLists file lists, is left out`, path);
      return null;
    }
  }
  const other = r.EgressOnlyInternetGatewayId ?? r.CarrierGatewayId ?? r.LocalGatewayId ?? r.CoreNetworkArn;
  if (other !== undefined || r.GatewayId?.startsWith('vpce-')) {
    const what = r.GatewayId?.startsWith('vpce-') ? 'VPC endpoint' : 'gateway';
    ctx.warn(origin, `${what} route`, `route table ${table}: the route ${destination} to ${other ?? r.GatewayId} (a ${what} sgsim does not model) is left out`, path);
    return null;
  }
  const target = r.NetworkInterfaceId ?? r.InstanceId ?? r.NatGatewayId ?? r.VpcPeeringConnectionId ?? r.TransitGatewayId ?? r.GatewayId;
  if (target === undefined) {
    ctx.warn(origin, 'route without target', `route table ${table}: the route ${destination} has no target: left out`, path);
    return null;
  }
  const name = targetName(target, r, draft);
  const propagated = r.Origin === 'EnableVgwRoutePropagation' ? { propagated: true as const } : {};
  if (r.State === 'blackhole') return { destination, target: name ?? target, state: 'blackhole', ...propagated };
  if (name === undefined) {
    ctx.warn(origin, 'unknown target', `route table ${table}: the route ${destination} goes to ${target}, which is not loaded (deleted, inactive or in no file): written as a blackhole`, path);
    return { destination, target, state: 'blackhole', ...propagated };
  }
  return { destination, target: name, ...propagated };
}

/** The scenario's name of a loaded route target, or undefined. */
function targetName(target: string, r: Route, draft: Draft): string | undefined {
  if (r.NetworkInterfaceId !== undefined || r.InstanceId !== undefined) {
    const byEni = r.NetworkInterfaceId !== undefined ? draft.interfaceNames.get(r.NetworkInterfaceId) : undefined;
    if (byEni !== undefined) return byEni;
    return r.InstanceId !== undefined && draft.instances.has(r.InstanceId) ? r.InstanceId : undefined;
  }
  const known =
    draft.internetGateways.has(target) || draft.vpnGateways.has(target) || draft.natGateways.has(target) || draft.peerings.has(target) || draft.transitGateways.has(target);
  return known ? target : undefined;
}
