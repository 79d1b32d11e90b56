/**
 * model/vpc/world: a VPC world as an immutable snapshot, and how to read it.
 *
 * Owns: the VpcWorld shape (every object of model/vpc/types.ts by id; instances, interfaces and
 * the address indexes in fixed shards, so a change copies one shard: docs/design.md, "The
 * world"); who holds each address — private IPs keyed by VPC, since VPC blocks may overlap
 * (domain-vpc.md §1), public IPs and EIPs by address; and the readers the hops call: a subnet's
 * route table (explicit association, else the VPC's main one: §3) and network ACL (its own,
 * else the VPC's default: §6), an ENI's groups, an instance's interfaces.
 * Does not own: building a world from its parts (model/vpc/build.ts), changes
 * (model/vpc/changes.ts, lifecycle.ts), route selection (routes.ts, tgw.ts), evaluation (policy/).
 */
import type { Ip } from '../../net/ipv4.ts';
import { hashString, type AddressPools } from '../addresses.ts';
import { WorldError } from '../world.ts';
import type {
  InternetGateway,
  NatGateway,
  NetworkAcl,
  NetworkInterface,
  Peering,
  PrefixList,
  RouteTable,
  Subnet,
  TransitGateway,
  Vpc,
  VpcElasticIp,
  VpcExternalHost,
  VpcInstance,
  VpcSecurityGroup,
  VpnGateway,
} from './types.ts';

export { WorldError };

export const VPC_SHARD_COUNT = 256;

export type Shard<T> = Readonly<Record<string, T>>;
type ById<T> = Readonly<Record<string, T>>;

/** Who holds a private IP: an interface (which of its addresses), or a NAT gateway. */
export type PrivateHolder =
  | { readonly kind: 'eni'; readonly eni: string; readonly privateIp: Ip }
  | { readonly kind: 'nat'; readonly nat: string; readonly privateIp: Ip };

/** Who holds a public address: an Amazon public IP or an EIP mapped to an (ENI, private IP), or
 * a NAT gateway's EIP (mapped to its private IP). */
export type PublicHolder =
  | { readonly kind: 'eni'; readonly eni: string; readonly privateIp: Ip; readonly elastic: boolean }
  | { readonly kind: 'nat'; readonly nat: string; readonly privateIp: Ip; readonly elastic: true };

export interface VpcWorld {
  readonly seed: string;
  readonly vpcs: ById<Vpc>;
  readonly subnets: ById<Subnet>;
  /** By group key (vpcGroupKey). */
  readonly groups: ById<VpcSecurityGroup>;
  readonly routeTables: ById<RouteTable>;
  readonly networkAcls: ById<NetworkAcl>;
  readonly internetGateways: ById<InternetGateway>;
  readonly natGateways: ById<NatGateway>;
  readonly vpnGateways: ById<VpnGateway>;
  readonly peerings: ById<Peering>;
  readonly transitGateways: ById<TransitGateway>;
  readonly prefixLists: ById<PrefixList>;
  readonly external: ById<VpcExternalHost>;
  /** Instances by id, in VPC_SHARD_COUNT shards by a hash of the id. */
  readonly instances: readonly Shard<VpcInstance>[];
  /** Interfaces by id, sharded likewise. */
  readonly interfaces: readonly Shard<NetworkInterface>[];
  /** Elastic IPs by address (decimal string of the uint32), associated or not. */
  readonly eips: ById<VpcElasticIp>;
  /** Private IP holders by privateKey(vpc, ip), sharded by that key. */
  readonly privateHolders: readonly Shard<PrivateHolder>[];
  /** Public IP and EIP holders by address (decimal string), sharded by it. */
  readonly publicHolders: readonly Shard<PublicHolder>[];
  /** The Amazon public IP pool (only its public counter is used in a VPC world). */
  readonly pools: AddressPools;
  /** Per subnet, the offset past which private IPs are drawn (only moves forward). */
  readonly subnetCursors: ById<number>;
  /** Addresses the scenario declares anywhere: never drawn. */
  readonly reserved: ReadonlySet<Ip>;
}

export function shardIndex(key: string): number {
  return hashString(key) % VPC_SHARD_COUNT;
}

/** The key of a private IP in its VPC: private addresses of two VPCs may be equal. */
export function privateKey(vpc: string, ip: Ip): string {
  return `${vpc}/${ip}`;
}

// ---------------------------------------------------------------------------------------------
// Reading

export function getInstance(world: VpcWorld, id: string): VpcInstance | undefined {
  return world.instances[shardIndex(id)][id];
}

export function getInterface(world: VpcWorld, id: string): NetworkInterface | undefined {
  return world.interfaces[shardIndex(id)][id];
}

/** Every instance, in a deterministic order (shard, then insertion order). */
export function* allInstances(world: VpcWorld): Iterable<VpcInstance> {
  for (const shard of world.instances) for (const id in shard) yield shard[id];
}

/** Every interface, in a deterministic order (shard, then insertion order). */
export function* allInterfaces(world: VpcWorld): Iterable<NetworkInterface> {
  for (const shard of world.interfaces) for (const id in shard) yield shard[id];
}

function need<T>(value: T | undefined, what: string, id: string): T {
  if (value === undefined) throw new WorldError(`unknown ${what} ${id}`);
  return value;
}

export function vpcOf(world: VpcWorld, id: string): Vpc {
  return need(world.vpcs[id], 'VPC', id);
}

export function subnetOf(world: VpcWorld, id: string): Subnet {
  return need(world.subnets[id], 'subnet', id);
}

export function interfaceOf(world: VpcWorld, id: string): NetworkInterface {
  return need(getInterface(world, id), 'network interface', id);
}

export function instanceOf(world: VpcWorld, id: string): VpcInstance {
  return need(getInstance(world, id), 'instance', id);
}

/** The VPC an interface lives in (through its subnet). */
export function vpcOfInterface(world: VpcWorld, eni: NetworkInterface): Vpc {
  return vpcOf(world, subnetOf(world, eni.subnet).vpc);
}

/** A subnet's route table: the explicitly associated one, else its VPC's main table (§3). */
export function routeTableOfSubnet(world: VpcWorld, subnetId: string): RouteTable {
  const subnet = subnetOf(world, subnetId);
  const id = subnet.routeTable ?? vpcOf(world, subnet.vpc).mainRouteTable;
  return need(world.routeTables[id], 'route table', id);
}

/** A subnet's network ACL: its associated one, else its VPC's default NACL (§6). */
export function networkAclOfSubnet(world: VpcWorld, subnetId: string): NetworkAcl {
  const subnet = subnetOf(world, subnetId);
  const id = subnet.networkAcl ?? vpcOf(world, subnet.vpc).defaultNetworkAcl;
  return need(world.networkAcls[id], 'network ACL', id);
}

/** The subnets that use a route table, explicitly or (for the main table) implicitly, in id order. */
export function subnetsOfRouteTable(world: VpcWorld, tableId: string): readonly string[] {
  const table = need(world.routeTables[tableId], 'route table', tableId);
  const main = vpcOf(world, table.vpc).mainRouteTable === tableId;
  return Object.values(world.subnets)
    .filter((s) => s.vpc === table.vpc && (s.routeTable === tableId || (s.routeTable === null && main)))
    .map((s) => s.id)
    .sort();
}

/** An interface's groups as objects, in its order (a group that no longer exists is skipped). */
export function groupsOfInterface(world: VpcWorld, eni: NetworkInterface): readonly VpcSecurityGroup[] {
  const out: VpcSecurityGroup[] = [];
  for (const key of eni.groups) {
    const g = world.groups[key];
    if (g !== undefined) out.push(g);
  }
  return out;
}

/** The interfaces of an instance, eth0 first. */
export function interfacesOfInstance(world: VpcWorld, inst: VpcInstance): readonly NetworkInterface[] {
  return inst.interfaces.map((id) => interfaceOf(world, id));
}

/** Who holds private IP `ip` in `vpc`, if anyone (a stopped instance's ENIs still hold theirs: §2). */
export function privateHolder(world: VpcWorld, vpc: string, ip: Ip): PrivateHolder | undefined {
  const key = privateKey(vpc, ip);
  return world.privateHolders[shardIndex(key)][key];
}

/** Who holds public IP or EIP `ip`, if anyone. */
export function publicHolder(world: VpcWorld, ip: Ip): PublicHolder | undefined {
  const key = String(ip);
  return world.publicHolders[shardIndex(key)][key];
}

export function getElasticIp(world: VpcWorld, ip: Ip): VpcElasticIp | undefined {
  return world.eips[String(ip)];
}

/** The public address seen for an (ENI, private IP) beyond an IGW: its EIP, else its public IP, else null (§4). */
export function publicAddressOf(eni: NetworkInterface, privateIp: Ip): Ip | null {
  const a = eni.addresses.find((x) => x.privateIp === privateIp);
  return a === undefined ? null : (a.elasticIp ?? a.publicIp);
}

/** The primary private IP of an interface. */
export function primaryIp(eni: NetworkInterface): Ip {
  return eni.addresses[0].privateIp;
}

/** The interface holding private IP `ip` in `vpc`, if an interface holds it (a NAT gateway's is not one). */
export function interfaceAt(world: VpcWorld, vpc: string, ip: Ip): NetworkInterface | undefined {
  const h = privateHolder(world, vpc, ip);
  return h?.kind === 'eni' ? getInterface(world, h.eni) : undefined;
}

/**
 * The groups a group reference sees at private IP `ip` of `vpc` (§5 Decision: members are all
 * private IPs of member ENIs; a stopped instance's ENIs stay members), or null when no
 * interface holds it (a NAT gateway, nobody): what policy/vpc-match.ts GroupView.peerGroups is.
 */
export function groupsAt(world: VpcWorld, vpc: string, ip: Ip): readonly string[] | null {
  return interfaceAt(world, vpc, ip)?.groups ?? null;
}
