/**
 * scenario/vpc/transit: transit gateways, their route tables and attachments.
 *
 * Owns: `transitGateways.<t>`: region, `account` (its owner, as an import writes it), `dnsSupport` (true), `sgReferencing` (false); VPC
 * attachments (a VPC of the gateway's region attached once, one subnet of that VPC per zone,
 * an association with one of the gateway's tables, propagation into its tables, the
 * attachment's own `sgReferencing`, AWS's default on) and peering attachments (`peer`:
 * another transit gateway, static routes only); table routes (`destination`, then exactly one
 * of `attachment` of this gateway or `blackhole: true`, one route per destination).
 * Does not own: VPC route tables that target a transit gateway (routing.ts).
 */
import { formatCidr } from '../../net/ipv4.ts';
import { listOf } from '../schema.ts';
import { absent, entriesOf, isPlainObject, type Obj, type Path } from './checker.ts';
import { reference, type Ctx } from './context.ts';
import { checkDestination, destinationKey } from './routing.ts';
import { TGW_FIELDS, TGW_PEER_ATTACHMENT_FIELDS, TGW_ROUTE_FIELDS, TGW_TABLE_FIELDS, TGW_VPC_ATTACHMENT_FIELDS } from './vocabulary.ts';
import type { TgwAttachmentSpec, TgwRouteSpec, TgwRouteTableSpec } from './spec.ts';

export function checkTransitGateways(ctx: Ctx, v: unknown): void {
  const { c } = ctx;
  const peers: { tgw: string; peer: string; path: Path }[] = [];
  for (const [name, value] of entriesOf(v)) {
    if (ctx.names.get(name)?.kind !== 'transit gateway') continue;
    const path = ['transitGateways', name];
    const o = c.mapping(value, path, TGW_FIELDS, 'a transit gateway ({ region, dnsSupport, sgReferencing, routeTables, attachments, label })');
    if (!o) continue;
    const before = c.count;
    let region: string | undefined;
    const r = c.required(o, 'region', path, "the transit gateway's region, e.g. us-east-1");
    if (r !== undefined) {
      region = c.string(r, [...path, 'region'], 'a region name');
      if (region !== undefined && ctx.regions && !ctx.regions.has(region)) {
        c.unknown([...path, 'region'], 'region', region, ctx.regions.keys());
        region = undefined;
      }
    }
    let account: string | undefined;
    if (!absent(o.account)) {
      if (typeof o.account === 'number' && Number.isSafeInteger(o.account) && o.account >= 0) account = String(o.account).padStart(12, '0');
      else account = c.string(o.account, [...path, 'account'], 'an account id');
    }
    const dnsSupport = c.boolean(o, 'dnsSupport', path, true);
    const sgReferencing = c.boolean(o, 'sgReferencing', path, false);
    const label = c.text(o, 'label', path);
    const tableNames = new Set(entriesOf(o.routeTables).map(([n]) => n).filter((n) => ctx.names.get(n)?.owner === name));
    const attachmentNames = new Set(entriesOf(o.attachments).map(([n]) => n).filter((n) => ctx.names.get(n)?.owner === name));
    const tableRef = (x: unknown, at: Path): string | undefined => {
      const t = c.string(x, at, 'a transit gateway route table name');
      if (t === undefined) return undefined;
      if (!tableNames.has(t)) {
        c.unknown(at, `route table of transit gateway ${name}`, t, tableNames);
        return undefined;
      }
      return t;
    };

    const attachments: TgwAttachmentSpec[] = [];
    const attachedVpcs = new Map<string, string>();
    if (!absent(o.attachments)) {
      const m = c.mapping(o.attachments, [...path, 'attachments'], null, 'a mapping of attachment names to attachments');
      for (const [an, av] of entriesOf(m)) {
        if (!attachmentNames.has(an)) continue;
        const ap = [...path, 'attachments', an];
        const peering = isPlainObject(av) && !absent(av.peer);
        if (peering && isPlainObject(av) && !absent(av.propagate)) {
          c.error([...ap, 'propagate'], 'a peering attachment takes static routes only (it propagates nothing)');
        }
        const ao = c.mapping(av, ap, peering ? [...TGW_PEER_ATTACHMENT_FIELDS, 'propagate'] : TGW_VPC_ATTACHMENT_FIELDS,
          'an attachment ({ vpc, subnets, routeTable, propagate, sgReferencing } or { peer, routeTable })');
        if (!ao) continue;
        const b = c.count;
        const routeTable = absent(ao.routeTable) ? undefined : tableRef(ao.routeTable, [...ap, 'routeTable']);
        const alabel = c.text(ao, 'label', ap);
        if (peering) {
          const peer = reference(ctx, ao.peer, [...ap, 'peer'], ['transit gateway'], 'transit gateway');
          if (peer === name) c.error([...ap, 'peer'], `a transit gateway does not peer with itself (${name})`);
          else if (peer !== undefined) peers.push({ tgw: name, peer, path: [...ap, 'peer'] });
          if (c.count === b && peer !== undefined) {
            attachments.push({ kind: 'peering', name: an, peer, ...(routeTable ? { routeTable } : {}), ...(alabel !== undefined ? { label: alabel } : {}) });
          }
          continue;
        }
        const att = checkVpcAttachment(ctx, ao, ap, name, region, attachedVpcs, tableRef);
        if (c.count === b && att) attachments.push({ ...att, name: an, ...(routeTable ? { routeTable } : {}), ...(alabel !== undefined ? { label: alabel } : {}) });
      }
    }

    const routeTables: TgwRouteTableSpec[] = [];
    if (!absent(o.routeTables)) {
      const m = c.mapping(o.routeTables, [...path, 'routeTables'], null, 'a mapping of route table names to { routes }');
      for (const [tn, tv] of entriesOf(m)) {
        if (!tableNames.has(tn)) continue;
        const tp = [...path, 'routeTables', tn];
        const to = absent(tv) ? {} : c.mapping(tv, tp, TGW_TABLE_FIELDS, 'a transit gateway route table ({ routes, label })');
        if (!to) continue;
        const b = c.count;
        const routes = checkTgwRoutes(ctx, to, tp, name, attachmentNames);
        const tlabel = c.text(to, 'label', tp);
        if (c.count === b) routeTables.push({ name: tn, routes, ...(tlabel !== undefined ? { label: tlabel } : {}) });
      }
    }
    if (c.count > before || region === undefined) continue;
    ctx.tgws.set(name, { name, region, ...(account !== undefined ? { account } : {}), dnsSupport, sgReferencing, routeTables, attachments, ...(label !== undefined ? { label } : {}) });
  }
  // A peering attachment joins two transit gateways once per side.
  const seen = new Set<string>();
  for (const p of peers) {
    const key = `${p.tgw}\u0000${p.peer}`;
    if (seen.has(key)) c.error(p.path, `transit gateway ${p.tgw} already has a peering attachment to ${p.peer}`);
    seen.add(key);
  }
}

function checkVpcAttachment(
  ctx: Ctx, o: Obj, path: Path, tgw: string, region: string | undefined, attached: Map<string, string>,
  tableRef: (x: unknown, at: Path) => string | undefined,
): Omit<Extract<TgwAttachmentSpec, { kind: 'vpc' }>, 'name'> | undefined {
  const { c } = ctx;
  const raw = c.required(o, 'vpc', path, 'the attached VPC (or peer: another transit gateway)');
  const vpcName = raw === undefined ? undefined : reference(ctx, raw, [...path, 'vpc'], ['vpc'], 'vpc');
  const vpc = vpcName === undefined ? undefined : ctx.vpcs.get(vpcName);
  if (vpc && region !== undefined && vpc.region !== region) {
    c.error([...path, 'vpc'], `VPC ${vpc.name} is in region ${vpc.region}, but transit gateway ${tgw} is in ${region} (a VPC attaches to a transit gateway of its region)`);
  } else if (vpc && attached.has(vpc.name)) {
    c.error([...path, 'vpc'], `VPC ${vpc.name} is already attached to transit gateway ${tgw} by ${attached.get(vpc.name)} (one attachment per VPC)`);
  } else if (vpc) attached.set(vpc.name, String(path[path.length - 1]));
  const subnets: string[] = [];
  const zones = new Map<string, string>();
  const list = absent(o.subnets) ? undefined : c.list(o.subnets, [...path, 'subnets'], 'subnets, one per zone');
  if (absent(o.subnets)) c.error([...path, 'subnets'], "subnets is required (one subnet of the VPC per zone the attachment serves)");
  else if (list && list.length === 0) c.error([...path, 'subnets'], 'an attachment has at least one subnet');
  list?.forEach((s, i) => {
    const at = [...path, 'subnets', i];
    const n = reference(ctx, s, at, ['subnet'], 'subnet');
    const subnet = n === undefined ? undefined : ctx.subnets.get(n);
    if (!subnet) return;
    if (vpc && subnet.vpc !== vpc.name) c.error(at, `subnet ${subnet.name} is in VPC ${subnet.vpc}, not ${vpc.name}`);
    else if (zones.has(subnet.zone)) c.error(at, `subnet ${subnet.name} is in zone ${subnet.zone}, like ${zones.get(subnet.zone)} (one subnet per zone)`);
    else {
      zones.set(subnet.zone, subnet.name);
      subnets.push(subnet.name);
    }
  });
  const propagate: string[] = [];
  if (!absent(o.propagate)) {
    c.list(o.propagate, [...path, 'propagate'], "this transit gateway's route tables")?.forEach((t, i) => {
      const table = tableRef(t, [...path, 'propagate', i]);
      if (table === undefined) return;
      if (propagate.includes(table)) c.error([...path, 'propagate', i], `${table} is listed twice`);
      else propagate.push(table);
    });
  }
  const sgReferencing = c.boolean(o, 'sgReferencing', path, true);
  return vpc ? { kind: 'vpc', vpc: vpc.name, subnets, propagate, sgReferencing } : undefined;
}

function checkTgwRoutes(ctx: Ctx, o: Obj, path: Path, tgw: string, attachments: Set<string>): TgwRouteSpec[] {
  const { c } = ctx;
  const routes: TgwRouteSpec[] = [];
  if (absent(o.routes)) return routes;
  const seen = new Map<string, number>();
  c.list(o.routes, [...path, 'routes'], 'routes')?.forEach((r, i) => {
    const rp = [...path, 'routes', i];
    const ro = c.mapping(r, rp, TGW_ROUTE_FIELDS, 'a route ({ destination, attachment } or { destination, blackhole: true })');
    if (!ro) return;
    const b = c.count;
    const destination = absent(ro.destination)
      ? (c.error([...rp, 'destination'], 'destination is required (a CIDR block or a prefix list)'), undefined)
      : checkDestination(ctx, ro.destination, [...rp, 'destination']);
    const blackhole = c.boolean(ro, 'blackhole', rp, false);
    c.text(ro, 'label', rp);
    let attachment: string | undefined;
    if (!absent(ro.attachment)) {
      if (blackhole) c.error([...rp, 'attachment'], 'a blackhole route has no attachment (give attachment or blackhole: true)');
      else {
        const a = c.string(ro.attachment, [...rp, 'attachment'], 'an attachment name');
        if (a !== undefined && !attachments.has(a)) c.unknown([...rp, 'attachment'], `attachment of transit gateway ${tgw}`, a, attachments);
        else attachment = a;
      }
    } else if (!blackhole) c.error(rp, 'a transit gateway route needs attachment (one of this gateway\'s attachments) or blackhole: true');
    if (destination) {
      const key = destinationKey(destination);
      if (seen.has(key)) {
        c.error([...rp, 'destination'], `${destination.kind === 'cidr' ? formatCidr(destination.cidr) : destination.prefixList} already has a route in this table (${listOf([`routes[${seen.get(key)}]`])})`);
      } else seen.set(key, i);
    }
    if (c.count === b && destination) routes.push({ destination, ...(attachment ? { attachment } : {}), blackhole });
  });
  return routes;
}
