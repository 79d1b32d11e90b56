/**
 * scenario/vpc/changes: the timeline's changes to the world, replayed statically.
 *
 * Owns: `authorize` / `revoke` (by direction; a rule held or not at that time), NACL entries
 * (`add-` of a free number, `replace-` / `remove-` of a held one), routes (`add-` of a new
 * static destination to a target that exists then, `replace-` / `remove-` of a static one;
 * propagated routes are not the timeline's), route-table and NACL associations,
 * `set-main-route-table`, `modify-instance-groups`. Each checks against the Replay's state at
 * its time, so a later action referring to something removed earlier is an error at its path.
 * Does not own: lifecycle and Elastic IP actions (lifecycle.ts), traffic (traffic.ts).
 */
import { listOf } from '../schema.ts';
import { absent, type Obj, type Path } from './checker.ts';
import { reference, vpcField, type Ctx } from './context.ts';
import { checkEntry, checkNumber, directionOf } from './acls.ts';
import { checkDestination, checkRoute, describeDestination, routeKey, type RouteOptions } from './routing.ts';
import { checkEniGroups, checkRule, describeRule, groupVpc, sameRule } from './groups.ts';
import { entryRef, formatTime, type EntryDoc, type Replay } from './replay.ts';
import { vpcDefaultGroupKey, type VpcAction } from './spec.ts';

type Kind = Exclude<VpcAction['kind'], 'connect' | 'send' | 'ping' | 'transfer' | 'close' | 'launch' | 'stop' | 'start' | 'terminate' | 'associate' | 'disassociate'>;

export function changeAction(r: Replay, kind: Kind, e: EntryDoc, path: Path): VpcAction | undefined {
  const fields: Record<Kind, string[]> = {
    authorize: ['group', 'vpc', 'direction', 'rule'],
    revoke: ['group', 'vpc', 'direction', 'rule'],
    'add-nacl-entry': ['acl', 'direction', 'entry'],
    'replace-nacl-entry': ['acl', 'direction', 'entry'],
    'remove-nacl-entry': ['acl', 'direction', 'number'],
    'add-route': ['routeTable', 'route'],
    'replace-route': ['routeTable', 'route'],
    'remove-route': ['routeTable', 'destination'],
    'associate-route-table': ['subnet', 'routeTable'],
    'disassociate-route-table': ['subnet'],
    'set-main-route-table': ['vpc', 'routeTable'],
    'associate-nacl': ['subnet', 'acl'],
    'modify-instance-groups': ['instance', 'interface', 'groups'],
  };
  const o = r.ctx.c.mapping(e.body, path, fields[kind], `${kind} fields ({ ${fields[kind].join(', ')} })`);
  if (!o) return undefined;
  switch (kind) {
    case 'authorize':
    case 'revoke':
      return ruleChange(r, kind, o, path, e);
    case 'add-nacl-entry':
    case 'replace-nacl-entry':
    case 'remove-nacl-entry':
      return naclChange(r, kind, o, path);
    case 'add-route':
    case 'replace-route':
    case 'remove-route':
      return routeChange(r, kind, o, path);
    case 'associate-route-table':
    case 'disassociate-route-table':
    case 'set-main-route-table':
    case 'associate-nacl':
      return association(r, kind, o, path);
    case 'modify-instance-groups': {
      const eni = r.targetEni(o, path, 'change groups', 'lone');
      const vpc = eni === undefined ? undefined : r.enis.get(eni)?.vpc;
      if (absent(o.groups)) {
        r.ctx.c.error([...path, 'groups'], 'groups is required (the groups that replace the interface\'s)');
        return undefined;
      }
      const groups = checkEniGroups(r.ctx, o.groups, [...path, 'groups'], vpc, `network interface ${eni}`);
      return eni !== undefined && groups ? { kind, interface: eni, groups } : undefined;
    }
  }
}

function need(ctx: Ctx, o: Obj, field: string, path: Path, hint: string): unknown {
  return ctx.c.required(o, field, path, hint);
}

function ruleChange(r: Replay, kind: 'authorize' | 'revoke', o: Obj, path: Path, e: EntryDoc): VpcAction | undefined {
  const { ctx } = r;
  const { c } = ctx;
  const direction = directionOf(ctx, o.direction, [...path, 'direction'], 'ingress');
  const g = need(ctx, o, 'group', path, `the group whose rules change (known: ${listOf([...ctx.groupNames.keys(), 'default'])})`);
  if (g === undefined || direction === undefined) return undefined;
  const name = c.string(g, [...path, 'group'], 'a group name');
  if (name === undefined) return undefined;
  let key: string;
  let vpc: string | undefined;
  if (name === 'default') {
    // Every VPC has its default group (declared or implicit): the vpc field says which.
    vpc = vpcField(ctx, o, path);
    if (vpc === undefined) return undefined;
    key = vpcDefaultGroupKey(vpc);
  } else if (!ctx.groupNames.has(name)) {
    c.unknown([...path, 'group'], 'group', name, [...ctx.groupNames.keys(), 'default']);
    return undefined;
  } else {
    vpc = groupVpc(ctx, name);
    if (!absent(o.vpc)) {
      const asked = reference(ctx, o.vpc, [...path, 'vpc'], ['vpc'], 'vpc');
      if (asked === undefined) return undefined;
      if (vpc !== undefined && asked !== vpc) {
        c.error([...path, 'vpc'], `group ${name} is in VPC ${vpc}, not ${asked}`);
        return undefined;
      }
    }
    key = name;
  }
  if (absent(o.rule)) {
    c.error([...path, 'rule'], `rule is required ({ protocol, ports or icmp, ${direction === 'ingress' ? 'from' : 'to'}, description })`);
    return undefined;
  }
  const rule = checkRule(ctx, o.rule, [...path, 'rule'], direction, vpc);
  const track = r.rules.get(key);
  if (!rule || !track) return undefined;
  const list = track[direction];
  const held = list.findIndex((x) => sameRule(x.rule, rule));
  const shown = name === 'default' ? `default (VPC ${vpc})` : name;
  if (kind === 'authorize') {
    if (held >= 0) {
      c.error([...path, 'rule'], `group ${shown} already has this ${direction} rule (${list[held].origin}) at ${formatTime(r.now)}`);
      return undefined;
    }
    if (list.length >= ctx.settings.limits.rulesPerGroup) {
      c.error([...path, 'rule'], `group ${shown} would have ${list.length + 1} ${direction} rules; the limit is ${ctx.settings.limits.rulesPerGroup} (settings.limits.rulesPerGroup)`);
      return undefined;
    }
    list.push({ rule, origin: `authorized by ${entryRef(e.index, e.at)}` });
  } else {
    if (held < 0) {
      const rules = list.map((x) => describeRule(x.rule, direction));
      c.error([...path, 'rule'], `group ${shown} does not hold this ${direction} rule (${describeRule(rule, direction)}) at ${formatTime(r.now)}; its ${direction} rules then: ${rules.length ? listOf(rules, 6) : 'none'}`);
      return undefined;
    }
    list.splice(held, 1);
  }
  return { kind, group: key, direction, rule };
}

function aclRef(r: Replay, o: Obj, path: Path): string | undefined {
  const v = need(r.ctx, o, 'acl', path, 'the network ACL');
  const acl = v === undefined ? undefined : reference(r.ctx, v, [...path, 'acl'], ['network ACL'], 'network ACL');
  return acl !== undefined && r.entries.has(acl) ? acl : undefined;
}

function tableRef(r: Replay, o: Obj, path: Path): string | undefined {
  const v = need(r.ctx, o, 'routeTable', path, 'the route table');
  const t = v === undefined ? undefined : reference(r.ctx, v, [...path, 'routeTable'], ['route table'], 'route table');
  return t !== undefined && r.routes.has(t) ? t : undefined;
}

function naclChange(r: Replay, kind: 'add-nacl-entry' | 'replace-nacl-entry' | 'remove-nacl-entry', o: Obj, path: Path): VpcAction | undefined {
  const { ctx } = r;
  const acl = aclRef(r, o, path);
  const direction = directionOf(ctx, o.direction, [...path, 'direction']);
  if (kind === 'remove-nacl-entry') {
    const raw = need(ctx, o, 'number', path, 'the rule number to remove');
    const number = raw === undefined ? undefined : checkNumber(ctx, raw, [...path, 'number']);
    if (acl === undefined || direction === undefined || number === undefined) return undefined;
    const held = r.entries.get(acl)![direction];
    if (!held.has(number)) {
      ctx.c.error([...path, 'number'], `${acl} has no ${direction} entry ${number} at ${formatTime(r.now)} (its ${direction} entries then: ${listOf([...held.keys()].sort((a, b) => a - b).map(String)) || 'none'})`);
      return undefined;
    }
    held.delete(number);
    return { kind, acl, direction, number };
  }
  const raw = need(ctx, o, 'entry', path, 'the entry ({ number, action, protocol, ports, icmp, cidr })');
  const entry = raw === undefined ? undefined : checkEntry(ctx, raw, [...path, 'entry']);
  if (acl === undefined || direction === undefined || !entry) return undefined;
  const held = r.entries.get(acl)![direction];
  const np = [...path, 'entry', 'number'];
  if (kind === 'add-nacl-entry' && held.has(entry.number)) {
    ctx.c.error(np, `${acl} already has ${direction} entry ${entry.number} at ${formatTime(r.now)} (use replace-nacl-entry to change it)`);
    return undefined;
  }
  if (kind === 'replace-nacl-entry' && !held.has(entry.number)) {
    ctx.c.error(np, `${acl} has no ${direction} entry ${entry.number} at ${formatTime(r.now)} to replace (use add-nacl-entry)`);
    return undefined;
  }
  if (kind === 'add-nacl-entry' && held.size >= ctx.settings.limits.naclEntries) {
    ctx.c.error(np, `${acl} would have ${held.size + 1} ${direction} entries; the limit is ${ctx.settings.limits.naclEntries} per direction (settings.limits.naclEntries)`);
    return undefined;
  }
  held.set(entry.number, entry);
  return { kind, acl, direction, entry };
}

function routeChange(r: Replay, kind: 'add-route' | 'replace-route' | 'remove-route', o: Obj, path: Path): VpcAction | undefined {
  const { ctx } = r;
  const table = tableRef(r, o, path);
  const vpc = table === undefined ? undefined : ctx.routeTables.get(table)?.vpc;
  const routes = table === undefined ? undefined : r.routes.get(table)!;
  if (kind === 'remove-route') {
    const raw = need(ctx, o, 'destination', path, 'the destination of the static route to remove');
    const destination = raw === undefined ? undefined : checkDestination(ctx, raw, [...path, 'destination']);
    if (!routes || !destination || table === undefined) return undefined;
    const key = routeKey({ destination, state: 'active', propagated: false });
    if (!routes.has(key)) {
      const propagated = routes.has(routeKey({ destination, state: 'active', propagated: true }));
      ctx.c.error([...path, 'destination'], propagated
        ? `${table}'s route to ${describeDestination(destination)} is propagated; it comes and goes with its propagation and cannot be removed`
        : `${table} has no static route to ${describeDestination(destination)} at ${formatTime(r.now)}`);
      return undefined;
    }
    routes.delete(key);
    return { kind, routeTable: table, destination };
  }
  const raw = need(ctx, o, 'route', path, 'the route ({ destination, target })');
  const opts: RouteOptions = { timeline: true, gone: (k, name) => targetGone(r, k, name) };
  const route = raw === undefined ? undefined : checkRoute(ctx, raw, [...path, 'route'], vpc, opts);
  if (!route || !routes || table === undefined) return undefined;
  const key = routeKey(route);
  const dp = [...path, 'route', 'destination'];
  if (kind === 'add-route' && routes.has(key)) {
    ctx.c.error(dp, `${table} already has a static route to ${describeDestination(route.destination)} at ${formatTime(r.now)} (use replace-route to change it)`);
    return undefined;
  }
  if (kind === 'replace-route' && !routes.has(key)) {
    ctx.c.error(dp, `${table} has no static route to ${describeDestination(route.destination)} at ${formatTime(r.now)} to replace (use add-route)`);
    return undefined;
  }
  routes.set(key, route);
  return { kind, routeTable: table, route };
}

/** Why an instance or ENI target cannot be routed to at this time (terminated, not yet launched). */
export function targetGone(r: Replay, kind: string, name: string): string | undefined {
  if (kind !== 'instance' && kind !== 'eni') return undefined;
  const info = r.ctx.names.get(name);
  const instance = kind === 'eni' ? info?.owner ?? name : name;
  const track = r.instances.get(instance);
  if (!track) {
    const launch = r.ctx.names.get(instance)?.launch;
    return launch ? `instance ${instance} does not exist yet at ${formatTime(r.now)}: it is launched by ${entryRef(launch.index, launch.at)}` : undefined;
  }
  return track.state === 'terminated' ? `instance ${instance} is terminated (by ${track.terminatedBy}); a route to it would be a blackhole` : undefined;
}

function association(r: Replay, kind: 'associate-route-table' | 'disassociate-route-table' | 'set-main-route-table' | 'associate-nacl', o: Obj, path: Path): VpcAction | undefined {
  const { ctx } = r;
  const { c } = ctx;
  if (kind === 'set-main-route-table') {
    const vpc = vpcField(ctx, o, path);
    const table = tableRef(r, o, path);
    if (vpc === undefined || table === undefined) return undefined;
    const own = ctx.routeTables.get(table)!.vpc;
    if (own !== vpc) {
      c.error([...path, 'routeTable'], `route table ${table} is in VPC ${own}, not ${vpc}`);
      return undefined;
    }
    if (r.mainOf.get(vpc) === table) {
      c.error([...path, 'routeTable'], `${table} is already VPC ${vpc}'s main route table at ${formatTime(r.now)}`);
      return undefined;
    }
    r.mainOf.set(vpc, table);
    return { kind, vpc, routeTable: table };
  }
  const sv = need(ctx, o, 'subnet', path, 'the subnet');
  const subnet = sv === undefined ? undefined : reference(ctx, sv, [...path, 'subnet'], ['subnet'], 'subnet');
  const s = subnet === undefined ? undefined : ctx.subnets.get(subnet);
  if (kind === 'disassociate-route-table') {
    if (!s) return undefined;
    if (!r.tableOf.has(s.name)) {
      c.error([...path, 'subnet'], `subnet ${s.name} has no explicit route table association at ${formatTime(r.now)} (it uses its VPC's main table)`);
      return undefined;
    }
    r.tableOf.delete(s.name);
    return { kind, subnet: s.name };
  }
  if (kind === 'associate-route-table') {
    const table = tableRef(r, o, path);
    if (!s || table === undefined) return undefined;
    const own = ctx.routeTables.get(table)!.vpc;
    if (own !== s.vpc) {
      c.error([...path, 'routeTable'], `route table ${table} is in VPC ${own}, but subnet ${s.name} is in ${s.vpc}`);
      return undefined;
    }
    if (r.tableOf.get(s.name) === table) {
      c.error([...path, 'routeTable'], `subnet ${s.name} is already associated with ${table} at ${formatTime(r.now)}`);
      return undefined;
    }
    r.tableOf.set(s.name, table);
    return { kind, subnet: s.name, routeTable: table };
  }
  const acl = aclRef(r, o, path);
  if (!s || acl === undefined) return undefined;
  const own = ctx.nacls.get(acl)!.vpc;
  if (own !== s.vpc) {
    c.error([...path, 'acl'], `network ACL ${acl} is in VPC ${own}, but subnet ${s.name} is in ${s.vpc}`);
    return undefined;
  }
  const current = r.aclOf.get(s.name) ?? r.defaultAclOf.get(s.vpc);
  if (current === acl) {
    c.error([...path, 'acl'], `subnet ${s.name} already uses ${acl} at ${formatTime(r.now)}`);
    return undefined;
  }
  r.aclOf.set(s.name, acl);
  return { kind, subnet: s.name, acl };
}

