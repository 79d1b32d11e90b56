/**
 * scenario/load/sections: the scenario's settings, regions and groups.
 *
 * Owns: settings (merged over the defaults, every key checked against its kind), regions and
 * their zones (zone names unique, the default zone `<region>a`), and groups (their rules, the
 * duplicate-rule check, the limits on rules per group and groups per region).
 * Does not own: a rule's own fields (rules.ts), the names of groups (names.ts).
 */
import { formatPath } from '../diagnostics.ts';
import { DEFAULT_GROUP, groupKey, sameRule, type Region, type Rule, type SecurityGroup } from '../../model/types.ts';
import { DEFAULT_SETTINGS, type Settings } from '../spec.ts';
import { GROUP_FIELDS, REGION_FIELDS, describeValue, listOf } from '../schema.ts';
import { checkRegionField } from './names.ts';
import { checkRule } from './rules.ts';
import type { ScenarioState } from './state.ts';
import { absent, isPlainObject, type Checker, type Obj, type Path } from './structure.ts';

type SettingKind = 'duration' | 'positiveDuration' | 'jitter' | 'retries' | 'positiveInt';

export type SettingsShape = { readonly [key: string]: SettingKind | SettingsShape };

export const SETTINGS_SHAPE: SettingsShape = {
  latency: {
    sameZone: 'duration',
    crossZone: 'duration',
    publicPath: 'duration',
    crossRegion: 'duration',
    internet: 'duration',
    jitter: 'jitter',
  },
  tcp: { synRetries: 'retries', initialRto: 'positiveDuration' },
  conntrack: {
    tcpEstablished: 'positiveDuration',
    tcpHandshake: 'positiveDuration',
    udp: 'positiveDuration',
    udpStream: 'positiveDuration',
    icmp: 'positiveDuration',
  },
  propagationDelay: 'duration',
  limits: { rulesPerGroup: 'positiveInt', groupsPerRegion: 'positiveInt' },
  pingTimeout: 'positiveDuration',
};

export function checkSettings(c: Checker, v: unknown): Settings {
  const merged = structuredClone(DEFAULT_SETTINGS) as unknown as Obj;
  if (absent(v)) return merged as unknown as Settings;
  const merge = (doc: unknown, shape: SettingsShape, target: Obj, path: Path): void => {
    const o = c.mapping(doc, path, Object.keys(shape), `a mapping of ${listOf(Object.keys(shape))}`);
    if (!o) return;
    for (const [key, kind] of Object.entries(shape)) {
      const value = o[key];
      if (absent(value)) continue;
      const at = [...path, key];
      if (typeof kind === 'object') {
        merge(value, kind, target[key] as Obj, at);
        continue;
      }
      let parsed: number | undefined;
      switch (kind) {
        case 'duration':
          parsed = c.duration(value, at);
          break;
        case 'positiveDuration':
          parsed = c.duration(value, at, 'positive');
          break;
        case 'jitter':
          if (typeof value === 'number' && Number.isFinite(value) && value >= 0 && value < 1) parsed = value;
          else c.error(at, `jitter is a fraction of the latency, a number from 0 up to (not including) 1; got ${describeValue(value)}`);
          break;
        case 'retries':
          parsed = c.integer(value, at, 0, 20, 'number of retries');
          break;
        case 'positiveInt':
          parsed = c.integer(value, at, 1, Number.MAX_SAFE_INTEGER, 'limit');
          break;
      }
      if (parsed !== undefined) target[key] = parsed;
    }
  };
  merge(v, SETTINGS_SHAPE, merged, ['settings']);
  return merged as unknown as Settings;
}

export function checkRegions(c: Checker, v: unknown): Map<string, Region> {
  const regions = new Map<string, Region>();
  const zoneOwner = new Map<string, Path>();
  if (absent(v)) {
    c.error(['regions'], 'regions is required: declare at least one region (e.g. regions: { us-east-1: {} })');
    return regions;
  }
  const o = c.mapping(v, ['regions'], null, 'a mapping of region names to { zones }');
  if (!o) return regions;
  if (Object.keys(o).length === 0) {
    c.error(['regions'], 'declare at least one region (e.g. regions: { us-east-1: {} })');
    return regions;
  }
  for (const [name, value] of Object.entries(o)) {
    const path = ['regions', name];
    if (name.trim() === '' || /\s|\//.test(name)) {
      c.error(path, `region name ${JSON.stringify(name)} may not be empty or hold spaces or "/"`);
      continue;
    }
    let zones: string[] | undefined;
    if (!absent(value)) {
      const r = c.mapping(value, path, REGION_FIELDS, 'a region ({ zones: [...] }, or {})');
      if (r && !absent(r.zones)) {
        const list = c.list(r.zones, [...path, 'zones'], 'the region\'s zones');
        if (list) {
          if (list.length === 0) c.error([...path, 'zones'], `a region has at least one zone (omit zones for [${name}a])`);
          const declared: string[] = [];
          zones = declared;
          list.forEach((z, i) => {
            const zp = [...path, 'zones', i];
            const zone = c.string(z, zp, 'a zone name');
            if (zone === undefined) return;
            const prior = zoneOwner.get(zone);
            if (prior) {
              c.error(zp, `zone ${zone} is already declared at ${formatPath(prior)} (zone names are unique in a scenario)`);
              return;
            }
            zoneOwner.set(zone, zp);
            declared.push(zone);
          });
        }
      }
    }
    if (zones === undefined) {
      // The default zone, <region>a, must be unique like any declared one.
      const zone = `${name}a`;
      const prior = zoneOwner.get(zone);
      if (prior) c.error(path, `the region's default zone ${zone} is already declared at ${formatPath(prior)} (zone names are unique in a scenario)`);
      zoneOwner.set(zone, path);
      zones = [zone];
    }
    regions.set(name, { name, zones });
  }
  return regions;
}

export function checkGroups(c: Checker, v: unknown, state: ScenarioState): SecurityGroup[] {
  const groups: SecurityGroup[] = [];
  if (!isPlainObject(v)) return groups; // absent, or reported by collectGroupNames
  const { names, settings } = state;
  const perRegion = new Map<string, number>();
  for (const [name, g] of Object.entries(v)) {
    const path = ['groups', name];
    if (!names.groups.has(name)) continue; // a bad name, reported
    const o = c.mapping(g, path, GROUP_FIELDS, 'a group ({ region, description, ingress })');
    if (!o) continue;
    const before = c.count;
    const region = checkRegionField(c, o, path, names);
    let description: string | undefined;
    if (!absent(o.description)) {
      if (typeof o.description === 'string') description = o.description;
      else c.error([...path, 'description'], `expected a description (a string), got ${describeValue(o.description)}`);
    }
    const ingress: Rule[] = [];
    if (!absent(o.ingress)) {
      const list = c.list(o.ingress, [...path, 'ingress'], 'ingress rules');
      list?.forEach((r, i) => {
        const rulePath = [...path, 'ingress', i];
        const rule = checkRule(c, r, rulePath, name, region, names);
        if (!rule) return;
        const dup = ingress.findIndex((x) => sameRule(x, rule));
        if (dup >= 0) {
          c.error(rulePath, `duplicate rule: the same protocol, ports/icmp and source as ${formatPath([...path, 'ingress', dup])} (descriptions do not count)`);
          return;
        }
        ingress.push(rule);
      });
      if (list && list.length > settings.limits.rulesPerGroup) {
        c.error(
          [...path, 'ingress'],
          `group ${name} has ${list.length} rules; the limit is ${settings.limits.rulesPerGroup} (settings.limits.rulesPerGroup)`,
        );
      }
    }
    if (region !== undefined) {
      // Count the region's default group too, unless this scenario declares it.
      const count = (perRegion.get(region) ?? (names.groups.get(DEFAULT_GROUP)?.region === region ? 0 : 1)) + 1;
      perRegion.set(region, count);
      if (count === settings.limits.groupsPerRegion + 1) {
        c.error(
          path,
          `region ${region} would have ${count} groups (counting its default group); the limit is ${settings.limits.groupsPerRegion} (settings.limits.groupsPerRegion)`,
        );
      }
    }
    if (c.count > before || region === undefined) continue;
    groups.push({
      key: groupKey(name, region),
      name,
      region,
      ...(description !== undefined ? { description } : {}),
      ingress,
    });
  }
  return groups;
}
