/**
 * scenario/load/names: the names a document declares, collected before anything is checked
 * (so that the order of declaration never matters), and the lookups every section makes.
 *
 * Owns: group and host names (their spelling rules, one namespace for instances and external
 * hosts), region fields, resolving a group name as seen from a region to its key, and the
 * "unknown …, known: …; did you mean" messages for regions and groups.
 * Does not own: the timeline's names (entries.ts), what a host or group holds (hosts.ts,
 * sections.ts).
 */
import { formatPath } from '../diagnostics.ts';
import { DEFAULT_GROUP, groupKey } from '../../model/types.ts';
import { closest, listOf } from '../schema.ts';
import type { Names } from './state.ts';
import { absent, isPlainObject, type Checker, type Obj, type Path } from './structure.ts';

export function unknownRegion(c: Checker, path: Path, region: string, names: Names): void {
  const hint = closest(region, names.regions.keys());
  c.error(path, `unknown region "${region}" (known: ${listOf(names.regions.keys()) || 'none'}${hint ? `; did you mean ${hint}?` : ''})`);
}

/** A region field: required, a string, and a declared region. */
export function checkRegionField(c: Checker, o: Obj, path: Path, names: Names): string | undefined {
  const at = [...path, 'region'];
  if (absent(o.region)) {
    c.error(at, `region is required (known regions: ${listOf(names.regions.keys()) || 'none'})`);
    return undefined;
  }
  const region = c.string(o.region, at, 'a region name');
  if (region === undefined) return undefined;
  if (!names.regions.has(region)) {
    unknownRegion(c, at, region, names);
    return undefined;
  }
  return region;
}

export function collectGroupNames(c: Checker, v: unknown, names: Names): void {
  if (absent(v)) return;
  const o = c.mapping(v, ['groups'], null, 'a mapping of group names to groups');
  if (!o) return;
  for (const [name, g] of Object.entries(o)) {
    const path = ['groups', name];
    if (name.trim() === '' || name.startsWith(`${DEFAULT_GROUP}/`)) {
      c.error(path, `group name ${JSON.stringify(name)} is not allowed (empty, or in the form kept for default groups' keys)`);
      continue;
    }
    let region: string | undefined;
    if (isPlainObject(g) && typeof g.region === 'string' && names.regions.has(g.region)) region = g.region;
    names.groups.set(name, { region, path });
  }
}

export function hostNameProblem(name: string): string | undefined {
  if (name.trim() === '') return 'a host name may not be empty';
  if (/\s/.test(name)) return `host name ${JSON.stringify(name)} may not hold spaces`;
  if (name.includes('.')) return `host name "${name}" may not contain "." (addresses are written <name>.private, <name>.public, …)`;
  if (name.includes('/')) return `host name "${name}" may not contain "/"`;
  return undefined;
}

export function collectHostNames(c: Checker, instances: unknown, external: unknown, names: Names): void {
  const add = (section: 'instances' | 'external', v: unknown): void => {
    if (absent(v)) return;
    const o = c.mapping(v, [section], null, `a mapping of ${section === 'instances' ? 'instance' : 'external host'} names to their specs`);
    if (!o) return;
    for (const name of Object.keys(o)) {
      const path = [section, name];
      const problem = hostNameProblem(name);
      if (problem) {
        c.error(path, problem);
        continue;
      }
      const prior = names.hosts.get(name);
      if (prior) {
        c.error(path, `"${name}" is already declared at ${formatPath(prior.path)} (instances and external hosts share one namespace)`);
        continue;
      }
      names.hosts.set(name, { kind: section === 'instances' ? 'instance' : 'external', path });
    }
  };
  add('instances', instances);
  add('external', external);
}

export function knownGroups(names: Names): string[] {
  const list = [...names.groups.keys()];
  if (!names.groups.has(DEFAULT_GROUP)) list.push(DEFAULT_GROUP);
  return list;
}

/**
 * Resolves a group name as seen from `region` to its key. `owner` says who refers to it, for
 * the cross-region message. Undefined after reporting (or silently, when region is unknown).
 */
export function resolveGroup(c: Checker, name: unknown, path: Path, region: string | undefined, owner: string, names: Names): string | undefined {
  const g = c.string(name, path, 'a group name');
  if (g === undefined) return undefined;
  if (g === DEFAULT_GROUP) return region === undefined ? undefined : groupKey(g, region);
  const decl = names.groups.get(g);
  if (!decl) {
    const hint = closest(g, knownGroups(names));
    c.error(path, `unknown group "${g}" (known: ${listOf(knownGroups(names))}${hint ? `; did you mean ${hint}?` : ''})`);
    return undefined;
  }
  if (region !== undefined && decl.region !== undefined && decl.region !== region) {
    c.error(path, `group ${g} is in region ${decl.region}, but ${owner} is in ${region} (in classic a group can be used only in its own region)`);
    return undefined;
  }
  return groupKey(g, decl.region ?? region ?? '');
}
