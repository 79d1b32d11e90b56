/**
 * model/vpc/lifecycle: instances, interfaces and the addresses they hold, as they come and go
 * (domain-vpc.md §1, §2; "Stop and start your instance", "Amazon EC2 instance IP addressing").
 *
 * Owns: placing an instance with its interfaces (launch, and every instance of a new world);
 * placing a NAT gateway's addresses; the VPC lifecycle, not classic's — stop keeps every private
 * IP and every EIP and releases only eth0's Amazon public IP; start gives a new one (never a
 * released one) when derived.ts says eth0 should hold one; terminate releases the private IPs
 * and the public IP, disassociates the EIPs (which stay allocated) and deletes the interfaces
 * (Decision: every interface of the instance, as if launched with DeleteOnTermination); a
 * stopped instance's interfaces stay group members and keep their addresses. EIP association
 * on an (ENI, private IP): one EIP per private IP, one holder per EIP (associating moves it, as
 * AllowReassociation does); an EIP on eth0 releases its public IP, removing it gives a new one
 * unless the instance has several interfaces. The address indexes (world.ts) change only here.
 * Every function mutates a draft (immer's, or build.ts's fresh world) and throws a WorldError
 * for a change AWS refuses.
 * Does not own: rule, NACL, route and association changes (changes.ts).
 */
import type { Draft } from 'immer';
import { formatCidr, formatIp, type Ip } from '../../net/ipv4.ts';
import { assignableProblem, drawPublicIp, drawSubnetAddress } from './addressing.ts';
import { publicIpWanted } from './derived.ts';
import type { EniAddress, NatGateway, NetworkInterface, Subnet, VpcInstance } from './types.ts';
import { vpcGroupKey } from './types.ts';
import { privateKey, shardIndex, WorldError, type PrivateHolder, type PublicHolder, type VpcWorld } from './world.ts';
import type { PortRange } from '../../net/protocol.ts';
import type { Service } from '../types.ts';

type W = Draft<VpcWorld>;

export interface EniSpec {
  readonly id: string;
  readonly subnet: string;
  readonly privateIp?: Ip;
  readonly secondaryIps?: readonly Ip[];
  /** Group keys; default: the VPC's `default` group. */
  readonly groups?: readonly string[];
  readonly sourceDestCheck?: boolean;
  /** eth0 only. `auto` (default): the subnet's mapPublicIpOnLaunch, with a single interface;
   * `assign`: take one (the loader has resolved `auto`); `none`; or a declared address. */
  readonly publicIp?: 'auto' | 'assign' | 'none' | Ip;
  /** EIPs on this interface, each on its primary private IP unless `privateIp` says. */
  readonly elasticIps?: readonly { readonly ip: Ip; readonly privateIp?: Ip }[];
}

export interface VpcInstanceSpec {
  readonly id: string;
  readonly state: 'running' | 'stopped';
  readonly services: readonly Service[];
  readonly ephemeralPorts?: PortRange;
  /** By device index: eth0 first, all in one AZ. */
  readonly interfaces: readonly EniSpec[];
}

export interface NatGatewayInput {
  readonly id: string;
  readonly subnet: string;
  readonly elasticIp: Ip;
  readonly privateIp?: Ip;
  readonly state?: NatGateway['state'];
}


// ---------------------------------------------------------------------------------------------
// The address indexes

function holdPrivate(w: W, vpc: string, ip: Ip, holder: PrivateHolder, where: string): void {
  const key = privateKey(vpc, ip);
  const shard = w.privateHolders[shardIndex(key)];
  if (shard[key] !== undefined) throw new WorldError(`${where}: ${formatIp(ip)} is already held in VPC ${vpc}`);
  shard[key] = holder;
}

function releasePrivate(w: W, vpc: string, ip: Ip): void {
  const key = privateKey(vpc, ip);
  delete w.privateHolders[shardIndex(key)][key];
}

function holdPublic(w: W, ip: Ip, holder: PublicHolder, where: string): void {
  const key = String(ip);
  const shard = w.publicHolders[shardIndex(key)];
  if (shard[key] !== undefined) throw new WorldError(`${where}: public address ${formatIp(ip)} is already held`);
  shard[key] = holder;
}

function releasePublic(w: W, ip: Ip): void {
  const key = String(ip);
  delete w.publicHolders[shardIndex(key)][key];
}

function subnetIn(w: W, id: string, where: string): Draft<Subnet> {
  const s = w.subnets[id];
  if (s === undefined) throw new WorldError(`${where}: unknown subnet ${id}`);
  return s;
}

function drawPrivate(w: W, subnet: Draft<Subnet>, where: string): Ip {
  const taken = (ip: Ip): boolean => w.reserved.has(ip) || w.privateHolders[shardIndex(privateKey(subnet.vpc, ip))][privateKey(subnet.vpc, ip)] !== undefined;
  const d = drawSubnetAddress(subnet.cidr, w.subnetCursors[subnet.id] ?? 0, taken);
  if (d === null) throw new WorldError(`${where}: subnet ${subnet.id} (${formatCidr(subnet.cidr)}) has no free address`);
  w.subnetCursors[subnet.id] = d.cursor;
  return d.ip;
}

function checkAssignable(subnet: Draft<Subnet>, ip: Ip, where: string): void {
  const problem = assignableProblem(subnet.cidr, ip);
  if (problem !== null) throw new WorldError(`${where}: ${formatIp(ip)} ${problem} ${subnet.id} (${formatCidr(subnet.cidr)})`);
}

function draftInstance(w: W, id: string): Draft<VpcInstance> {
  const inst = w.instances[shardIndex(id)][id];
  if (inst === undefined) throw new WorldError(`unknown instance ${id}`);
  return inst;
}

function draftInterface(w: W, id: string): Draft<NetworkInterface> {
  const eni = w.interfaces[shardIndex(id)][id];
  if (eni === undefined) throw new WorldError(`unknown network interface ${id}`);
  return eni;
}

// ---------------------------------------------------------------------------------------------
// Placing instances and NAT gateways

/** Adds an instance and its interfaces (running or stopped) with their addresses. */
export function placeInstance(w: W, spec: VpcInstanceSpec): void {
  if (w.instances[shardIndex(spec.id)][spec.id] !== undefined) throw new WorldError(`instance ${spec.id} already exists`);
  if (spec.interfaces.length === 0) throw new WorldError(`instance ${spec.id} has no network interface`);
  const zone = subnetIn(w, spec.interfaces[0].subnet, `instance ${spec.id}`).zone;
  const inst: VpcInstance = {
    id: spec.id,
    zone,
    state: spec.state,
    interfaces: spec.interfaces.map((e) => e.id),
    services: spec.services,
    // Always present (undefined when not set), so every instance has one shape.
    ephemeralPorts: spec.ephemeralPorts,
  };
  w.instances[shardIndex(spec.id)][spec.id] = inst as Draft<VpcInstance>;
  spec.interfaces.forEach((e, device) => placeInterface(w, inst, e, device, zone));
  refreshPublicIp(w, spec.id, typeof spec.interfaces[0].publicIp === 'number' ? spec.interfaces[0].publicIp : null);
}

function placeInterface(w: W, inst: VpcInstance, e: EniSpec, device: number, zone: string): void {
  const where = `interface ${e.id}`;
  if (w.interfaces[shardIndex(e.id)][e.id] !== undefined) throw new WorldError(`${where} already exists`);
  const subnet = subnetIn(w, e.subnet, where);
  if (subnet.zone !== zone) throw new WorldError(`${where}: subnet ${subnet.id} is in ${subnet.zone}, not ${zone} (an instance's interfaces share one AZ)`);
  const groups = e.groups ?? [vpcGroupKey('default', subnet.vpc)];
  checkGroups(w, groups, subnet.vpc, where);
  const declared = [e.privateIp, ...(e.secondaryIps ?? [])].filter((ip): ip is Ip => ip !== undefined);
  for (const ip of declared) {
    checkAssignable(subnet, ip, where);
    holdPrivate(w, subnet.vpc, ip, { kind: 'eni', eni: e.id, privateIp: ip }, where);
  }
  let primary = e.privateIp;
  if (primary === undefined) {
    primary = drawPrivate(w, subnet, where);
    holdPrivate(w, subnet.vpc, primary, { kind: 'eni', eni: e.id, privateIp: primary }, where);
  }
  const addresses: EniAddress[] = [primary, ...(e.secondaryIps ?? [])].map((ip, i) => ({ privateIp: ip, primary: i === 0, publicIp: null, elasticIp: null }));
  const requested = device === 0 ? (e.publicIp ?? 'auto') : 'none';
  const eni: NetworkInterface = {
    id: e.id,
    subnet: subnet.id,
    instance: inst.id,
    deviceIndex: device,
    addresses,
    groups,
    sourceDestCheck: e.sourceDestCheck ?? true,
    autoPublicIp: requested === 'auto' ? subnet.mapPublicIpOnLaunch && inst.interfaces.length === 1 : requested !== 'none',
  };
  w.interfaces[shardIndex(e.id)][e.id] = eni as Draft<NetworkInterface>;
  for (const x of e.elasticIps ?? []) {
    const on = x.privateIp ?? primary;
    if (w.eips[String(x.ip)]?.eni != null) throw new WorldError(`${where}: Elastic IP ${formatIp(x.ip)} is already associated`);
    if (eni.addresses.find((a) => a.privateIp === on)?.elasticIp != null) throw new WorldError(`${where}: ${formatIp(on)} holds two Elastic IPs (one per private IP)`);
    attachElasticIp(w, x.ip, e.id, on, where);
  }
}

/** Adds a NAT gateway, drawing its private IP in its subnet unless declared. */
export function placeNatGateway(w: W, n: NatGatewayInput): void {
  const where = `NAT gateway ${n.id}`;
  if (w.natGateways[n.id] !== undefined) throw new WorldError(`${where} is declared twice`);
  const subnet = subnetIn(w, n.subnet, where);
  let privateIp = n.privateIp;
  if (privateIp !== undefined) checkAssignable(subnet, privateIp, where);
  else privateIp = drawPrivate(w, subnet, where);
  holdPrivate(w, subnet.vpc, privateIp, { kind: 'nat', nat: n.id, privateIp }, where);
  holdPublic(w, n.elasticIp, { kind: 'nat', nat: n.id, privateIp, elastic: true }, where);
  w.natGateways[n.id] = { id: n.id, subnet: n.subnet, privateIp, elasticIp: n.elasticIp, state: n.state ?? 'available' };
}

/** Groups an interface may carry: 1 to 16 distinct groups of its own VPC (§1, §5). */
export function checkGroups(w: Draft<VpcWorld> | VpcWorld, groups: readonly string[], vpc: string, where: string): void {
  if (groups.length < 1 || groups.length > 16) throw new WorldError(`${where}: an interface carries 1 to 16 groups, not ${groups.length}`);
  if (new Set(groups).size !== groups.length) throw new WorldError(`${where}: a group is listed twice`);
  for (const key of groups) {
    const g = w.groups[key];
    if (g === undefined) throw new WorldError(`${where}: unknown group ${key}`);
    if (g.vpc !== vpc) throw new WorldError(`${where}: group ${key} belongs to VPC ${g.vpc}, not ${vpc} (a group serves only its VPC)`);
  }
}

// ---------------------------------------------------------------------------------------------
// eth0's public IP

/**
 * Makes eth0's Amazon public IP what derived.ts says: released while the instance is not
 * running or eth0 holds an EIP; a new one drawn when it should hold one and has none
 * (`declared`: the address a launch names, used instead of a draw).
 */
function refreshPublicIp(w: W, instanceId: string, declared: Ip | null = null): void {
  const inst = draftInstance(w, instanceId);
  if (inst.interfaces.length === 0) return;
  const eth0 = draftInterface(w, inst.interfaces[0]);
  const primary = eth0.addresses[0];
  const hasEip = eth0.addresses.some((a) => a.elasticIp !== null);
  if (primary.publicIp !== null) {
    if (inst.state !== 'running' || hasEip) {
      releasePublic(w, primary.publicIp);
      primary.publicIp = null;
    }
    return;
  }
  if (declared !== null) {
    if (inst.state !== 'running') throw new WorldError(`interface ${eth0.id}: a stopped instance holds no public IP (§2)`);
    if (hasEip) throw new WorldError(`interface ${eth0.id}: an Elastic IP on eth0 replaces its public IP`);
  } else if (!publicIpWanted(inst as VpcInstance, eth0 as NetworkInterface)) return;
  let ip = declared;
  if (ip === null) {
    const d = drawPublicIp(w.pools, w.reserved);
    w.pools = d.pools;
    ip = d.ip;
  }
  holdPublic(w, ip, { kind: 'eni', eni: eth0.id, privateIp: primary.privateIp, elastic: false }, `interface ${eth0.id}`);
  primary.publicIp = ip;
}

// ---------------------------------------------------------------------------------------------
// Stop, start, terminate (§2)

export function stopInstance(w: W, id: string): void {
  const inst = draftInstance(w, id);
  if (inst.state === 'terminated') throw new WorldError(`instance ${id} is terminated`);
  if (inst.state === 'stopped') return;
  inst.state = 'stopped';
  refreshPublicIp(w, id);
}

export function startInstance(w: W, id: string): void {
  const inst = draftInstance(w, id);
  if (inst.state === 'terminated') throw new WorldError(`instance ${id} is terminated`);
  if (inst.state === 'running') return;
  inst.state = 'running';
  refreshPublicIp(w, id);
}

export function terminateInstance(w: W, id: string): void {
  const inst = draftInstance(w, id);
  if (inst.state === 'terminated') return;
  inst.state = 'terminated';
  refreshPublicIp(w, id);
  for (const eniId of inst.interfaces) {
    const eni = draftInterface(w, eniId);
    const vpc = subnetIn(w, eni.subnet, `interface ${eniId}`).vpc;
    for (const a of eni.addresses) {
      if (a.elasticIp !== null) detachElasticIp(w, a.elasticIp);
      releasePrivate(w, vpc, a.privateIp);
    }
    delete w.interfaces[shardIndex(eniId)][eniId];
  }
  inst.interfaces = [];
}

// ---------------------------------------------------------------------------------------------
// Elastic IPs on (ENI, private IP)

function attachElasticIp(w: W, ip: Ip, eniId: string, privateIp: Ip, where: string): void {
  const eni = draftInterface(w, eniId);
  const address = eni.addresses.find((a) => a.privateIp === privateIp);
  if (address === undefined) throw new WorldError(`${where}: interface ${eniId} does not hold ${formatIp(privateIp)}`);
  const subnet = subnetIn(w, eni.subnet, where);
  const region = w.vpcs[subnet.vpc].region;
  const existing = w.eips[String(ip)];
  if (existing !== undefined && existing.region !== region) throw new WorldError(`${where}: Elastic IP ${formatIp(ip)} belongs to ${existing.region}, not ${region}`);
  const nat = w.publicHolders[shardIndex(String(ip))][String(ip)];
  if (nat !== undefined && nat.kind === 'nat') throw new WorldError(`${where}: ${formatIp(ip)} is NAT gateway ${nat.nat}'s Elastic IP`);
  if (existing?.eni != null) detachElasticIp(w, ip);
  if (address.elasticIp !== null) detachElasticIp(w, address.elasticIp);
  w.eips[String(ip)] = { ip, region, eni: eniId, privateIp };
  holdPublic(w, ip, { kind: 'eni', eni: eniId, privateIp, elastic: true }, where);
  address.elasticIp = ip;
}

/** Takes an EIP off its (ENI, private IP); it stays allocated. Returns the former instance. */
function detachElasticIp(w: W, ip: Ip): string | null {
  const eip = w.eips[String(ip)];
  if (eip === undefined || eip.eni === null) return null;
  const eni = draftInterface(w, eip.eni);
  const address = eni.addresses.find((a) => a.privateIp === eip.privateIp);
  if (address !== undefined) address.elasticIp = null;
  releasePublic(w, ip);
  eip.eni = null;
  eip.privateIp = null;
  return eni.instance;
}

/** Associates an EIP with an interface's private IP (its primary unless given), moving it from
 * any former holder; each instance touched gets its public IP made right. */
export function associateElasticIp(w: W, ip: Ip, eniId: string, privateIp: Ip | undefined): void {
  const eni = draftInterface(w, eniId);
  const on = privateIp ?? eni.addresses[0].privateIp;
  const current = w.eips[String(ip)];
  if (current !== undefined && current.eni === eniId && current.privateIp === on) return;
  const former = current?.eni != null ? draftInterface(w, current.eni).instance : null;
  attachElasticIp(w, ip, eniId, on, `associate ${formatIp(ip)}`);
  if (former !== null && former !== eni.instance) refreshPublicIp(w, former);
  if (eni.instance !== null) refreshPublicIp(w, eni.instance);
}

/** Disassociates an EIP (it stays allocated); eth0 gets a new public IP if it should hold one. */
export function disassociateElasticIp(w: W, ip: Ip): void {
  const former = detachElasticIp(w, ip);
  if (former !== null) refreshPublicIp(w, former);
}
