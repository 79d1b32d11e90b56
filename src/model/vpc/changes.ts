/**
 * model/vpc/changes: every change of a VPC world as a pure function, world in, world out
 * (scenario-format-vpc.md "Timeline"; domain-vpc.md §3, §5, §6).
 *
 * Owns: the VpcChange vocabulary (named after the timeline's actions) and applying one with
 * immer's produceWithPatches (the patches are the change log, as classic's model/world.ts):
 * authorize / revoke a rule by direction; add / replace / remove a NACL entry (numbers 1-32766;
 * the `*` entry cannot be touched); add / replace / remove a static route (the `local` route
 * cannot be removed; its target may be replaced by a NAT gateway or an interface, "Replace or
 * restore the target for a local route"; a route more specific than a VPC block must name a
 * whole subnet's block and a NAT gateway or interface: middlebox routing, "Configure route
 * tables"); associating and disassociating route tables, replacing the main one, associating a
 * NACL; replacing an interface's groups (`modify-instance-groups`: like a rule change, §5); and,
 * through lifecycle.ts, launch, stop, start, terminate and EIP association.
 * Adding what exists, or changing or removing what does not, throws a WorldError (the AWS API
 * refuses those too: RouteAlreadyExists, InvalidPermission.Duplicate, …).
 * Does not own: when a change takes effect (the runner and fabric), or evaluation.
 */
import { enableMapSet, enablePatches, Immer, type Draft, type Patch } from 'immer';
import { formatCidr, type Ip } from '../../net/ipv4.ts';
import { cidrInside } from './addressing.ts';
import { isLocalRoute, LOCAL_TARGET } from './derived.ts';
import type { RouteInput } from './build.ts';
import {
  associateElasticIp,
  checkGroups,
  disassociateElasticIp,
  placeInstance,
  startInstance,
  stopInstance,
  terminateInstance,
  type VpcInstanceSpec,
} from './lifecycle.ts';
import {
  NACL_MAX_RULE_NUMBER,
  sameCidr,
  sameDestination,
  sameVpcRule,
  type Direction,
  type NaclEntry,
  type Route,
  type RouteDestination,
  type RouteTable,
  type VpcRule,
  type VpcSecurityGroup,
} from './types.ts';
import { getInstance, getInterface, shardIndex, WorldError, type VpcWorld } from './world.ts';

enablePatches();
enableMapSet();

/**
 * Immer without auto-freeze: immer 10+ freezes the whole result tree on the first change, which
 * for a world of 10^6 instances is seconds of work (measured: 20 s at 10^6). The world is
 * immutable by its readonly types and by every change going through here; a test checks that a
 * change leaves its input as it was.
 */
const immer = new Immer({ autoFreeze: false });

export type VpcChange =
  | { readonly kind: 'authorize' | 'revoke'; readonly group: string; readonly direction: Direction; readonly rule: VpcRule }
  | { readonly kind: 'add-nacl-entry' | 'replace-nacl-entry'; readonly acl: string; readonly direction: Direction; readonly entry: NaclEntry }
  | { readonly kind: 'remove-nacl-entry'; readonly acl: string; readonly direction: Direction; readonly number: number }
  | { readonly kind: 'add-route' | 'replace-route'; readonly routeTable: string; readonly route: RouteInput }
  | { readonly kind: 'remove-route'; readonly routeTable: string; readonly destination: RouteDestination }
  | { readonly kind: 'associate-route-table'; readonly subnet: string; readonly routeTable: string }
  | { readonly kind: 'disassociate-route-table'; readonly subnet: string }
  | { readonly kind: 'set-main-route-table'; readonly vpc: string; readonly routeTable: string }
  | { readonly kind: 'associate-nacl'; readonly subnet: string; readonly acl: string }
  | { readonly kind: 'modify-instance-groups'; readonly interface: string; readonly groups: readonly string[] }
  | { readonly kind: 'launch'; readonly instance: VpcInstanceSpec }
  | { readonly kind: 'stop' | 'start' | 'terminate'; readonly instance: string }
  | { readonly kind: 'associate'; readonly elasticIp: Ip; readonly interface: string; readonly privateIp?: Ip }
  | { readonly kind: 'disassociate'; readonly elasticIp: Ip };

export function applyVpcChange(world: VpcWorld, change: VpcChange): VpcWorld {
  return applyVpcChangeWithPatches(world, change)[0];
}

export function applyVpcChangeWithPatches(world: VpcWorld, change: VpcChange): [VpcWorld, Patch[]] {
  const [next, patches] = immer.produceWithPatches(world, (draft) => {
    mutate(draft, world, change);
  });
  return [next, patches];
}

// Named forms, one per action.
export const authorizeVpc = (w: VpcWorld, group: string, direction: Direction, rule: VpcRule): VpcWorld => applyVpcChange(w, { kind: 'authorize', group, direction, rule });
export const revokeVpc = (w: VpcWorld, group: string, direction: Direction, rule: VpcRule): VpcWorld => applyVpcChange(w, { kind: 'revoke', group, direction, rule });
export const createNaclEntry = (w: VpcWorld, acl: string, direction: Direction, entry: NaclEntry): VpcWorld => applyVpcChange(w, { kind: 'add-nacl-entry', acl, direction, entry });
export const replaceNaclEntry = (w: VpcWorld, acl: string, direction: Direction, entry: NaclEntry): VpcWorld => applyVpcChange(w, { kind: 'replace-nacl-entry', acl, direction, entry });
export const deleteNaclEntry = (w: VpcWorld, acl: string, direction: Direction, number: number): VpcWorld => applyVpcChange(w, { kind: 'remove-nacl-entry', acl, direction, number });
export const createRoute = (w: VpcWorld, routeTable: string, route: RouteInput): VpcWorld => applyVpcChange(w, { kind: 'add-route', routeTable, route });
export const replaceRoute = (w: VpcWorld, routeTable: string, route: RouteInput): VpcWorld => applyVpcChange(w, { kind: 'replace-route', routeTable, route });
export const deleteRoute = (w: VpcWorld, routeTable: string, destination: RouteDestination): VpcWorld => applyVpcChange(w, { kind: 'remove-route', routeTable, destination });
export const associateRouteTable = (w: VpcWorld, subnet: string, routeTable: string): VpcWorld => applyVpcChange(w, { kind: 'associate-route-table', subnet, routeTable });
export const disassociateRouteTable = (w: VpcWorld, subnet: string): VpcWorld => applyVpcChange(w, { kind: 'disassociate-route-table', subnet });
export const setMainRouteTable = (w: VpcWorld, vpc: string, routeTable: string): VpcWorld => applyVpcChange(w, { kind: 'set-main-route-table', vpc, routeTable });
export const associateNacl = (w: VpcWorld, subnet: string, acl: string): VpcWorld => applyVpcChange(w, { kind: 'associate-nacl', subnet, acl });
export const modifyInterfaceGroups = (w: VpcWorld, eni: string, groups: readonly string[]): VpcWorld => applyVpcChange(w, { kind: 'modify-instance-groups', interface: eni, groups });
export const launchVpcInstance = (w: VpcWorld, instance: VpcInstanceSpec): VpcWorld => applyVpcChange(w, { kind: 'launch', instance });
export const stopVpcInstance = (w: VpcWorld, instance: string): VpcWorld => applyVpcChange(w, { kind: 'stop', instance });
export const startVpcInstance = (w: VpcWorld, instance: string): VpcWorld => applyVpcChange(w, { kind: 'start', instance });
export const terminateVpcInstance = (w: VpcWorld, instance: string): VpcWorld => applyVpcChange(w, { kind: 'terminate', instance });
export const associateAddress = (w: VpcWorld, elasticIp: Ip, eni: string, privateIp?: Ip): VpcWorld =>
  applyVpcChange(w, privateIp === undefined ? { kind: 'associate', elasticIp, interface: eni } : { kind: 'associate', elasticIp, interface: eni, privateIp });
export const disassociateAddress = (w: VpcWorld, elasticIp: Ip): VpcWorld => applyVpcChange(w, { kind: 'disassociate', elasticIp });

/**
 * The interface `modify-instance-groups` with an instance changes: its only one. AWS refuses the
 * instance form when several are attached ("There are multiple interfaces attached to
 * instance …"), and so does sgsim.
 */
export function interfaceForGroups(world: VpcWorld, instance: string): string {
  const inst = getInstance(world, instance);
  if (inst === undefined || inst.state === 'terminated') throw new WorldError(`unknown instance ${instance}`);
  if (inst.interfaces.length !== 1) throw new WorldError(`instance ${instance} has ${inst.interfaces.length} interfaces: name the interface whose groups change`);
  return inst.interfaces[0];
}

/** A group with one rule authorized or revoked in `direction` (pure; also for a fabric's view of
 * the rules in force while a change propagates). */
export function changeVpcRules(group: VpcSecurityGroup, change: { kind: 'authorize' | 'revoke'; direction: Direction; rule: VpcRule }): VpcSecurityGroup {
  const rules = change.direction === 'ingress' ? group.ingress : group.egress;
  const i = rules.findIndex((r) => sameVpcRule(r, change.rule));
  let next: readonly VpcRule[];
  if (change.kind === 'authorize') {
    if (i >= 0) throw new WorldError(`group ${group.name} already has ${change.direction} rule ${ruleText(change.rule)}`);
    next = [...rules, change.rule];
  } else {
    if (i < 0) throw new WorldError(`group ${group.name} has no ${change.direction} rule ${ruleText(change.rule)} to revoke`);
    next = rules.filter((_, j) => j !== i);
  }
  return change.direction === 'ingress' ? { ...group, ingress: next } : { ...group, egress: next };
}

type W = Draft<VpcWorld>;

/** A rule as an error message names it: protocol, ports, peer. */
function ruleText(rule: VpcRule): string {
  const ports = rule.ports ? `/${rule.ports.from}-${rule.ports.to}` : rule.icmp ? ` ${rule.icmp.type}:${rule.icmp.code}` : '';
  const p = rule.peer;
  const peer = p.kind === 'cidr' ? formatCidr(p.cidr) : p.kind === 'group' ? `group ${p.group}` : `prefix list ${p.prefixList}`;
  return `${String(rule.protocol)}${ports} ${peer}`;
}

function table(w: W, id: string): Draft<RouteTable> {
  const t = w.routeTables[id];
  if (t === undefined) throw new WorldError(`unknown route table ${id}`);
  return t;
}

function destinationText(d: RouteDestination): string {
  return d.kind === 'cidr' ? formatCidr(d.cidr) : d.prefixList;
}

/** The index of the static route to `destination` in a table, or -1. */
function staticRouteIndex(routes: readonly Route[], destination: RouteDestination): number {
  return routes.findIndex((r) => r.origin === 'static' && sameDestination(r.destination, destination));
}

/** What AWS requires of a route before it is added or replaced (besides its destination being free). */
function checkRoute(world: VpcWorld, t: RouteTable, route: RouteInput, replacingLocal: boolean): void {
  const where = `route table ${t.id}: route to ${destinationText(route.destination)}`;
  const kind = route.target.kind;
  if (kind === 'local' && !replacingLocal) throw new WorldError(`${where}: only the local route targets local`);
  if (replacingLocal && kind !== 'local' && kind !== 'nat' && kind !== 'eni') throw new WorldError(`${where}: the local route's target may only be replaced by a NAT gateway or a network interface`);
  if (route.destination.kind === 'prefixList' && world.prefixLists[route.destination.prefixList] === undefined) throw new WorldError(`${where}: unknown prefix list`);
  if (route.destination.kind === 'cidr' && !replacingLocal) {
    const cidr = route.destination.cidr;
    const vpc = world.vpcs[t.vpc];
    if (vpc.cidrs.some((b) => cidrInside(cidr, b))) {
      const wholeSubnet = Object.values(world.subnets).some((s) => s.vpc === t.vpc && s.cidr.base === cidr.base && s.cidr.prefix === cidr.prefix);
      if (!wholeSubnet || (kind !== 'nat' && kind !== 'eni')) {
        throw new WorldError(`${where}: a route inside the VPC's block must name a whole subnet's block and a NAT gateway or network interface (middlebox routing)`);
      }
    }
  }
  if ((route.state ?? 'active') === 'active' && !targetExists(world, route.target.kind, route.target.id)) throw new WorldError(`${where}: unknown ${kind} target ${route.target.id}`);
}

function targetExists(world: VpcWorld, kind: Route['target']['kind'], id: string): boolean {
  switch (kind) {
    case 'local':
      return true;
    case 'igw':
      return world.internetGateways[id] !== undefined;
    case 'vgw':
      return world.vpnGateways[id] !== undefined;
    case 'nat':
      return world.natGateways[id] !== undefined;
    case 'pcx':
      return world.peerings[id] !== undefined;
    case 'tgw':
      return world.transitGateways[id] !== undefined;
    case 'eni':
      return getInterface(world, id) !== undefined;
    case 'instance':
      return getInstance(world, id) !== undefined;
  }
}

function naclEntries(w: W, acl: string, direction: Direction): Draft<NaclEntry>[] {
  const a = w.networkAcls[acl];
  if (a === undefined) throw new WorldError(`unknown network ACL ${acl}`);
  return direction === 'ingress' ? a.ingress : a.egress;
}

function checkNaclNumber(n: number, where: string): void {
  if (!Number.isInteger(n) || n < 1 || n > NACL_MAX_RULE_NUMBER) throw new WorldError(`${where}: entry numbers are 1 to ${NACL_MAX_RULE_NUMBER} (the * entry cannot be changed)`);
}

function subnetDraft(w: W, id: string) {
  const s = w.subnets[id];
  if (s === undefined) throw new WorldError(`unknown subnet ${id}`);
  return s;
}

function mutate(w: W, world: VpcWorld, change: VpcChange): void {
  switch (change.kind) {
    case 'authorize':
    case 'revoke': {
      const g = world.groups[change.group];
      if (g === undefined) throw new WorldError(`unknown group ${change.group}`);
      w.groups[change.group] = changeVpcRules(g, change) as Draft<VpcSecurityGroup>;
      return;
    }
    case 'add-nacl-entry':
    case 'replace-nacl-entry': {
      const where = `network ACL ${change.acl} ${change.direction} entry ${change.entry.number}`;
      checkNaclNumber(change.entry.number, where);
      const entries = naclEntries(w, change.acl, change.direction);
      const i = entries.findIndex((e) => e.number === change.entry.number);
      if (change.kind === 'add-nacl-entry') {
        if (i >= 0) throw new WorldError(`${where} already exists`);
        entries.push(change.entry as Draft<NaclEntry>);
      } else {
        if (i < 0) throw new WorldError(`${where} does not exist`);
        entries[i] = change.entry as Draft<NaclEntry>;
      }
      return;
    }
    case 'remove-nacl-entry': {
      const where = `network ACL ${change.acl} ${change.direction} entry ${change.number}`;
      checkNaclNumber(change.number, where);
      const entries = naclEntries(w, change.acl, change.direction);
      const i = entries.findIndex((e) => e.number === change.number);
      if (i < 0) throw new WorldError(`${where} does not exist`);
      entries.splice(i, 1);
      return;
    }
    case 'add-route':
    case 'replace-route': {
      const t = table(w, change.routeTable);
      const i = staticRouteIndex(t.routes as readonly Route[], change.route.destination);
      const where = `route table ${t.id}: route to ${destinationText(change.route.destination)}`;
      if (change.kind === 'add-route' && i >= 0) throw new WorldError(`${where} already exists`);
      if (change.kind === 'replace-route' && i < 0) throw new WorldError(`${where} does not exist`);
      const replacingLocal = i >= 0 && isLocalRoute(t.routes[i] as Route);
      checkRoute(world, world.routeTables[t.id], change.route, replacingLocal);
      const route: Route = {
        destination: change.route.destination,
        target: change.route.target.kind === 'local' ? LOCAL_TARGET : change.route.target,
        state: change.route.state ?? 'active',
        origin: 'static',
      };
      if (i >= 0) t.routes[i] = route as Draft<Route>;
      else t.routes.push(route as Draft<Route>);
      return;
    }
    case 'remove-route': {
      const t = table(w, change.routeTable);
      const i = staticRouteIndex(t.routes as readonly Route[], change.destination);
      const where = `route table ${t.id}: route to ${destinationText(change.destination)}`;
      if (i < 0) throw new WorldError(`${where} does not exist (propagated routes come and go with their propagation)`);
      const d = change.destination;
      if (d.kind === 'cidr' && world.vpcs[t.vpc].cidrs.some((b) => sameCidr(b, d.cidr))) throw new WorldError(`${where}: the local route cannot be removed`);
      t.routes.splice(i, 1);
      return;
    }
    case 'associate-route-table': {
      const s = subnetDraft(w, change.subnet);
      const t = table(w, change.routeTable);
      if (t.vpc !== s.vpc) throw new WorldError(`route table ${t.id} is in VPC ${t.vpc}, not subnet ${s.id}'s ${s.vpc}`);
      s.routeTable = t.id;
      return;
    }
    case 'disassociate-route-table': {
      const s = subnetDraft(w, change.subnet);
      if (s.routeTable === null) throw new WorldError(`subnet ${s.id} has no explicit route table association`);
      s.routeTable = null;
      return;
    }
    case 'set-main-route-table': {
      const v = w.vpcs[change.vpc];
      if (v === undefined) throw new WorldError(`unknown VPC ${change.vpc}`);
      const t = table(w, change.routeTable);
      if (t.vpc !== v.id) throw new WorldError(`route table ${t.id} is in VPC ${t.vpc}, not ${v.id}`);
      v.mainRouteTable = t.id;
      return;
    }
    case 'associate-nacl': {
      const s = subnetDraft(w, change.subnet);
      const a = w.networkAcls[change.acl];
      if (a === undefined) throw new WorldError(`unknown network ACL ${change.acl}`);
      if (a.vpc !== s.vpc) throw new WorldError(`network ACL ${a.id} is in VPC ${a.vpc}, not subnet ${s.id}'s ${s.vpc}`);
      s.networkAcl = a.id;
      return;
    }
    case 'modify-instance-groups': {
      const eni = w.interfaces[shardIndex(change.interface)][change.interface];
      if (eni === undefined) throw new WorldError(`unknown network interface ${change.interface}`);
      checkGroups(world, change.groups, world.subnets[eni.subnet].vpc, `interface ${eni.id}`);
      eni.groups = [...change.groups];
      return;
    }
    case 'launch':
      placeInstance(w, change.instance);
      return;
    case 'stop':
      stopInstance(w, change.instance);
      return;
    case 'start':
      startInstance(w, change.instance);
      return;
    case 'terminate':
      terminateInstance(w, change.instance);
      return;
    case 'associate':
      associateElasticIp(w, change.elasticIp, change.interface, change.privateIp);
      return;
    case 'disassociate':
      disassociateElasticIp(w, change.elasticIp);
      return;
  }
}
