/**
 * scenario/load/rule-changes: an authorize or a revoke, checked against the rules its group
 * holds at that time of the timeline replay.
 *
 * Owns: naming the group (a region's default group needs its region when there are several),
 * the rule (rules.ts) in the group's region, "already has this rule", the rules-per-group
 * limit at that time, and "does not hold this rule … at <time>; its rules then: …".
 */
import { formatPath } from '../diagnostics.ts';
import { DEFAULT_GROUP, groupDisplayName, groupKey, sameRule, type Rule } from '../../model/types.ts';
import { listOf } from '../schema.ts';
import type { Action, Nanos } from '../spec.ts';
import { formatTime, ruleText } from './messages.ts';
import { knownGroups, resolveGroup, unknownRegion } from './names.ts';
import { checkRule } from './rules.ts';
import type { ScenarioState } from './state.ts';
import { absent, type Checker, type Path } from './structure.ts';

export interface RuleTrack {
  readonly rule: Rule;
  readonly origin: string;
}

/** A group's rules during the replay, each with where it came from (for messages). */
export interface GroupRules {
  readonly region: string;
  readonly rules: RuleTrack[];
}

export function ruleChange(
  c: Checker,
  state: ScenarioState,
  rules: Map<string, GroupRules>,
  now: Nanos,
  kind: 'authorize' | 'revoke',
  v: unknown,
  path: Path,
): Action | undefined {
  const { names, settings } = state;
  const o = c.mapping(v, path, ['group', 'rule', 'region'], `${kind} fields ({ group, rule })`);
  if (!o) return undefined;
  let region: string | undefined;
  if (!absent(o.region)) {
    const r = c.string(o.region, [...path, 'region'], 'a region name');
    if (r !== undefined) {
      if (names.regions.has(r)) region = r;
      else unknownRegion(c, [...path, 'region'], r, names);
    }
    if (region === undefined) return undefined;
  }
  if (absent(o.group)) {
    c.error([...path, 'group'], `group is required (known: ${listOf(knownGroups(names))})`);
    return undefined;
  }
  const name = c.string(o.group, [...path, 'group'], 'a group name');
  if (name === undefined) return undefined;
  let key: string;
  if (name === DEFAULT_GROUP) {
    // Every region has its own default group: with several regions, say which.
    if (region === undefined) {
      if (names.regions.size !== 1) {
        if (names.regions.size > 1) {
          c.error([...path, 'group'], `group default is ambiguous with several regions: add region (one of ${listOf(names.regions.keys())})`);
        }
        return undefined;
      }
      region = [...names.regions.keys()][0];
    }
    key = groupKey(DEFAULT_GROUP, region);
  } else {
    const decl = names.groups.get(name);
    if (!decl) {
      resolveGroup(c, name, [...path, 'group'], undefined, '', names); // reports the unknown group
      return undefined;
    }
    if (region !== undefined && decl.region !== undefined && decl.region !== region) {
      c.error([...path, 'region'], `group ${name} is in region ${decl.region}, not ${region}`);
      return undefined;
    }
    region = decl.region;
    if (region === undefined) return undefined; // the group's own region is invalid, reported
    key = groupKey(name, region);
  }
  if (absent(o.rule)) {
    c.error([...path, 'rule'], 'rule is required ({ protocol, ports or icmp, from, description })');
    return undefined;
  }
  const rule = checkRule(c, o.rule, [...path, 'rule'], name, region, names);
  if (!rule) return undefined;
  const track = rules.get(key)!;
  const held = track.rules.findIndex((r) => sameRule(r.rule, rule));
  const display = groupDisplayName(key);
  if (kind === 'authorize') {
    if (held >= 0) {
      c.error([...path, 'rule'], `group ${display} already has this rule (${track.rules[held].origin}) at ${formatTime(now)}`);
      return undefined;
    }
    if (track.rules.length >= settings.limits.rulesPerGroup) {
      c.error(
        [...path, 'rule'],
        `group ${display} would have ${track.rules.length + 1} rules; the limit is ${settings.limits.rulesPerGroup} (settings.limits.rulesPerGroup)`,
      );
      return undefined;
    }
    track.rules.push({ rule, origin: `authorized at ${formatPath(path.slice(0, 2))}` });
  } else {
    if (held < 0) {
      const list = track.rules.map((r) => ruleText(r.rule));
      c.error(
        [...path, 'rule'],
        `group ${display} does not hold this rule (${ruleText(rule)}) at ${formatTime(now)}; its rules then: ${list.length ? listOf(list, 6) : 'none'}`,
      );
      return undefined;
    }
    track.rules.splice(held, 1);
  }
  return { kind, group: key, rule };
}
