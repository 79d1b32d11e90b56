/**
 * scenario/vpc/routing: VPC route tables and their routes.
 *
 * Owns: route destinations (a CIDR block or a prefix list), one route (`target` that exists,
 * is of a routable kind and is attached to this VPC; `state: blackhole` may name a target
 * that no longer exists; `propagated` only from a VPN gateway; never `local`, which is
 * implicit; nothing more specific than a local route but a whole subnet's block through a NAT
 * gateway or network interface, as AWS's middlebox routing), `routeTables.<t>` (its VPC, at
 * most one `main` per VPC, explicit subnet associations of its VPC, each subnet once, one
 * route per destination and origin), the implicit `<vpc>-main` tables, and each subnet's
 * effective table. The timeline reuses `checkRoute` with its own view of what still exists.
 * Does not own: transit gateway tables (transit.ts), NACLs (acls.ts).
 */
import { cidrContains, formatCidr } from '../../net/ipv4.ts';
import { listOf } from '../schema.ts';
import { absent, entriesOf, type Obj, type Path } from './checker.ts';
import { article, mainTableName, reference, vpcField, type Ctx } from './context.ts';
import { idKind, ROUTE_FIELDS, ROUTE_TABLE_FIELDS, type ObjectKind } from './vocabulary.ts';
import type { Destination, RouteSpec, RouteTableSpec, RouteTargetKind } from './spec.ts';

export function destinationKey(d: Destination): string {
  return d.kind === 'cidr' ? formatCidr(d.cidr) : `pl:${d.prefixList}`;
}

export function describeDestination(d: Destination): string {
  return d.kind === 'cidr' ? formatCidr(d.cidr) : `prefix list ${d.prefixList}`;
}

/** A destination: a CIDR block (it holds a "/") or the name of a prefix list. */
export function checkDestination(ctx: Ctx, v: unknown, path: Path): Destination | undefined {
  const text = ctx.c.string(v, path, 'a destination (a CIDR block or a prefix list)');
  if (text === undefined) return undefined;
  if (text.includes('/') || /^[\d.]+$/.test(text)) {
    const cidr = ctx.c.cidr(text, path);
    return cidr ? { kind: 'cidr', cidr } : undefined;
  }
  const pl = reference(ctx, text, path, ['prefix list'], 'prefix list');
  return pl !== undefined && ctx.prefixLists.has(pl) ? { kind: 'prefixList', prefixList: pl } : undefined;
}

const TARGET_KINDS: readonly [ObjectKind, RouteTargetKind][] = [
  ['internet gateway', 'igw'], ['NAT gateway', 'nat'], ['peering', 'pcx'], ['transit gateway', 'tgw'],
  ['VPN gateway', 'vgw'], ['instance', 'instance'], ['network interface', 'eni'],
];
const TARGET_OBJECTS = TARGET_KINDS.map(([k]) => k);

/** Why a target is not one this VPC's tables can use, if it is not. */
function targetProblem(ctx: Ctx, kind: RouteTargetKind, name: string, vpc: string): string | undefined {
  switch (kind) {
    case 'igw': {
      const g = ctx.igws.get(name);
      return g && g.vpc !== vpc ? `internet gateway ${name} is attached to VPC ${g.vpc}, not ${vpc}` : undefined;
    }
    case 'vgw': {
      const g = ctx.vgws.get(name);
      return g && g.vpc !== vpc ? `VPN gateway ${name} is attached to VPC ${g.vpc}, not ${vpc}` : undefined;
    }
    case 'nat': {
      const g = ctx.nats.get(name);
      return g && g.vpc !== vpc ? `NAT gateway ${name} is in VPC ${g.vpc}, not ${vpc}` : undefined;
    }
    case 'pcx': {
      const p = ctx.peerings.get(name);
      return p && p.requester !== vpc && p.accepter !== vpc ? `peering ${name} joins VPCs ${p.requester} and ${p.accepter}, not ${vpc}` : undefined;
    }
    case 'tgw': {
      const t = ctx.tgws.get(name);
      return t && !t.attachments.some((a) => a.kind === 'vpc' && a.vpc === vpc) ? `transit gateway ${name} has no attachment for VPC ${vpc} (attach the VPC under its attachments)` : undefined;
    }
    case 'instance': {
      const i = ctx.instances.get(name);
      if (!i) return undefined;
      if (i.interfaces.length !== 1) return `instance ${name} has ${i.interfaces.length} network interfaces; a route names one of them (${listOf(i.interfaces.map((e) => e.name))})`;
      return i.interfaces[0].vpc !== vpc ? `instance ${name} is in VPC ${i.interfaces[0].vpc}, not ${vpc}` : undefined;
    }
    case 'eni': {
      const e = ctx.enis.get(name);
      return e && e.vpc !== vpc ? `network interface ${name} is in VPC ${e.vpc}, not ${vpc}` : undefined;
    }
  }
}

export interface RouteOptions {
  /** In the timeline: why a target is gone at that time (a terminated instance), if it is. */
  readonly gone?: (kind: RouteTargetKind, name: string) => string | undefined;
  /** In the timeline: propagated routes come and go with their propagation. */
  readonly timeline?: boolean;
}

/** One route of a table of `vpc`; undefined after reporting. */
export function checkRoute(ctx: Ctx, v: unknown, path: Path, vpc: string | undefined, opts: RouteOptions = {}): RouteSpec | undefined {
  const { c } = ctx;
  const o = c.mapping(v, path, ROUTE_FIELDS, 'a route ({ destination, target, state, propagated })');
  if (!o) return undefined;
  const before = c.count;
  const destination = absent(o.destination)
    ? (c.error([...path, 'destination'], 'destination is required (a CIDR block or a prefix list)'), undefined)
    : checkDestination(ctx, o.destination, [...path, 'destination']);
  let state: 'active' | 'blackhole' = 'active';
  if (!absent(o.state)) {
    if (o.state === 'active' || o.state === 'blackhole') state = o.state;
    else c.error([...path, 'state'], `unknown state ${JSON.stringify(o.state)} (expected active or blackhole)`);
  }
  const propagated = c.boolean(o, 'propagated', path, false);
  c.text(o, 'label', path);
  if (propagated && opts.timeline) c.error([...path, 'propagated'], 'the timeline changes static routes only (propagated routes come and go with their propagation)');
  let target: RouteSpec['target'];
  const tp = [...path, 'target'];
  if (absent(o.target)) {
    if (state !== 'blackhole') c.error(tp, `target is required (an internet gateway, NAT gateway, peering, transit gateway, VPN gateway, instance or network interface${vpc ? ` of VPC ${vpc}` : ''})`);
  } else {
    const name = c.string(o.target, tp, 'a target name');
    const info = name === undefined ? undefined : ctx.names.get(name);
    if (name === 'local') c.error(tp, 'local routes are implicit (one per VPC block) and cannot be written');
    else if (name !== undefined && !info && state === 'blackhole') {
      const shaped = idKind(name);
      const kind = TARGET_KINDS.find(([k]) => k === shaped)?.[1];
      target = { kind: kind ?? 'unknown', name };
    } else if (name !== undefined) {
      const ref = reference(ctx, name, tp, TARGET_OBJECTS, 'route target');
      const kind = ref === undefined ? undefined : TARGET_KINDS.find(([k]) => k === ctx.names.get(ref)!.kind)![1];
      if (ref !== undefined && kind !== undefined) {
        const why = vpc === undefined ? undefined : targetProblem(ctx, kind, ref, vpc);
        const gone = state === 'blackhole' ? undefined : opts.gone?.(kind, ref);
        if (why) c.error(tp, why);
        else if (gone) c.error(tp, gone);
        else target = { kind, name: ref };
      }
      if (propagated && !opts.timeline && kind !== undefined && kind !== 'vgw') c.error([...path, 'propagated'], `a propagated route comes from a VPN gateway (route propagation), not ${article(ctx.names.get(ref!)!.kind)}`);
    }
  }
  if (destination?.kind === 'cidr' && vpc !== undefined && ctx.vpcs.has(vpc)) {
    const d = destination.cidr;
    const block = ctx.vpcs.get(vpc)!.cidrs.find((b) => b.prefix <= d.prefix && cidrContains(b, d.base));
    if (block && block.prefix === d.prefix) {
      c.error([...path, 'destination'], `${formatCidr(d)} is VPC ${vpc}'s block: its local route is implicit and cannot be replaced here`);
    } else if (block) {
      const subnet = [...ctx.subnets.values()].some((s) => s.vpc === vpc && s.cidr.base === d.base && s.cidr.prefix === d.prefix);
      const middlebox = target && (target.kind === 'nat' || target.kind === 'eni' || target.kind === 'instance');
      if (!subnet || (!middlebox && state !== 'blackhole')) {
        c.error([...path, 'destination'], `${formatCidr(d)} is inside VPC ${vpc}'s block ${formatCidr(block)}: a route more specific than the local route must be a whole subnet's block through a NAT gateway or network interface`);
      }
    }
  }
  if (c.count > before || !destination) return undefined;
  return { destination, ...(target ? { target } : {}), state, propagated };
}

/** An instance (or its ENI) that only a later `launch` creates cannot be a route target at the start. */
function launchedLater(ctx: Ctx, kind: RouteTargetKind, name: string): string | undefined {
  if (kind !== 'instance' && kind !== 'eni') return undefined;
  const info = ctx.names.get(name);
  const owner = kind === 'eni' ? info?.owner ?? name : name;
  const launch = ctx.names.get(owner)?.launch;
  return launch ? `instance ${owner} does not exist at the start: it is launched by timeline[${launch.index}]` : undefined;
}

/** The key of a route for uniqueness in its table: its destination and origin. */
export function routeKey(r: RouteSpec): string {
  return `${destinationKey(r.destination)}\u0000${r.propagated ? 'propagated' : 'static'}`;
}

export function checkRouteTables(ctx: Ctx, v: unknown): void {
  const { c } = ctx;
  const mainOf = new Map<string, string>();
  const associated = new Map<string, string>();
  for (const [name, value] of entriesOf(v)) {
    if (ctx.names.get(name)?.kind !== 'route table') continue;
    const path = ['routeTables', name];
    const o = c.mapping(value, path, ROUTE_TABLE_FIELDS, 'a route table ({ vpc, main, subnets, routes, label })');
    if (!o) continue;
    const before = c.count;
    const vpc = vpcField(ctx, o, path);
    const main = c.boolean(o, 'main', path, false);
    if (main && vpc !== undefined) {
      if (mainOf.has(vpc)) c.error([...path, 'main'], `VPC ${vpc} already has a main route table, ${mainOf.get(vpc)} (one per VPC)`);
      else mainOf.set(vpc, name);
    }
    const subnets = checkAssociations(ctx, o, path, vpc, associated, name, 'route table');
    const routes: RouteSpec[] = [];
    if (!absent(o.routes)) {
      const seen = new Map<string, number>();
      c.list(o.routes, [...path, 'routes'], 'routes')?.forEach((r, i) => {
        const route = checkRoute(ctx, r, [...path, 'routes', i], vpc, { gone: (kind, target) => launchedLater(ctx, kind, target) });
        if (!route) return;
        const key = routeKey(route);
        if (seen.has(key)) {
          c.error([...path, 'routes', i, 'destination'], `${describeDestination(route.destination)} already has a ${route.propagated ? 'propagated' : 'static'} route in this table (routes[${seen.get(key)}])`);
          return;
        }
        seen.set(key, i);
        routes.push(route);
      });
    }
    const label = c.text(o, 'label', path);
    if (c.count > before || vpc === undefined) continue;
    ctx.routeTables.set(name, { name, vpc, main, implicit: false, subnets, routes, ...(label !== undefined ? { label } : {}) });
  }
  for (const vpc of ctx.vpcs.keys()) {
    const implicit = mainTableName(vpc);
    if (ctx.names.get(implicit)?.implicit && !mainOf.has(vpc)) {
      ctx.routeTables.set(implicit, { name: implicit, vpc, main: true, implicit: true, subnets: [], routes: [] });
    }
  }
}

/** `subnets: [...]` of a route table or NACL: subnets of its VPC, each associated once. */
export function checkAssociations(
  ctx: Ctx, o: Obj, path: Path, vpc: string | undefined, taken: Map<string, string>, owner: string, kind: 'route table' | 'network ACL',
): string[] {
  const out: string[] = [];
  if (absent(o.subnets)) return out;
  ctx.c.list(o.subnets, [...path, 'subnets'], 'subnet names')?.forEach((s, i) => {
    const at = [...path, 'subnets', i];
    const n = reference(ctx, s, at, ['subnet'], 'subnet');
    const subnet = n === undefined ? undefined : ctx.subnets.get(n);
    if (!subnet) return;
    if (vpc !== undefined && subnet.vpc !== vpc) ctx.c.error(at, `subnet ${subnet.name} is in VPC ${subnet.vpc}, not ${vpc}`);
    else if (taken.has(subnet.name)) {
      ctx.c.error(at, taken.get(subnet.name) === owner
        ? `subnet ${subnet.name} is listed twice`
        : `subnet ${subnet.name} is already associated with ${kind} ${taken.get(subnet.name)} (a subnet has one ${kind})`);
    } else {
      taken.set(subnet.name, owner);
      out.push(subnet.name);
    }
  });
  return out;
}

