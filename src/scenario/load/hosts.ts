/**
 * scenario/load/hosts: instances (declared, or launched in the timeline) and external hosts.
 *
 * Owns: an instance spec (region, zone, groups, state, addresses, services) and an external
 * host (its one public address, its services); instances with the same groups share one list.
 */
import { groupDisplayName, groupKey, DEFAULT_GROUP, type InstanceSpec, type Service } from '../../model/types.ts';
import type { Ip } from '../../net/ipv4.ts';
import { formatPath } from '../diagnostics.ts';
import { EXTERNAL_FIELDS, INSTANCE_FIELDS, describeValue, isProblem, listOf, parseService } from '../schema.ts';
import type { ExternalSpec } from '../spec.ts';
import { checkIpField, claimAddress, claimEipRegion } from './addresses.ts';
import { checkRegionField, resolveGroup } from './names.ts';
import type { ScenarioState } from './state.ts';
import { absent, isPlainObject, type Checker, type Obj, type Path } from './structure.ts';

function checkServices(c: Checker, v: unknown, path: Path): Service[] {
  if (absent(v)) return [];
  const list = c.list(v, path, 'services (e.g. [tcp/22, udp/53])');
  const services: Service[] = [];
  list?.forEach((s, i) => {
    const svc = parseService(s);
    if (isProblem(svc)) c.error([...path, i], svc.error);
    else services.push(svc);
  });
  return services;
}

/** An instance spec (the `instances` section, or a `launch`). Addresses are claimed here. */
export function checkInstanceSpec(c: Checker, o: Obj, path: Path, name: string, state: ScenarioState): InstanceSpec | undefined {
  const { names } = state;
  const before = c.count;
  const region = checkRegionField(c, o, path, names);
  const regionInfo = region === undefined ? undefined : names.regions.get(region);
  let zone = regionInfo?.zones[0];
  if (!absent(o.zone)) {
    const z = c.string(o.zone, [...path, 'zone'], 'a zone name');
    if (z !== undefined && regionInfo) {
      if (regionInfo.zones.includes(z)) zone = z;
      else {
        c.error(
          [...path, 'zone'],
          `zone "${z}" is not a zone of region ${regionInfo.name} (its zones: ${listOf(regionInfo.zones)})`,
        );
      }
    }
  }
  let groups: string[] = region === undefined ? [] : [groupKey(DEFAULT_GROUP, region)];
  if (!absent(o.groups)) {
    const list = c.list(o.groups, [...path, 'groups'], 'group names');
    if (list) {
      if (list.length === 0) c.error([...path, 'groups'], 'an instance is in at least one group (omit groups for [default])');
      groups = [];
      list.forEach((g, i) => {
        const key = resolveGroup(c, g, [...path, 'groups', i], region, `instance ${name}`, names);
        if (key === undefined) return;
        if (groups.includes(key)) {
          c.error([...path, 'groups', i], `group ${groupDisplayName(key)} is listed twice`);
          return;
        }
        groups.push(key);
      });
    }
  }
  let running = true;
  if (!absent(o.state)) {
    if (o.state === 'stopped') running = false;
    else if (o.state !== 'running') {
      c.error([...path, 'state'], `unknown state ${describeValue(o.state)} (expected running or stopped)`);
    }
  }
  const addr = (field: 'privateIp' | 'publicIp' | 'elasticIp', want: 'private' | 'public', what: string): Ip | undefined => {
    if (absent(o[field])) return undefined;
    const at = [...path, field];
    if (!running) {
      c.error(at, `a stopped instance holds no addresses (remove ${field}, or make ${name} running)`);
      return undefined;
    }
    const ip = checkIpField(c, o[field], at, want, what);
    if (ip === undefined) return undefined;
    return claimAddress(c, state, ip, { host: name, field, path: at }) ? ip : undefined;
  };
  const privateIp = addr('privateIp', 'private', 'a private IP');
  const publicIp = addr('publicIp', 'public', 'a public IP');
  let elasticIp: Ip | undefined;
  if (!absent(o.publicIp) && !absent(o.elasticIp) && running) {
    c.error(
      [...path, 'elasticIp'],
      'publicIp and elasticIp are not declared together (while it holds an Elastic IP an instance has no dynamic public IP)',
    );
  } else {
    elasticIp = addr('elasticIp', 'public', 'an Elastic IP');
    if (elasticIp !== undefined && region !== undefined) {
      claimEipRegion(c, state, elasticIp, region, name, [...path, 'elasticIp']);
    }
  }
  const services = checkServices(c, o.services, [...path, 'services']);
  if (c.count > before || region === undefined || zone === undefined) return undefined;
  const listKey = JSON.stringify(groups); // not join(): names may hold any character
  let shared = state.groupLists.get(listKey);
  if (shared === undefined) state.groupLists.set(listKey, (shared = groups));
  return {
    name,
    region,
    zone,
    groups: shared,
    ...(privateIp !== undefined ? { privateIp } : {}),
    ...(publicIp !== undefined ? { publicIp } : {}),
    ...(elasticIp !== undefined ? { elasticIp } : {}),
    services,
    state: running ? 'running' : 'stopped',
  };
}

export function checkInstances(c: Checker, v: unknown, state: ScenarioState): InstanceSpec[] {
  const out: InstanceSpec[] = [];
  if (!isPlainObject(v)) return out;
  for (const [name, value] of Object.entries(v)) {
    const path = ['instances', name];
    const host = state.names.hosts.get(name);
    if (!host || host.kind !== 'instance' || host.launch) continue; // reported by collectHostNames
    const o = c.mapping(value, path, INSTANCE_FIELDS, 'an instance ({ region, zone, groups, privateIp, publicIp, elasticIp, services, state })');
    if (!o) continue;
    const spec = checkInstanceSpec(c, o, path, name, state);
    if (spec) out.push(spec);
  }
  return out;
}

export function checkExternal(c: Checker, v: unknown, state: ScenarioState): ExternalSpec[] {
  const out: ExternalSpec[] = [];
  if (!isPlainObject(v)) return out;
  for (const [name, value] of Object.entries(v)) {
    const path = ['external', name];
    const host = state.names.hosts.get(name);
    if (!host || host.kind !== 'external' || formatPath(host.path) !== formatPath(path)) continue;
    const o = c.mapping(value, path, EXTERNAL_FIELDS, 'an external host ({ ip, services })');
    if (!o) continue;
    const before = c.count;
    let ip: Ip | undefined;
    if (absent(o.ip)) c.error([...path, 'ip'], 'ip is required (the external host\'s public address)');
    else {
      ip = checkIpField(c, o.ip, [...path, 'ip'], 'public', 'an external host\'s address');
      if (ip !== undefined) claimAddress(c, state, ip, { host: name, field: 'ip', path: [...path, 'ip'] });
    }
    const services = checkServices(c, o.services, [...path, 'services']);
    if (c.count === before && ip !== undefined) out.push({ name, ip, services });
  }
  return out;
}
