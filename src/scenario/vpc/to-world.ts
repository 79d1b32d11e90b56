/**
 * scenario/vpc/to-world: a validated `platform: vpc` scenario as the VPC model's input, and its
 * timeline's configuration actions as the model's changes.
 *
 * Owns: the one translation from VpcScenarioSpec (scenario/vpc/spec.ts) to VpcWorldInput
 * (model/vpc/build.ts) — names become ids, the spec's implicit objects (`<vpc>-main`,
 * `<vpc>-default`, default groups) are passed as declared, `assign` public IPs stay `assign`,
 * every address a later launch or association names is reserved up front — and from a timeline
 * action to a VpcChange (null for traffic actions: connect, send, ping, transfer, close).
 * Does not own: validation (validate.ts), the model's behaviour (model/vpc/), or running.
 */
import type { Ip } from '../../net/ipv4.ts';
import type { RouteInput, VpcWorldInput } from '../../model/vpc/build.ts';
import type { VpcChange } from '../../model/vpc/changes.ts';
import type { EniSpec, VpcInstanceSpec } from '../../model/vpc/lifecycle.ts';
import type { Route, TgwAttachment, TgwRouteTable, TransitGateway } from '../../model/vpc/types.ts';
import type { InterfaceSpec, RouteSpec, TransitGatewaySpec, VpcAction, VpcInstanceSpec as InstanceSpecOfFile, VpcScenarioSpec } from './spec.ts';

/** The model's input for a validated scenario's world at time 0. */
export function worldInputOf(spec: VpcScenarioSpec): VpcWorldInput {
  return {
    seed: spec.seed,
    vpcs: spec.vpcs.map((v) => ({
      id: v.name,
      region: v.region,
      ...(v.account !== undefined ? { account: v.account } : {}),
      cidrs: v.cidrs,
      dnsSupport: v.dns.support,
      dnsHostnames: v.dns.hostnames,
      isDefault: v.isDefault,
    })),
    subnets: spec.subnets.map((s) => ({ id: s.name, vpc: s.vpc, zone: s.zone, cidr: s.cidr, mapPublicIpOnLaunch: s.mapPublicIp })),
    groups: spec.groups.map((g) => ({ key: g.key, name: g.name, vpc: g.vpc, ...(g.description !== undefined ? { description: g.description } : {}), ingress: g.ingress, egress: g.egress })),
    routeTables: spec.routeTables.map((t) => ({ id: t.name, vpc: t.vpc, main: t.main, subnets: t.subnets, routes: t.routes.map(routeOf) })),
    networkAcls: spec.networkAcls.map((a) => ({ id: a.name, vpc: a.vpc, isDefault: a.isDefault, subnets: a.subnets, ingress: a.ingress, egress: a.egress })),
    internetGateways: spec.internetGateways.map((g) => ({ id: g.name, vpc: g.vpc })),
    natGateways: spec.natGateways.map((n) => ({ id: n.name, subnet: n.subnet, elasticIp: n.elasticIp, ...(n.privateIp !== undefined ? { privateIp: n.privateIp } : {}) })),
    vpnGateways: spec.vpnGateways.map((g) => ({ id: g.name, vpc: g.vpc })),
    peerings: spec.peerings.map((p) => ({ id: p.name, requester: p.requester, accepter: p.accepter, status: p.status, dnsResolution: p.dnsResolution })),
    transitGateways: spec.transitGateways.map(transitGatewayOf),
    prefixLists: spec.prefixLists.map((p) => ({ id: p.name, cidrs: p.cidrs })),
    instances: spec.instances.map(instanceOf),
    external: spec.external.map((e) => ({
      name: e.name,
      ip: e.ip,
      services: e.services,
      ...(e.via !== undefined ? { via: e.via } : {}),
      ...(e.ephemeralPorts !== undefined ? { ephemeralPorts: e.ephemeralPorts } : {}),
    })),
    reserved: laterAddresses(spec),
  };
}

/** A route as the model takes it. A blackhole with no known target keeps its name as an igw id
 * (it is a blackhole whatever its kind). */
export function routeOf(r: RouteSpec): RouteInput {
  const t = r.target;
  const target: Route['target'] = t === undefined ? { kind: 'igw', id: '' } : { kind: t.kind === 'unknown' ? 'igw' : t.kind, id: t.name };
  return { destination: r.destination, target, state: r.state, origin: r.propagated ? 'propagated' : 'static' };
}

function transitGatewayOf(t: TransitGatewaySpec): TransitGateway {
  const routeTables: Record<string, TgwRouteTable> = {};
  for (const rt of t.routeTables) {
    routeTables[rt.name] = {
      id: rt.name,
      routes: rt.routes.map((r) => ({ destination: r.destination, attachment: r.blackhole ? null : (r.attachment ?? null), origin: 'static' })),
    };
  }
  const attachments: Record<string, TgwAttachment> = {};
  for (const a of t.attachments) {
    attachments[a.name] =
      a.kind === 'vpc'
        ? { id: a.name, kind: 'vpc', vpc: a.vpc, subnets: a.subnets, routeTable: a.routeTable ?? null, propagate: a.propagate, dnsSupport: t.dnsSupport, sgReferencing: a.sgReferencing }
        : { id: a.name, kind: 'peering', peer: a.peer, routeTable: a.routeTable ?? null };
  }
  return { id: t.name, region: t.region, dnsSupport: t.dnsSupport, sgReferencing: t.sgReferencing, routeTables, attachments };
}

function interfaceOf(e: InterfaceSpec): EniSpec {
  return {
    id: e.name,
    subnet: e.subnet,
    ...(e.privateIp !== undefined ? { privateIp: e.privateIp } : {}),
    secondaryIps: e.secondaryIps,
    groups: e.groups,
    sourceDestCheck: e.sourceDestCheck,
    publicIp: e.publicIp,
    elasticIps: e.elasticIps,
  };
}

/** An instance as the model takes it (at time 0 or at a `launch`). */
export function instanceOf(i: InstanceSpecOfFile): VpcInstanceSpec {
  return {
    id: i.name,
    state: i.state,
    services: i.services,
    ...(i.ephemeralPorts !== undefined ? { ephemeralPorts: i.ephemeralPorts } : {}),
    interfaces: i.interfaces.map(interfaceOf),
  };
}

/** Addresses the timeline names (launches, associations): kept out of every draw from the start. */
function laterAddresses(spec: VpcScenarioSpec): Ip[] {
  const out: Ip[] = [];
  for (const entry of spec.timeline) {
    const a = entry.action;
    if (a.kind === 'launch') {
      for (const e of a.instance.interfaces) {
        if (e.privateIp !== undefined) out.push(e.privateIp);
        out.push(...e.secondaryIps, ...e.elasticIps.map((x) => x.ip));
        if (typeof e.publicIp === 'number') out.push(e.publicIp);
      }
    } else if (a.kind === 'associate') out.push(a.elasticIp);
  }
  return out;
}

/** The model's change for a configuration action; null for traffic actions. */
export function changeOf(action: VpcAction): VpcChange | null {
  switch (action.kind) {
    case 'connect':
    case 'send':
    case 'ping':
    case 'transfer':
    case 'close':
      return null;
    case 'add-route':
    case 'replace-route':
      return { kind: action.kind, routeTable: action.routeTable, route: routeOf(action.route) };
    case 'launch':
      return { kind: 'launch', instance: instanceOf(action.instance) };
    default:
      return action;
  }
}
