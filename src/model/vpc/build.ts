/**
 * model/vpc/build: a VPC world from its parts, with AWS's implicit objects.
 *
 * Owns: createVpcWorld — every VPC gets its `default` group (all in from itself, all out: §5),
 * a main route table `<vpc>-main` unless one is declared `main`, a default NACL `<vpc>-default`
 * (entry 100 allow all, both ways: §6) unless one is declared `default`, and in every route
 * table a `local` route per VPC block (§3). Every address the input declares is reserved first,
 * so a drawn one (model/vpc/addressing.ts) never depends on where a declared one sits; then
 * instances and NAT gateways are placed in input order by lifecycle.ts, the code a launch uses,
 * and eth0 gets an Amazon public IP as derived.ts says. It refuses,
 * with a WorldError naming the object, what no world can be: unknown references, a subnet outside
 * its VPC's blocks or overlapping another, an address outside its subnet, reserved (§1) or held
 * twice in a VPC, an EIP on two private IPs.
 * The scenario loader (scenario/vpc/) reports the same problems for files, with field paths;
 * these errors are the backstop for worlds built in code.
 * Does not own: changes (changes.ts, lifecycle.ts).
 */
import type { Draft } from 'immer';
import { formatCidr, type Cidr, type Ip } from '../../net/ipv4.ts';
import { newPools } from '../addresses.ts';
import { cidrInside, cidrsOverlap, SUBNET_MAX_PREFIX, SUBNET_MIN_PREFIX } from './addressing.ts';
import {
  DEFAULT_NACL_ENTRY,
  defaultVpcGroup,
  type InternetGateway,
  type NaclEntry,
  type NetworkAcl,
  type Peering,
  type PrefixList,
  type Route,
  type RouteTable,
  type Subnet,
  type TransitGateway,
  type Vpc,
  type VpcExternalHost,
  type VpcSecurityGroup,
  type VpnGateway,
  vpcGroupKey,
} from './types.ts';
import { VPC_SHARD_COUNT, WorldError, type VpcWorld } from './world.ts';
import { localRoutes } from './derived.ts';
import { placeInstance, placeNatGateway, type NatGatewayInput, type VpcInstanceSpec } from './lifecycle.ts';

export type { EniSpec, NatGatewayInput, VpcInstanceSpec } from './lifecycle.ts';

export interface VpcInput {
  readonly id: string;
  readonly region: string;
  readonly account?: string;
  readonly cidrs: readonly Cidr[];
  readonly dnsSupport?: boolean;
  /** Default: on in a default VPC, else off ("DNS attributes for your VPC"). */
  readonly dnsHostnames?: boolean;
  readonly isDefault?: boolean;
}

export interface SubnetInput {
  readonly id: string;
  readonly vpc: string;
  readonly zone: string;
  readonly cidr: Cidr;
  readonly mapPublicIpOnLaunch?: boolean;
}

export interface RouteInput {
  readonly destination: Route['destination'];
  readonly target: Route['target'];
  readonly state?: Route['state'];
  readonly origin?: Route['origin'];
}

export interface RouteTableInput {
  readonly id: string;
  readonly vpc: string;
  readonly main?: boolean;
  /** Subnets explicitly associated. */
  readonly subnets?: readonly string[];
  /** Routes other than `local` (added for every VPC block). */
  readonly routes: readonly RouteInput[];
}

export interface NetworkAclInput {
  readonly id: string;
  readonly vpc: string;
  /** The VPC's default NACL (its entries as given: a declared default has no implicit 100). */
  readonly isDefault?: boolean;
  readonly subnets?: readonly string[];
  readonly ingress?: readonly NaclEntry[];
  readonly egress?: readonly NaclEntry[];
}

export interface VpcWorldInput {
  readonly seed: string;
  readonly vpcs: readonly VpcInput[];
  readonly subnets: readonly SubnetInput[];
  readonly groups?: readonly VpcSecurityGroup[];
  readonly routeTables?: readonly RouteTableInput[];
  readonly networkAcls?: readonly NetworkAclInput[];
  readonly internetGateways?: readonly InternetGateway[];
  readonly natGateways?: readonly NatGatewayInput[];
  readonly vpnGateways?: readonly VpnGateway[];
  readonly peerings?: readonly Peering[];
  readonly transitGateways?: readonly TransitGateway[];
  readonly prefixLists?: readonly PrefixList[];
  readonly instances?: readonly VpcInstanceSpec[];
  readonly external?: readonly VpcExternalHost[];
  /** More addresses never to draw (those later launches or associations declare). */
  readonly reserved?: Iterable<Ip>;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function put<T>(record: Record<string, T>, id: string, value: T, what: string): void {
  if (Object.hasOwn(record, id)) throw new WorldError(`${what} ${id} is declared twice`);
  record[id] = value;
}

function needIn<T>(record: Readonly<Record<string, T>>, id: string, what: string, where: string): T {
  const v = record[id];
  if (v === undefined) throw new WorldError(`${where}: unknown ${what} ${id}`);
  return v;
}

/** Builds a world directly (no per-object copy), for any size. */
export function createVpcWorld(input: VpcWorldInput): VpcWorld {
  const vpcs: Record<string, Mutable<Vpc>> = {};
  for (const v of input.vpcs) {
    const isDefault = v.isDefault ?? false;
    put(vpcs, v.id, {
      id: v.id,
      region: v.region,
      ...(v.account !== undefined ? { account: v.account } : {}),
      cidrs: v.cidrs,
      dnsSupport: v.dnsSupport ?? true,
      dnsHostnames: v.dnsHostnames ?? isDefault,
      isDefault,
      mainRouteTable: '',
      defaultNetworkAcl: '',
    }, 'VPC');
  }
  const prefixLists: Record<string, PrefixList> = {};
  for (const p of input.prefixLists ?? []) put(prefixLists, p.id, p, 'prefix list');

  const subnets: Record<string, Mutable<Subnet>> = {};
  for (const s of input.subnets) {
    const vpc = needIn(vpcs, s.vpc, 'VPC', `subnet ${s.id}`);
    if (s.cidr.prefix < SUBNET_MIN_PREFIX || s.cidr.prefix > SUBNET_MAX_PREFIX) throw new WorldError(`subnet ${s.id}: ${formatCidr(s.cidr)} is not /16 to /28`);
    if (!vpc.cidrs.some((b) => cidrInside(s.cidr, b))) throw new WorldError(`subnet ${s.id}: ${formatCidr(s.cidr)} is outside the blocks of VPC ${vpc.id}`);
    for (const other of Object.values(subnets)) {
      if (other.vpc === s.vpc && cidrsOverlap(other.cidr, s.cidr)) throw new WorldError(`subnet ${s.id}: ${formatCidr(s.cidr)} overlaps subnet ${other.id}`);
    }
    put(subnets, s.id, { id: s.id, vpc: s.vpc, zone: s.zone, cidr: s.cidr, mapPublicIpOnLaunch: s.mapPublicIpOnLaunch ?? false, routeTable: null, networkAcl: null }, 'subnet');
  }

  const routeTables: Record<string, RouteTable> = {};
  for (const t of input.routeTables ?? []) {
    const vpc = needIn(vpcs, t.vpc, 'VPC', `route table ${t.id}`);
    const routes: Route[] = [...localRoutes(vpc)];
    for (const r of t.routes) routes.push({ destination: r.destination, target: r.target, state: r.state ?? 'active', origin: r.origin ?? 'static' });
    put(routeTables, t.id, { id: t.id, vpc: t.vpc, routes }, 'route table');
    if (t.main) {
      if (vpc.mainRouteTable !== '') throw new WorldError(`route table ${t.id}: VPC ${vpc.id} already has main table ${vpc.mainRouteTable}`);
      vpc.mainRouteTable = t.id;
    }
    for (const sid of t.subnets ?? []) associate(subnets, sid, t.vpc, 'routeTable', t.id, `route table ${t.id}`);
  }
  const networkAcls: Record<string, NetworkAcl> = {};
  for (const a of input.networkAcls ?? []) {
    const vpc = needIn(vpcs, a.vpc, 'VPC', `network ACL ${a.id}`);
    put(networkAcls, a.id, { id: a.id, vpc: a.vpc, isDefault: a.isDefault ?? false, ingress: a.ingress ?? [], egress: a.egress ?? [] }, 'network ACL');
    if (a.isDefault) {
      if (vpc.defaultNetworkAcl !== '') throw new WorldError(`network ACL ${a.id}: VPC ${vpc.id} already has default ACL ${vpc.defaultNetworkAcl}`);
      vpc.defaultNetworkAcl = a.id;
    }
    for (const sid of a.subnets ?? []) associate(subnets, sid, a.vpc, 'networkAcl', a.id, `network ACL ${a.id}`);
  }
  for (const vpc of Object.values(vpcs)) {
    if (vpc.mainRouteTable === '') {
      const id = `${vpc.id}-main`;
      put(routeTables, id, { id, vpc: vpc.id, routes: localRoutes(vpc) }, 'route table');
      vpc.mainRouteTable = id;
    }
    if (vpc.defaultNetworkAcl === '') {
      const id = `${vpc.id}-default`;
      put(networkAcls, id, { id, vpc: vpc.id, isDefault: true, ingress: [DEFAULT_NACL_ENTRY], egress: [DEFAULT_NACL_ENTRY] }, 'network ACL');
      vpc.defaultNetworkAcl = id;
    }
  }

  const groups: Record<string, VpcSecurityGroup> = {};
  for (const vpc of Object.values(vpcs)) groups[vpcGroupKey('default', vpc.id)] = defaultVpcGroup(vpc.id);
  for (const g of input.groups ?? []) {
    needIn(vpcs, g.vpc, 'VPC', `group ${g.name}`);
    if (Object.hasOwn(groups, g.key) && g.key !== vpcGroupKey('default', g.vpc)) throw new WorldError(`group ${g.key} is declared twice`);
    groups[g.key] = g;
  }

  const internetGateways = byId(input.internetGateways ?? [], 'internet gateway', (g) => g.vpc === null || !!needIn(vpcs, g.vpc, 'VPC', `internet gateway ${g.id}`));
  const vpnGateways = byId(input.vpnGateways ?? [], 'VPN gateway', (g) => g.vpc === null || !!needIn(vpcs, g.vpc, 'VPC', `VPN gateway ${g.id}`));
  const peerings = byId(input.peerings ?? [], 'peering', (p) => !!needIn(vpcs, p.requester, 'VPC', `peering ${p.id}`) && !!needIn(vpcs, p.accepter, 'VPC', `peering ${p.id}`));
  const transitGateways = byId(input.transitGateways ?? [], 'transit gateway', (t) => {
    for (const a of Object.values(t.attachments)) {
      if (a.kind === 'vpc') for (const s of a.subnets) needIn(subnets, s, 'subnet', `transit gateway ${t.id} attachment ${a.id}`);
      if (a.routeTable !== null) needIn(t.routeTables, a.routeTable, 'TGW route table', `transit gateway ${t.id} attachment ${a.id}`);
    }
    return true;
  });
  const external: Record<string, VpcExternalHost> = {};
  for (const e of input.external ?? []) put(external, e.name, e, 'external host');

  // Addresses: every declared one is reserved first, so a drawn one never depends on where a
  // declared one sits; then instances and NAT gateways are placed in input order.
  const reserved = new Set<Ip>(input.reserved ?? []);
  for (const inst of input.instances ?? []) {
    for (const e of inst.interfaces) {
      for (const ip of [e.privateIp, ...(e.secondaryIps ?? []), typeof e.publicIp === 'number' ? e.publicIp : undefined, ...(e.elasticIps ?? []).map((x) => x.ip)]) {
        if (ip !== undefined) reserved.add(ip);
      }
    }
  }
  for (const n of input.natGateways ?? []) {
    reserved.add(n.elasticIp);
    if (n.privateIp !== undefined) reserved.add(n.privateIp);
  }
  for (const e of input.external ?? []) reserved.add(e.ip);

  const world: VpcWorld = {
    seed: input.seed,
    vpcs,
    subnets,
    groups,
    routeTables,
    networkAcls,
    internetGateways,
    natGateways: {},
    vpnGateways,
    peerings,
    transitGateways,
    prefixLists,
    external,
    instances: shards(),
    interfaces: shards(),
    eips: {},
    privateHolders: shards(),
    publicHolders: shards(),
    pools: newPools(input.seed),
    subnetCursors: {},
    reserved,
  };
  // A fresh world is its own draft: the lifecycle's placing functions fill it in place.
  const draft = world as Draft<VpcWorld>;
  for (const spec of input.instances ?? []) placeInstance(draft, spec);
  for (const n of input.natGateways ?? []) placeNatGateway(draft, n);
  return world;
}

function shards<T>(): Record<string, T>[] {
  return Array.from({ length: VPC_SHARD_COUNT }, () => ({}));
}

function byId<T extends { readonly id: string }>(items: readonly T[], what: string, check: (item: T) => boolean): Record<string, T> {
  const out: Record<string, T> = {};
  for (const item of items) {
    check(item);
    put(out, item.id, item, what);
  }
  return out;
}

function associate(subnets: Record<string, Mutable<Subnet>>, id: string, vpc: string, field: 'routeTable' | 'networkAcl', table: string, where: string): void {
  const s = needIn(subnets, id, 'subnet', where);
  if (s.vpc !== vpc) throw new WorldError(`${where}: subnet ${id} is in VPC ${s.vpc}, not ${vpc}`);
  if (s[field] !== null) throw new WorldError(`${where}: subnet ${id} is already associated with ${s[field]}`);
  s[field] = table;
}
