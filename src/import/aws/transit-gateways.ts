/**
 * import/aws/transit-gateways: the transit gateway calls → `transitGateways`.
 *
 * Owns: describe-transit-gateways (`TransitGateways`: `State`, `Options.DnsSupport`,
 * `Options.SecurityGroupReferencingSupport`), describe-transit-gateway-attachments
 * (`TransitGatewayAttachments`: `ResourceType` vpc or peering, `ResourceId`, `State`,
 * `Association.TransitGatewayRouteTableId/State`; a peering attachment is listed under each of
 * its two gateways), describe-transit-gateway-vpc-attachments (`TransitGatewayVpcAttachments`:
 * `VpcId`, `SubnetIds`), describe-transit-gateway-route-tables (`TransitGatewayRouteTables`),
 * and Batfish's packaging of the route tables' propagations and static routes
 * (`TransitGatewayPropagations`, `TransitGatewayStaticRoutes`). Only `available` objects load;
 * VPN, Direct Connect and Connect attachments are warned. A peering attachment's two sides
 * (one AWS id under both gateways) are named `<id>-<gateway>`, a scenario name being one thing.
 */
import { z } from 'zod';
import { cidr, hostCidr, labelled, tags } from './common.ts';
import { originOf, type ImportContext, type Origin, type ResourceModule } from './context.ts';
import type { Draft, TgwAttachmentDoc, TgwRouteDoc, TransitGatewayDoc } from './document.ts';
import { fallbackRegion } from './vpcs.ts';

const tgw = z.looseObject({
  TransitGatewayId: z.string(),
  OwnerId: z.string().optional(),
  State: z.string().optional(),
  Options: z.looseObject({ DnsSupport: z.string().optional(), SecurityGroupReferencingSupport: z.string().optional() }).optional(),
  Tags: tags,
});
const attachment = z.looseObject({
  TransitGatewayAttachmentId: z.string(),
  TransitGatewayId: z.string(),
  ResourceType: z.string(),
  ResourceId: z.string().optional(),
  State: z.string().optional(),
  Association: z.looseObject({ TransitGatewayRouteTableId: z.string(), State: z.string().optional() }).optional(),
  Tags: tags,
});
const vpcAttachment = z.looseObject({
  TransitGatewayAttachmentId: z.string(),
  TransitGatewayId: z.string(),
  VpcId: z.string(),
  SubnetIds: z.array(z.string()).optional(),
  State: z.string().optional(),
  Options: z.looseObject({ SecurityGroupReferencingSupport: z.string().optional() }).optional(),
  Tags: tags,
});
const routeTable = z.looseObject({ TransitGatewayRouteTableId: z.string(), TransitGatewayId: z.string(), State: z.string().optional(), Tags: tags });
const propagations = z.looseObject({
  TransitGatewayRouteTableId: z.string(),
  TransitGatewayRouteTablePropagations: z.array(z.looseObject({ TransitGatewayAttachmentId: z.string(), State: z.string().optional() })),
});
const staticRoutes = z.looseObject({
  TransitGatewayRouteTableId: z.string(),
  Routes: z.array(
    z.looseObject({
      DestinationCidrBlock: cidr.optional(),
      PrefixListId: z.string().optional(),
      State: z.string(),
      Type: z.string().optional(),
      TransitGatewayAttachments: z.array(z.looseObject({ TransitGatewayAttachmentId: z.string() })).optional(),
    }),
  ),
});
type Tgw = z.infer<typeof tgw>;
type Attachment = z.infer<typeof attachment>;
type VpcAttachment = z.infer<typeof vpcAttachment>;
type RouteTable = z.infer<typeof routeTable>;
type Propagations = z.infer<typeof propagations>;
type StaticRoutes = z.infer<typeof staticRoutes>;

const TGW = 'transit gateway';
const ATTACHMENT = 'transit gateway attachment';
const VPC_ATTACHMENT = 'transit gateway VPC attachment';
const ROUTE_TABLE = 'transit gateway route table';
const PROPAGATIONS = 'transit gateway route table propagations';
const STATIC_ROUTES = 'transit gateway route table static routes';

export const transitGatewaysModule: ResourceModule = {
  keys: {
    TransitGateways: z.array(tgw),
    TransitGatewayAttachments: z.array(attachment),
    TransitGatewayVpcAttachments: z.array(vpcAttachment),
    TransitGatewayRouteTables: z.array(routeTable),
    TransitGatewayPropagations: z.array(propagations),
    TransitGatewayStaticRoutes: z.array(staticRoutes),
  },
  collect(key, value, _file, at, ctx) {
    const at_ = (i: number): Origin => originOf(at, `${key}[${i}]`);
    switch (key) {
      case 'TransitGateways':
        return (value as Tgw[]).forEach((t, i) => ctx.store<Tgw>(TGW).add(t.TransitGatewayId, t, at_(i)));
      case 'TransitGatewayAttachments':
        return (value as Attachment[]).forEach((a, i) => ctx.store<Attachment>(ATTACHMENT).add(`${a.TransitGatewayId} ${a.TransitGatewayAttachmentId}`, a, at_(i)));
      case 'TransitGatewayVpcAttachments':
        return (value as VpcAttachment[]).forEach((a, i) => ctx.store<VpcAttachment>(VPC_ATTACHMENT).add(a.TransitGatewayAttachmentId, a, at_(i)));
      case 'TransitGatewayRouteTables':
        return (value as RouteTable[]).forEach((r, i) => ctx.store<RouteTable>(ROUTE_TABLE).add(r.TransitGatewayRouteTableId, r, at_(i)));
      case 'TransitGatewayPropagations':
        return (value as Propagations[]).forEach((p, i) => ctx.store<Propagations>(PROPAGATIONS).add(p.TransitGatewayRouteTableId, p, at_(i)));
      default:
        return (value as StaticRoutes[]).forEach((r, i) => ctx.store<StaticRoutes>(STATIC_ROUTES).add(r.TransitGatewayRouteTableId, r, at_(i)));
    }
  },
};

const available = (state: string | undefined): boolean => state === undefined || state === 'available';

/** Writes available transit gateways with their tables and attachments. Runs after emitSubnets. */
export function emitTransitGateways(ctx: ImportContext, draft: Draft): void {
  const gateways = ctx.store<Tgw>(TGW).entries();
  const written = new Set(gateways.filter(([, { value }]) => available(value.State)).map(([id]) => id));
  // A peering attachment is listed under both its gateways with one id; each side gets a name of its own.
  const sides = new Map<string, number>();
  for (const [, { value: a }] of ctx.store<Attachment>(ATTACHMENT).entries()) {
    if (written.has(a.TransitGatewayId)) sides.set(a.TransitGatewayAttachmentId, (sides.get(a.TransitGatewayAttachmentId) ?? 0) + 1);
  }
  const nameOf = (tgwId: string, attachmentId: string): string => ((sides.get(attachmentId) ?? 0) > 1 ? `${attachmentId}-${tgwId}` : attachmentId);
  for (const [id, { value: t, origin }] of gateways) {
    if (!written.has(id)) {
      ctx.warn(origin, 'transit gateway state', `transit gateway ${id} is ${t.State}: not loaded (routes to it are blackholes)`, '.State');
      continue;
    }
    const tables = ctx.store<RouteTable>(ROUTE_TABLE).entries().filter(([, r]) => r.value.TransitGatewayId === id);
    const tableIds = new Set<string>();
    for (const [rid, { value: r, origin: ro }] of tables) {
      if (available(r.State)) tableIds.add(rid);
      else ctx.warn(ro, 'transit gateway state', `transit gateway route table ${rid} is ${r.State}: not loaded`, '.State');
    }
    const attachments = attachmentsOf(ctx, draft, id, tableIds, written, (a) => nameOf(id, a));
    const routeTables: TransitGatewayDoc['routeTables'] = {};
    for (const [rid, { value: r }] of tables) {
      if (tableIds.has(rid)) routeTables[rid] = labelled(r.Tags, { routes: staticRoutesOf(ctx, rid, attachments, (a) => nameOf(id, a)) });
    }
    const vpcRegions = Object.values(attachments).flatMap((a) => ('vpc' in a ? [draft.vpcs.get(a.vpc)?.region] : []));
    const region = origin.region ?? vpcRegions.find((r) => r !== undefined) ?? fallbackRegion(ctx, origin, `transit gateway ${id}`);
    draft.transitGateways.set(
      id,
      labelled(t.Tags, {
        region,
        dnsSupport: t.Options?.DnsSupport !== 'disable',
        sgReferencing: t.Options?.SecurityGroupReferencingSupport === 'enable',
        routeTables,
        attachments,
      }),
    );
  }
}

function attachmentsOf(
  ctx: ImportContext,
  draft: Draft,
  tgwId: string,
  tableIds: ReadonlySet<string>,
  gateways: ReadonlySet<string>,
  nameOf: (attachmentId: string) => string,
): Record<string, TgwAttachmentDoc> {
  const out: Record<string, TgwAttachmentDoc> = {};
  const listed = ctx.store<Attachment>(ATTACHMENT).entries().filter(([, a]) => a.value.TransitGatewayId === tgwId);
  const vpcOnly = ctx.store<VpcAttachment>(VPC_ATTACHMENT).entries().filter(([aid, a]) => a.value.TransitGatewayId === tgwId && !listed.some(([, l]) => l.value.TransitGatewayAttachmentId === aid));
  const all: { id: string; type: string; resource?: string; state?: string; table?: string; origin: Origin; tags: Attachment['Tags'] }[] = [
    ...listed.map(([, { value: a, origin }]) => ({
      id: a.TransitGatewayAttachmentId,
      type: a.ResourceType,
      resource: a.ResourceId,
      state: a.State,
      table: a.Association && (a.Association.State === undefined || a.Association.State === 'associated') ? a.Association.TransitGatewayRouteTableId : undefined,
      origin,
      tags: a.Tags,
    })),
    ...vpcOnly.map(([aid, { value: a, origin }]) => ({ id: aid, type: 'vpc', resource: a.VpcId, state: a.State, origin, tags: a.Tags })),
  ].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (const a of all) {
    if (!available(a.state)) {
      ctx.warn(a.origin, 'transit gateway state', `transit gateway attachment ${a.id} is ${a.state}: not loaded`, '.State');
      continue;
    }
    const routeTable = a.table !== undefined && tableIds.has(a.table) ? a.table : undefined;
    if (a.type === 'vpc') {
      const detail = ctx.store<VpcAttachment>(VPC_ATTACHMENT).get(a.id)?.value;
      const vpc = detail?.VpcId ?? a.resource;
      if (vpc === undefined || !draft.vpcs.has(vpc)) {
        ctx.warn(a.origin, 'attachment of an unknown VPC', `transit gateway attachment ${a.id}: VPC ${vpc ?? '?'} is in no Vpcs file: not loaded`);
        continue;
      }
      if (detail === undefined) ctx.warn(a.origin, 'attachment without subnets', `transit gateway attachment ${a.id}: no TransitGatewayVpcAttachments file gives its subnets: it has none`);
      const subnets = (detail?.SubnetIds ?? []).filter((s) => draft.subnets.has(s)).sort();
      const propagate = ctx
        .store<Propagations>(PROPAGATIONS)
        .entries()
        .filter(([rid, p]) => tableIds.has(rid) && p.value.TransitGatewayRouteTablePropagations.some((x) => x.TransitGatewayAttachmentId === a.id && (x.State === undefined || x.State === 'enabled')))
        .map(([rid]) => rid);
      const noReferencing = detail?.Options?.SecurityGroupReferencingSupport === 'disable';
      out[nameOf(a.id)] = labelled(a.tags, {
        vpc,
        subnets,
        ...(routeTable !== undefined && { routeTable }),
        ...(propagate.length > 0 && { propagate }),
        ...(noReferencing && { sgReferencing: false as const }),
      });
    } else if (a.type === 'peering') {
      if (a.resource === undefined || !gateways.has(a.resource)) {
        ctx.warn(a.origin, 'peer transit gateway unknown', `transit gateway attachment ${a.id}: the peer ${a.resource ?? '?'} is in no TransitGateways file: not loaded`);
        continue;
      }
      out[nameOf(a.id)] = labelled(a.tags, { peer: a.resource, ...(routeTable !== undefined && { routeTable }) });
    } else {
      ctx.warn(a.origin, `transit gateway ${a.type} attachment`, `transit gateway attachment ${a.id} is a ${a.type} attachment: not modelled`, '.ResourceType');
    }
  }
  return out;
}

function staticRoutesOf(ctx: ImportContext, tableId: string, attachments: Readonly<Record<string, TgwAttachmentDoc>>, nameOf: (attachmentId: string) => string): TgwRouteDoc[] {
  const found = ctx.store<StaticRoutes>(STATIC_ROUTES).get(tableId);
  if (!found) return [];
  const out: TgwRouteDoc[] = [];
  found.value.Routes.forEach((r, i) => {
    if (r.Type !== undefined && r.Type !== 'static') return; // propagated routes come from the attachments' `propagate`
    if (r.DestinationCidrBlock === undefined) {
      ctx.warn(found.origin, 'transit gateway prefix-list route', `a route of ${tableId} to a prefix list: not modelled`, `.Routes[${i}]`);
      return;
    }
    const destination = hostCidr(r.DestinationCidrBlock) as string;
    const targets = r.TransitGatewayAttachments ?? [];
    if (r.State === 'blackhole' || targets.length === 0) {
      out.push({ destination, blackhole: true });
      return;
    }
    if (targets.length > 1) ctx.warn(found.origin, 'transit gateway ECMP route', `route ${destination} of ${tableId} has ${targets.length} attachments: only the first is modelled`, `.Routes[${i}]`);
    const attachment = nameOf(targets[0].TransitGatewayAttachmentId);
    if (attachments[attachment] === undefined) {
      ctx.warn(found.origin, 'unknown target', `route ${destination} of ${tableId} goes to ${attachment}, which is not loaded: written as a blackhole`, `.Routes[${i}]`);
      out.push({ destination, blackhole: true });
    } else out.push({ destination, attachment });
  });
  return out;
}

/** The VPCs attached with group referencing to each written transit gateway that has it on (for stale checks). */
export function referencingGroups(draft: Draft): { vpcs: Set<string> }[] {
  return [...draft.transitGateways.values()]
    .filter((t) => t.sgReferencing)
    .map((t) => ({ vpcs: new Set(Object.values(t.attachments).flatMap((a) => ('vpc' in a && a.sgReferencing !== false ? [a.vpc] : []))) }));
}
